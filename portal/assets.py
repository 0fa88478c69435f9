"""Static files (styles, scripts, images) under content-hashed names, cached for a year, sent
compressed; and compression of every other text response (Flask-Compress).

``url_for("static", filename="css/site.css")`` gives ``/static/css/site.1a2b3c4d5e.css``: the
name changes whenever the content does, so a browser may keep the file for a year without
asking again (``immutable``), and a citizen's second visit to a page makes one request. The
plain name (``/static/css/site.css``) and a name with an old hash (a page cached before a
deployment) still get the current file, revalidated each time (``no-cache`` with an ETag).

The files are small (tens of kilobytes); each is read once per process, with its gzip and
Brotli versions, and read again only when its modification time or size changes (a developer
editing a style sees it at once).
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask, Response, abort, request
from flask_compress import Compress
from werkzeug.security import safe_join

HASH_LENGTH = 10
YEAR = 365 * 24 * 3600
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
# The text responses the app compresses itself (pages, CSV and JSON data, feeds).
COMPRESS_MIMETYPES = ["text/html", "text/css", "text/csv", "text/plain", "text/xml",
                      "application/json", "application/javascript", "application/atom+xml",
                      "image/svg+xml"]



class _Compress(Compress):
    """Staff pages are sent as they are: a page that holds a secret (the CSRF token, personal
    data) and text an attacker can choose, compressed over TLS, leaks the secret through its
    size (BREACH). Staff work on office connections; citizens' pages are the ones to make
    light."""

    def after_request(self, response):
        if request.path.startswith("/staff") and response.mimetype == "text/html":
            return response
        return super().after_request(response)


compress = _Compress()


@dataclass(frozen=True)
class Asset:
    stamp: tuple[int, int]  # modification time and size when read
    digest: str
    mimetype: str
    data: bytes
    gzip: bytes | None
    brotli: bytes | None


class Assets:
    """``watch``: look at each file's modification time on every use (development: an edited
    style shows at once); otherwise a file is read once per process (a deployment restarts
    the workers), which saves a stat per link on every page."""

    def __init__(self, folder: Path, *, watch: bool = True):
        self.folder = folder
        self.watch = watch
        self._cache: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def get(self, filename: str) -> Asset | None:
        if not self.watch:
            asset = self._cache.get(filename)
            if asset is not None:
                return asset
        path = safe_join(str(self.folder), filename)
        if path is None:
            return None
        try:
            stat = Path(path).stat()
        except (OSError, ValueError):
            return None
        if not Path(path).is_file():
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        asset = self._cache.get(filename)
        if asset is None or asset.stamp != stamp:
            asset = self._read(Path(path), stamp)
            with self._lock:
                self._cache[filename] = asset
        return asset

    @staticmethod
    def _read(path: Path, stamp: tuple[int, int]) -> Asset:
        data = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        small = mimetype.startswith(_COMPRESSIBLE) and len(data) >= 256
        return Asset(stamp, hashlib.sha256(data).hexdigest()[:HASH_LENGTH], mimetype, data,
                     gzip.compress(data, 9, mtime=0) if small else None,
                     brotli.compress(data, quality=11) if small else None)

    def hashed_name(self, filename: str) -> str:
        asset = self.get(filename)
        if asset is None:
            return filename
        stem, dot, extension = filename.rpartition(".")
        if not dot or "/" in extension:
            return f"{filename}.{asset.digest}"
        return f"{stem}.{asset.digest}.{extension}"


def _accepts(encoding: str) -> bool:
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _semicolon, params = part.strip().partition(";")
        if name == encoding:
            return not re.fullmatch(r"\s*q\s*=\s*0(?:\.0*)?\s*", params)
    return False


def serve(assets: Assets, filename: str) -> Response:
    """The static view: the current file; a year's cache when asked by its current hash."""
    asset, immutable = assets.get(filename), False
    if asset is None:
        hashed = _HASHED.match(filename)
        if hashed is None:
            abort(404)
        asset = assets.get(hashed["stem"] + hashed["ext"])
        if asset is None:
            abort(404)
        immutable = hashed["hash"] == asset.digest
    body, encoding = asset.data, None
    if asset.brotli is not None and _accepts("br"):
        body, encoding = asset.brotli, "br"
    elif asset.gzip is not None and _accepts("gzip"):
        body, encoding = asset.gzip, "gzip"
    response = Response(body, mimetype=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if asset.gzip is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(asset.digest + (f"-{encoding}" if encoding else ""))
    if immutable:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
        response.make_conditional(request)
    return response


def init_app(app: Flask, folder: Path) -> None:
    """Serve ``folder`` at /static (the app is made without Flask's own static route)."""
    assets = Assets(folder, watch=app.debug or app.config.get("TEMPLATES_AUTO_RELOAD") is True)
    app.extensions["assets"] = assets
    app.add_url_rule("/static/<path:filename>", endpoint="static",
                     view_func=lambda filename: serve(assets, filename))

    @app.url_defaults
    def _hashed_static_names(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.hashed_name(values["filename"])

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    compress.init_app(app)
