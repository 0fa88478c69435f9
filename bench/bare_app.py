"""A bare Flask app with the same request shape as the survey (a GET, then a form POST), to
compare the survey's cost against Flask's own under the same gunicorn."""
from flask import Flask, request

app = Flask(__name__)


@app.get("/bare")
def page():
    return "<form method=post><input name=x></form>"


@app.post("/bare")
def submit():
    return f"ok {len(request.form)}"
