"""The description of the machine interfaces (issue 14, point 3): every route under /api/
is described, the description is valid OpenAPI 3.1, and a page reads it for people."""
import re

from openapi_spec_validator import validate


def _described_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_every_api_route_is_described_and_nothing_else(app, client):
    document = client.get("/api/openapi.json").get_json()
    served = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            served.setdefault(_described_path(rule.rule), set()).update(
                method.lower() for method in rule.methods - {"HEAD", "OPTIONS"})
    described = {path: set(methods) for path, methods in document["paths"].items()}
    assert served == described
    assert "/api/v1/results" in served


def test_the_description_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_page_for_people_lists_every_operation_in_both_languages(client):
    document = client.get("/api/openapi.json").get_json()
    page = client.get("/api/docs").get_data(as_text=True)
    assert "Giao diện lập trình (API)" in page and 'href="/api/openapi.json"' in page
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert f"{method.upper()} {path}" in page and operation["summary"] in page
    english = client.get("/api/docs?lang=en").get_data(as_text=True)
    assert "Machine interfaces" in english and "No personal data is served." in english
