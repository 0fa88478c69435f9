"""The survey's routes (``/q/<token>``, ``/results``, ``/staff/survey``) come with the survey
issue; the blueprint is registered now so the package is wired like the others."""
from flask import Blueprint

bp = Blueprint("survey", __name__, template_folder="templates")
