"""Recall and precision of the de-identification pass (portal/redact.py) on labelled corpora
of realistic sentences written for the project (tests/unit/data/deidentification_*.txt):
``{{kind:text}}`` marks each span of personal data, everything else must be kept. Each corpus
was written by someone who had not read the masker; docs/de-identification.md says which were
measured before the masker was tuned on them.

A span counts as caught when every character that identifies someone is masked: for a name or
an email, every letter and digit; for the other kinds, the digits and the capitalised words (the
lowercase words around a house number, such as "đường" or "hẻm", identify no one). A mask
counts as right when it overlaps a labelled span.
``python -m tests.unit.redact_corpus [FILE…]`` prints the table recorded in
docs/de-identification.md and every miss.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portal import redact

DATA = Path(__file__).parent / "data"
CORPORA = (DATA / "deidentification_corpus.txt", DATA / "deidentification_heldout.txt",
           DATA / "deidentification_fresh.txt", DATA / "deidentification_final.txt",
           DATA / "deidentification_unseen.txt", DATA / "deidentification_sixth.txt")
_SPAN = re.compile(r"\{\{(\w+):(.*?)\}\}")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


@dataclass
class Score:
    spans: Counter = field(default_factory=Counter)
    caught: Counter = field(default_factory=Counter)
    masks: int = 0
    right_masks: int = 0
    misses: list = field(default_factory=list)
    wrong: list = field(default_factory=list)
    lines: int = 0

    @property
    def recall(self) -> float:
        return sum(self.caught.values()) / sum(self.spans.values())

    @property
    def precision(self) -> float:
        return self.right_masks / self.masks


def load(*paths: Path) -> list[tuple[str, list[Span]]]:
    """(plain text, labelled spans) per line of the corpora (all of them by default)."""
    examples = []
    lines = [line for path in (paths or CORPORA)
             for line in path.read_text(encoding="utf-8").splitlines()]
    for raw in lines:
        if not raw.strip() or raw.startswith("#"):
            continue
        text, spans, position = [], [], 0
        length = 0
        for match in _SPAN.finditer(raw):
            before = raw[position:match.start()]
            text.append(before)
            length += len(before)
            kind, value = match.group(1), match.group(2)
            spans.append(Span(kind, length, length + len(value)))
            text.append(value)
            length += len(value)
            position = match.end()
        text.append(raw[position:])
        examples.append(("".join(text), spans))
    return examples


def identifying(text: str, span: Span) -> list[int]:
    """The positions in ``span`` that must be masked for it to count as caught."""
    if span.kind in (redact.NAME, redact.EMAIL):
        return [i for i in range(span.start, span.end) if text[i].isalnum()]
    positions = []
    for token in re.finditer(r"[^\s,;:()]+", text[span.start:span.end]):
        word = token.group(0)
        if any(c.isdigit() for c in word) or word[0].isupper() or "@" in word:
            positions += [span.start + token.start() + i for i, c in enumerate(word)
                          if c.isalnum()]
    return positions


def score(examples=None) -> Score:
    result = Score()
    for text, spans in examples if examples is not None else load():
        result.lines += 1
        masks = redact.find(text)
        masked = set()
        for mask in masks:
            masked.update(range(mask.start, mask.end))
            result.masks += 1
            if any(mask.start < span.end and span.start < mask.end for span in spans):
                result.right_masks += 1
            else:
                result.wrong.append((mask.original, text))
        for span in spans:
            result.spans[span.kind] += 1
            if all(i in masked for i in identifying(text, span)):
                result.caught[span.kind] += 1
            else:
                result.misses.append((span.kind, text[span.start:span.end], text))
    return result


def report(result: Score) -> str:
    lines = [f"Corpus: {result.lines} sentences, {sum(result.spans.values())} labelled spans.",
             "", "| kind | spans | caught | recall |", "|---|---:|---:|---:|"]
    for kind in sorted(result.spans, key=lambda k: -result.spans[k]):
        lines.append(f"| {kind} | {result.spans[kind]} | {result.caught[kind]} | "
                     f"{result.caught[kind] / result.spans[kind]:.1%} |")
    lines += ["", f"Recall {result.recall:.2%}; precision {result.precision:.2%} "
                  f"({result.right_masks} of {result.masks} masks on personal data)."]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    outcome = score(load(*(Path(name) for name in sys.argv[1:])))
    print(report(outcome))
    print("\nMissed:")
    for kind, value, text in outcome.misses:
        print(f"  {kind}: {value!r} in {text!r}")
    print("\nMasked but not personal:")
    for value, text in outcome.wrong:
        print(f"  {value!r} in {text!r}")
