"""QR codes as PNG and SVG (error correction M), for page URLs and survey links."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Response, current_app, url_for
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for paper: PUBLIC_BASE_URL when set, else the request's own host."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    buffer = io.BytesIO()
    _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


def inline_svg(data: str) -> Markup:
    """The QR code of ``data`` as SVG to put inside a page (no request of its own, and
    nothing of it in a URL or a server log: a TOTP secret's code is shown this way)."""
    text = qr_svg(data).decode()
    return Markup(text[text.index("<svg"):])


def qr_version(data: str) -> int:
    return _code(data).version


QR_FORMATS = {"png": (qr_png, "image/png"), "svg": (qr_svg, "image/svg+xml")}


def qr_response(data: str, image_format: str, *, filename: str | None = None,
                disposition: str = "inline") -> Response:
    """The QR code of ``data`` as a PNG or SVG response (``image_format`` 'png' or 'svg')."""
    make_image, mimetype = QR_FORMATS[image_format]
    headers = {}
    if filename:
        headers["Content-Disposition"] = f'{disposition}; filename="{filename}.{image_format}"'
    return Response(make_image(data), mimetype=mimetype, headers=headers)
