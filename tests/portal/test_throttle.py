"""The throttle takes a place and checks the limit in one atomic step, in memory, in the
SQLite file shared by a machine's workers, and in Redis (shared by every machine)."""
import multiprocessing
import os
import threading
import uuid

import pytest

from portal.throttle import Throttle
from tests.conftest import require_or_skip

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as error:
        require_or_skip(f"Redis at {REDIS_URL} unreachable: {error}")
    return REDIS_URL


@pytest.fixture(params=["memory", "sqlite", "redis"])
def storage_uri(request, tmp_path):
    if request.param == "redis":
        return redis_reachable()
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'throttle.sqlite3'}"
    return "memory://"


def test_places_are_taken_given_back_and_cleared(storage_uri):
    throttle = Throttle(storage_uri)
    key = ("login-user", f"t-{uuid.uuid4()}")
    assert [throttle.take("3/minute", *key) for _ in range(4)] == [True, True, True, False]
    assert throttle.take("3/minute", "login-user", "someone else")
    throttle.give_back("3/minute", *key)
    assert throttle.take("3/minute", *key) and not throttle.take("3/minute", *key)
    throttle.clear("3/minute", *key)
    assert throttle.take("3/minute", *key)
    # the same key under another limit is another count
    assert throttle.take("1/hour", *key) and not throttle.take("1/hour", *key)


def test_take_all_takes_every_place_or_none(storage_uri):
    throttle = Throttle(storage_uri)
    link, address = ("survey-link", f"l-{uuid.uuid4()}"), ("survey-ip", f"a-{uuid.uuid4()}")
    assert throttle.take("1/minute", *address)
    assert not throttle.take_all(("5/minute", link), ("1/minute", address))
    # the link's place was given back when the address had none left
    assert all(throttle.take("5/minute", *link) for _ in range(5))


def test_simultaneous_takes_never_pass_the_limit(storage_uri):
    throttle = Throttle(storage_uri)
    key = ("login-ip", f"t-{uuid.uuid4()}")
    start, taken = threading.Barrier(30), []

    def attempt():
        start.wait()
        taken.append(throttle.take("5/minute", *key))

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(True) == 5


def _take_in_process(uri, key, start, results):
    throttle = Throttle(uri)
    start.wait()
    results.put(throttle.take("5/minute", *key))


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_processes_share_the_count(kind, tmp_path):
    """Workers are processes: with the default file or Redis, 12 of them taking at the same
    moment get 5 places between them."""
    uri = redis_reachable() if kind == "redis" else f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    Throttle(uri)  # the file exists before the workers start
    context = multiprocessing.get_context("spawn")
    key = ("login-ip", f"p-{uuid.uuid4()}")
    start, results = context.Barrier(12), context.Queue()
    workers = [context.Process(target=_take_in_process, args=(uri, key, start, results))
               for _ in range(12)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join()
    assert outcomes.count(True) == 5


def test_an_unknown_storage_is_refused():
    with pytest.raises(ValueError, match="unknown throttle storage"):
        Throttle("memcached://127.0.0.1")


def test_the_app_uses_redis_when_configured_and_the_file_otherwise(app_config, connection):
    from portal import create_app

    app_config["RATELIMIT_STORAGE_URI"] = ""
    app_config["REDIS_URL"] = redis_reachable()
    assert type(create_app(app_config).extensions["throttle"].storage).__name__ \
        == "RedisStorage"
    app_config["REDIS_URL"] = ""
    storage = create_app(app_config).extensions["throttle"].storage
    assert type(storage).__name__ == "SqliteStorage"
    assert storage.path.endswith("instance/throttle.sqlite3")
