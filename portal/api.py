"""The machine interfaces under /api/ (issue 14): their OpenAPI 3.1 description, assembled
from what each package registers beside its routes, at /api/openapi.json, and a page that
reads it for people at /api/docs. A route under /api/ that nobody described fails a test
(tests/portal/test_api.py), so the description cannot fall behind the code.

Errors are JSON, one shape everywhere: ``{"error": {"code", "message", "parameter"?}}``."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template

from portal.i18n import _l

bp = Blueprint("api", __name__)

KEY = "api.description"
VERSION = "1.0.0"
ERROR_SCHEMA = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "message"], "additionalProperties": False,
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "parameter": {"type": "string"}}}}}


def describe(app: Flask, paths: dict, schemas: dict | None = None) -> None:
    """Add OpenAPI ``paths`` (and component ``schemas``) for routes a package serves."""
    described = app.extensions.setdefault(KEY, {"paths": {}, "schemas": {}})
    described["paths"].update(paths)
    described["schemas"].update(schemas or {})


def error(status: int, code: str, message: str, parameter: str | None = None):
    """A JSON error response in the interfaces' one shape."""
    body = {"code": code, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    return jsonify({"error": body}), status


def error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def _plain(value):
    """``value`` with its translatable texts in the request's language."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def document() -> dict:
    """The OpenAPI 3.1 description of every route under /api/, its texts in the request's
    language (Vietnamese unless asked otherwise, as every page)."""
    described = current_app.extensions.get(KEY, {"paths": {}, "schemas": {}})
    return _plain({
        "openapi": "3.1.0",
        "info": {"title": _l("Cổng góp ý: machine interfaces"), "version": VERSION,
                 "description": _l("Other systems can read the portal's published figures "
                                   "here, as JSON. No personal data is served.")},
        "paths": {"/api/openapi.json": {"get": {
            "summary": _l("This description"), "operationId": "openapi",
            "responses": {"200": {"description": _l("The OpenAPI 3.1 description"),
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}}}}},
                  "/api/docs": {"get": {
                      "summary": _l("This description as a page for people"),
                      "operationId": "docs",
                      "responses": {"200": {"description": _l("A page"),
                                            "content": {"text/html": {
                                                "schema": {"type": "string"}}}}}}},
                  **described["paths"]},
        "components": {"schemas": {"Error": ERROR_SCHEMA, **described["schemas"]}},
    })


@bp.get("/api/openapi.json")
def openapi():
    response = jsonify(document())
    response.headers["Access-Control-Allow-Origin"] = "*"  # public figures, read anywhere
    return response


@bp.get("/api/docs")
def docs():
    spec = document()
    operations = [(path, method, operation) for path, methods in spec["paths"].items()
                  for method, operation in methods.items()]
    return render_template("api/docs.html", spec=spec, operations=operations)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
