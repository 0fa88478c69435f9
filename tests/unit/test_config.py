import pytest

from portal.config import check_production_settings, from_environment

URL = {"PUBLIC_BASE_URL": "https://gopy.example.vn"}


@pytest.mark.parametrize("key", ["", "dev", "changeme", "short-but-random-9f8e"])
def test_weak_or_missing_secret_key_is_refused_outside_debug(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_settings({"SECRET_KEY": key, **URL}, debug=False)


def test_refusal_says_how_to_set_a_key():
    with pytest.raises(RuntimeError) as error:
        check_production_settings(dict(URL), debug=False)
    assert "export SECRET_KEY=" in str(error.value)


def test_debug_and_tests_run_without_a_key():
    check_production_settings({}, debug=True)
    check_production_settings({"TESTING": True}, debug=False)
    check_production_settings({"SECRET_KEY": "k" * 40, **URL}, debug=False)


def test_production_needs_the_public_address():
    with pytest.raises(RuntimeError, match="export PUBLIC_BASE_URL="):
        check_production_settings({"SECRET_KEY": "k" * 40}, debug=False)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/x")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://gopy.example.vn/")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    config = from_environment("/tmp/instance")
    assert config["DATABASE_URL"] == "postgresql+psycopg://db/x"
    assert config["PUBLIC_BASE_URL"] == "https://gopy.example.vn"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_defaults_are_safe(monkeypatch):
    for name in ("DATABASE_URL", "SESSION_COOKIE_SECURE", "MAX_CONTENT_LENGTH"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment("/tmp/instance")
    assert config["DATABASE_URL"] == "sqlite:////tmp/instance/portal.sqlite3"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_a_bad_number_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_BYTES", "ten")
    with pytest.raises(RuntimeError, match="IMPORT_MAX_BYTES"):
        from_environment("/tmp/instance")


def test_screening_thresholds_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SURVEY_SECONDS_PER_TAP", "0.6")
    monkeypatch.setenv("SURVEY_ADDRESS_MAX_PER_HOUR", "50")
    config = from_environment("/tmp/instance")
    assert config["SURVEY_SECONDS_PER_TAP"] == 0.6 and config["SURVEY_ADDRESS_MAX_PER_HOUR"] == 50
    assert config["SURVEY_DEVICE_MAX_PER_DAY"] == 3


@pytest.mark.parametrize("value", ["fast", "-0.5", "nan"])
def test_a_bad_seconds_per_tap_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("SURVEY_SECONDS_PER_TAP", value)
    with pytest.raises(RuntimeError, match="SURVEY_SECONDS_PER_TAP"):
        from_environment("/tmp/instance")
