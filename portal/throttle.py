"""Counting failures per key in a moving window (sign-in throttling, later other forms).

Storage is Redis when ``REDIS_URL`` is set, so several app processes share the counts;
otherwise memory of this process. Built on the ``limits`` library.
"""
from __future__ import annotations

from flask import Flask, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class Throttle:
    def __init__(self, storage_uri: str):
        self.storage = storage_from_string(storage_uri)
        self.limiter = MovingWindowRateLimiter(self.storage)

    def exceeded(self, limit: str, *key: str) -> bool:
        """True when ``key`` has already used up ``limit`` (e.g. '5/minute')."""
        return not self.limiter.test(parse(limit), *key)

    def hit(self, limit: str, *key: str) -> None:
        self.limiter.hit(parse(limit), *key)

    def clear(self, limit: str, *key: str) -> None:
        self.limiter.clear(parse(limit), *key)


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    app.extensions["throttle"] = Throttle(uri)


def get_throttle() -> Throttle:
    return current_app.extensions["throttle"]
