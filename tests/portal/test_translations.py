"""Every string in the code is in both catalogues, and the Vietnamese one is complete."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def catalogue(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def test_every_extracted_string_is_in_both_catalogues(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F",
                    "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    with open(pot, "rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    assert len(extracted) > 200
    for language in ("vi", "en"):
        present = {message.id for message in catalogue(language) if message.id}
        missing = extracted - present
        assert not missing, f"{language}: run `make update-messages` and translate {missing}"


def test_the_vietnamese_catalogue_is_complete_and_keeps_placeholders():
    import re

    for message in catalogue("vi"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        assert "fuzzy" not in message.flags, f"fuzzy: {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", string)) <= wanted | set(
                re.findall(r"%\(\w+\)[sd]", ids[0])), message.id


def test_both_catalogues_compile_without_an_error():
    """What `pybabel compile` checks (`make setup` stops on it): a text that looks like a
    format to Python ("95 % interval" reads as "% i") must match its translation."""
    for language in ("vi", "en"):
        errors = [(message.id, [str(error) for error in found])
                  for message, found in catalogue(language).check()]
        assert errors == [], language
