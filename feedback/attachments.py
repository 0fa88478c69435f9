"""Checking uploaded files by their content, not their name, and re-encoding images so that
no EXIF or location data is kept. No Flask, no session: bytes in, a checked file out."""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# A photo of a letter needs no more; a "decompression bomb" would need far more memory.
MAX_IMAGE_PIXELS = 50_000_000

PDF, JPEG, PNG, DOCX = "application/pdf", "image/jpeg", "image/png", (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}


class RejectedFile(ValueError):
    """A file that is not one of the accepted kinds, is damaged, empty or too large."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "type", "size", "empty", "damaged"


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (PDF, JPEG, PNG, DOCX), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
    return None


def safe_filename(name: str | None, content_type: str) -> str:
    """A name to show and to download under: the visitor's base name without path or odd
    characters, with the extension of what the file really is."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base).rsplit(".", 1)[0] if "." in base else base
    base = re.sub(r"[^\w\- ]+", "", base).strip()[:80] or "tep-dinh-kem"
    return base + EXTENSIONS[content_type]


def _reencode(data: bytes, content_type: str) -> bytes:
    """The image drawn again, upright, without EXIF/XMP/GPS or any other metadata."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise RejectedFile("size")
            image.load()
            upright = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if content_type == JPEG:
                upright.convert("RGB").save(output, "JPEG", quality=88, optimize=True)
            else:
                keep = upright if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else \
                    upright.convert("RGBA")
                keep.save(output, "PNG", optimize=True)
            return output.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise RejectedFile("damaged") from error


def check(filename: str | None, data: bytes, max_bytes: int = MAX_FILE_BYTES) -> CheckedFile:
    """The file, checked and cleaned.

    :raise RejectedFile: with ``reason`` "empty", "size", "type" or "damaged".
    """
    if not data:
        raise RejectedFile("empty")
    if len(data) > max_bytes:
        raise RejectedFile("size")
    content_type = sniff(data)
    if content_type is None:
        raise RejectedFile("type")
    if content_type in (JPEG, PNG):
        data = _reencode(data, content_type)
    return CheckedFile(safe_filename(filename, content_type), content_type, data)
