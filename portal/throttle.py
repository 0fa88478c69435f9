"""Limits per key in a moving window: sign-in failures, look-ups, survey and feedback sends.

Every limit is **taken, then checked, in one atomic step** (:meth:`Throttle.take`): of N
simultaneous requests no more than the limit get through, whatever the number of workers.
Where only failures count (a wrong password, a look-up that finds nothing), the request takes
its place first and gives it back when it succeeds (:meth:`Throttle.give_back`).

Where the counts live (``RATELIMIT_STORAGE_URI``, else ``REDIS_URL``, else the file):
- ``redis://…``: shared by every process on every machine (a Lua script per step);
- ``sqlite:///path`` (the default, ``instance/throttle.sqlite3``): shared by every process on
  this machine, through a small SQLite file of its own (never the portal's database: a
  request holding that database's write lock must not wait for itself);
- ``memory://``: this process only (tests, one-process tools).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from flask import Flask, current_app
from limits import parse


def _window(limit: str) -> tuple[int, float]:
    """The number allowed and the window in seconds of a limit such as '5/minute'."""
    item = parse(limit)
    return item.amount, float(item.get_expiry())


def _key(limit: str, key: tuple[str, ...]) -> str:
    return "throttle/" + limit.replace(" ", "") + "/" + "/".join(key)


class MemoryStorage:
    """Counts in this process (tests, one-process tools)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hits: dict[str, list[float]] = defaultdict(list)

    def take(self, key: str, amount: int, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = [moment for moment in self._hits[key] if moment > now - window]
            taken = len(hits) < amount
            if taken:
                hits.append(now)
            self._hits[key] = hits
            return taken

    def give_back(self, key: str) -> None:
        with self._lock:
            if self._hits.get(key):
                self._hits[key].pop()

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class SqliteStorage:
    """Counts in a SQLite file shared by the processes of one machine: each step is one
    IMMEDIATE transaction, so two workers never both see room for the last place."""

    SCHEMA = ("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, key TEXT NOT NULL, "
              "at REAL NOT NULL, expires REAL NOT NULL)",
              "CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at)",
              "CREATE INDEX IF NOT EXISTS hits_expires ON hits (expires)")

    def __init__(self, path: str):
        self.path = path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connection() as connection:
            for statement in self.SCHEMA:
                connection.execute(statement)

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (made again in a forked worker)."""
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                         check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _write(self, work):
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = work(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return result

    def take(self, key: str, amount: int, window: float) -> bool:
        now = time.time()

        def work(connection):
            connection.execute("DELETE FROM hits WHERE expires <= ?", (now,))
            (used,) = connection.execute("SELECT count(*) FROM hits WHERE key = ? AND at > ?",
                                         (key, now - window)).fetchone()
            if used >= amount:
                return False
            connection.execute("INSERT INTO hits (key, at, expires) VALUES (?, ?, ?)",
                               (key, now, now + window))
            return True

        return self._write(work)

    def give_back(self, key: str) -> None:
        self._write(lambda connection: connection.execute(
            "DELETE FROM hits WHERE id = (SELECT max(id) FROM hits WHERE key = ?)", (key,)))

    def clear(self, key: str) -> None:
        self._write(lambda connection: connection.execute(
            "DELETE FROM hits WHERE key = ?", (key,)))


class RedisStorage:
    """Counts in Redis, shared by every process on every machine: a sorted set of moments per
    key, trimmed, counted and added to in one script, on the server's clock."""

    TAKE = """
        local now = redis.call('TIME')
        local at = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local window = tonumber(ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - window)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], at, ARGV[3])
        redis.call('PEXPIRE', KEYS[1], window)
        return 1"""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self._take = self.client.register_script(self.TAKE)

    def take(self, key: str, amount: int, window: float) -> bool:
        return bool(self._take(keys=[key], args=[amount, int(window * 1000),
                                                 uuid.uuid4().hex]))

    def give_back(self, key: str) -> None:
        self.client.zpopmax(key)

    def clear(self, key: str) -> None:
        self.client.delete(key)


def storage_from(uri: str):
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(uri)
    if uri.startswith("sqlite:///"):
        return SqliteStorage(uri.removeprefix("sqlite:///"))
    if uri == "memory://":
        return MemoryStorage()
    raise ValueError(f"unknown throttle storage {uri!r}: use redis://, sqlite:/// or memory://")


class Throttle:
    def __init__(self, storage_uri: str):
        self.storage = storage_from(storage_uri)

    def take(self, limit: str, *key: str) -> bool:
        """Take a place under ``limit`` (e.g. '5/minute') for ``key``: False, and nothing
        taken, when every place is in use."""
        amount, window = _window(limit)
        return self.storage.take(_key(limit, key), amount, window)

    def take_all(self, *wanted: tuple[str, tuple[str, ...]]) -> bool:
        """Take a place under each (limit, key), or none of them."""
        taken = []
        for limit, key in wanted:
            if not self.take(limit, *key):
                for earlier_limit, earlier_key in taken:
                    self.give_back(earlier_limit, *earlier_key)
                return False
            taken.append((limit, key))
        return True

    def give_back(self, limit: str, *key: str) -> None:
        """Give back the place taken last (the request it was taken for succeeded, and only
        failures count)."""
        self.storage.give_back(_key(limit, key))

    def clear(self, limit: str, *key: str) -> None:
        self.storage.clear(_key(limit, key))


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") \
        or "sqlite:///" + str(Path(app.instance_path) / "throttle.sqlite3")
    app.extensions["throttle"] = Throttle(uri)


def get_throttle() -> Throttle:
    return current_app.extensions["throttle"]
