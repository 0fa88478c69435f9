"""The feedback routes (``/feedback/…``, ``/staff/feedback``) come with the feedback issue."""
from flask import Blueprint

bp = Blueprint("feedback", __name__, template_folder="templates")
