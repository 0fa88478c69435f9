"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi COMMAND``.

Run in the project folder, ``flask`` also reads the settings ``make run`` wrote into ``.env``
(values already in the environment win). A missing setting stops it with one line.
"""
import sys

from portal import create_app
from portal.config import SettingsError

try:
    app = create_app()
except SettingsError as error:
    sys.exit(f"Cổng góp ý cannot start: {error}")
