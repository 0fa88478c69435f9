"""Fixtures: ``app``, ``client``, ``runner``, ``db`` and ``auth``; factories in tests/factories.py.

The schema is migrated once per run with the real Alembic migrations. Each test runs inside an
outer transaction that is rolled back at its end; the app's sessions join it through SAVEPOINTs
(SQLAlchemy docs, "Joining a Session into an External Transaction"), so a request's commit is
real for the code under test and nothing leaks between tests.

``TEST_DATABASE_URL`` selects another database (PostgreSQL in CI). With ``REQUIRE_SERVICES=1``
a database, Redis or browser that is not there fails the run instead of skipping.
"""
from __future__ import annotations

import functools
import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

import portal.auth.models
import portal.auth.services
from portal import create_app
from portal.cli import upgrade_database
from portal.db import make_engine

# Passwords are hashed with one round of PBKDF2 in the tests: scrypt's 0.14 s of CPU per hash
# and per check was a large share of the suite's time (each test signs people in). Checking
# reads the method from the hash, so the code path is the portal's; outside the tests it hashes
# with werkzeug's default, scrypt.
_cheap_hash = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
portal.auth.models.generate_password_hash = _cheap_hash
portal.auth.services._DUMMY_HASH = _cheap_hash("not a real password")



def _lazy_url_builders() -> None:
    """Each test builds its own app, and werkzeug compiles two URL builders for each of the
    ~110 routes when it is built (about 0.2 s of CPU per app, most of the suite's fixture
    time). Compile each builder when it is first used instead: the URLs are the same."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder

    def lazy(rule, append_unknown=True):
        compiled = None

        def build(self, *args, **kwargs):
            nonlocal compiled
            if compiled is None:
                compiled = compile_builder(rule, append_unknown)
            return compiled(self, *args, **kwargs)

        return build

    Rule._compile_builder = lazy


_lazy_url_builders()

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# Under pytest-xdist each worker ("gw0", "gw1"…) runs its own test files at the same time as
# the others: it gets its own PostgreSQL database and Redis database (SQLite files are in each
# worker's own temporary folder already).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER and "TEST_REDIS_URL" not in os.environ:
    os.environ["TEST_REDIS_URL"] = f"redis://127.0.0.1:6379/{15 - int(WORKER[2:] or 0) % 8}"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"


def require_or_skip(reason: str):
    """Fail under REQUIRE_SERVICES=1, else skip: a missing service is never silently ignored."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url and WORKER:
        return _worker_database(url)
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _worker_database(url: str) -> str:
    """``url``'s database with the worker's name appended ("test_gw0"), created if missing."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_{WORKER}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                     {"name": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure
        pytest.exit(f"test database server of {url} unreachable: {error}", returncode=1)
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
    except Exception as error:  # noqa: BLE001 - any connection failure
        pytest.exit(f"test database {database_url} unreachable: {error}", returncode=1)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


def make_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "TWO_FACTOR_REQUIRED": "off",  # tests of the second factor turn it on
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PUBLIC_BASE_URL": "https://gopy.example.vn",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(database_url) -> dict:
    """Override settings for one test by changing this dict before using ``app``."""
    return make_config(database_url)


@pytest.fixture
def app(app_config, connection):
    app = create_app(app_config)
    app.extensions["db"].sessionmaker.configure(
        bind=connection, join_transaction_mode="create_savepoint")
    yield app
    app.extensions["db"].engine.dispose()  # init-db tests connect with the app's own engine


@pytest.fixture
def csrf_app(app_config, connection):
    """The app with CSRF protection on (off in the other tests), on the test's transaction."""
    app_config["WTF_CSRF_ENABLED"] = True
    app = create_app(app_config)
    app.extensions["db"].sessionmaker.configure(bind=connection,
                                                join_transaction_mode="create_savepoint")
    return app


@pytest.fixture
def db(app, connection) -> Session:
    """A session on the test's transaction, for arranging data and reading what was stored."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False)
    app.test_client_class = _client_class(session)
    yield session
    session.close()


def _client_class(session: Session):
    class Client(FlaskClient):
        """Expires the test's session after each request, so reads see what the app stored."""

        def open(self, *args, **kwargs):
            response = super().open(*args, **kwargs)
            session.expire_all()
            return response

    return Client


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


class Auth:
    def __init__(self, client, db):
        self.client, self.db = client, db

    def login(self, username: str, password: str = PASSWORD, *, follow=False):
        return self.client.post("/staff/login", data={"username": username,
                                                      "password": password},
                                follow_redirects=follow)

    def as_role(self, *roles: str, **fields):
        """Create a user holding ``roles`` and sign them in; return the user."""
        from tests.factories import make_user

        user = make_user(self.db, roles=roles, **fields)
        response = self.login(user.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):
        return self.client.post("/staff/logout")


@pytest.fixture
def auth(client, db):
    return Auth(client, db)
