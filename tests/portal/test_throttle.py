"""The sign-in throttle's counts live in Redis when REDIS_URL is set (shared by every process)."""
import os
import uuid

import pytest

from portal.throttle import Throttle
from tests.conftest import require_or_skip

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_throttle():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as error:
        require_or_skip(f"Redis at {REDIS_URL} unreachable: {error}")
    return Throttle(REDIS_URL)


def test_two_processes_share_the_count_through_redis(redis_throttle):
    key = ("login-user", f"bench-{uuid.uuid4()}")
    other_process = Throttle(REDIS_URL)
    for _ in range(3):
        redis_throttle.hit("5/minute", *key)
    assert not other_process.exceeded("5/minute", *key)
    for _ in range(2):
        other_process.hit("5/minute", *key)
    assert redis_throttle.exceeded("5/minute", *key)
    redis_throttle.clear("5/minute", *key)
    assert not other_process.exceeded("5/minute", *key)


def test_memory_storage_counts_per_key():
    throttle = Throttle("memory://")
    throttle.hit("1/minute", "a")
    assert throttle.exceeded("1/minute", "a") and not throttle.exceeded("1/minute", "b")


def test_the_app_uses_redis_when_configured(app_config, connection):
    from portal import create_app

    app_config["RATELIMIT_STORAGE_URI"] = ""
    app_config["REDIS_URL"] = REDIS_URL
    app = create_app(app_config)
    assert type(app.extensions["throttle"].storage).__name__ == "RedisStorage"
