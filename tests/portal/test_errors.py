"""Friendly error pages in both languages, JSON under /api/, and the 500 handler's rollback."""
import pytest
from flask import abort
from sqlalchemy import select

from portal.auth.models import Unit
from portal.db import get_session


@pytest.fixture
def failing_app(app):
    @app.get("/boom")
    def boom():
        get_session().add(Unit(code="HALF", name="Nửa chừng"))
        get_session().flush()
        raise RuntimeError("kaboom")

    @app.get("/api/thing")
    def api_thing():
        abort(404)

    @app.get("/api/boom")
    def api_boom():
        raise RuntimeError("kaboom")

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    @app.get("/bad")
    def bad():
        abort(400)

    return app


def test_500_page_is_friendly_and_nothing_is_half_saved(failing_app, client, db, caplog):
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Hệ thống gặp lỗi và chưa lưu gì" in page and "kaboom" not in page
    assert db.scalar(select(Unit).where(Unit.code == "HALF")) is None
    assert "unhandled error on GET /boom" in caplog.text


def test_error_pages_in_english(failing_app, client):
    assert "Something went wrong" in client.get("/boom?lang=en").get_data(as_text=True)
    assert "Page not found" in client.get("/nope?lang=en").get_data(as_text=True)
    assert "Not allowed" in client.get("/forbidden?lang=en").get_data(as_text=True)
    assert "Bad request" in client.get("/bad?lang=en").get_data(as_text=True)


def test_errors_under_api_are_json(failing_app, client):
    response = client.get("/api/thing")
    assert response.status_code == 404 and response.json["status"] == 404
    assert response.json["error"] == "Không tìm thấy trang"
    response = client.get("/api/boom")
    assert response.status_code == 500 and response.json["status"] == 500


def test_405_page(client):
    response = client.post("/procedures")
    assert response.status_code == 405
    assert "Địa chỉ này không nhận loại yêu cầu đó." in response.get_data(as_text=True)


def test_a_body_over_the_limit_gets_the_413_page(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/staff/login", data={"username": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    assert "vượt quá dung lượng cho phép" in response.get_data(as_text=True)


def test_429_page_text(client, app):
    from portal.errors import render_error

    with app.test_request_context("/?lang=en"):
        body, code = render_error(429)
    assert code == 429 and "Too many attempts" in body
