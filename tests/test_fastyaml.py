"""The fast reader (``respirocell.fastyaml``) reads exactly what libyaml reads, or declines.

``fastyaml.read`` parses the plain part of YAML that records use and returns ``None`` for
anything else, so the reference loader decides. Whatever it accepts must give the reference
loader's data (types included) and, for every path, the line and column libyaml's nodes give.
Held to that on every YAML file in the repository, on the hostile inputs of
test_loading_equivalence, on every short scalar, and on thousands of mutated records; the
mutations also prove that it declines often enough for the comparison to mean something.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_loading_equivalence import INPUTS, REPO, _corpus_files, _paths, _random_document, _scalars, _typed

from respirocell import fastyaml, loading
from respirocell.loading import YamlProblem, locate_node, parse_record, parse_text
from respirocell.validation import validate_paths


def _reference(text: str) -> tuple[object, ...]:
    """What the reference loader (libyaml, full constructor, no fast paths) makes of ``text``."""
    try:
        return ("data", _typed(parse_text(text.encode("utf-8", "surrogatepass"), fast=False)))
    except YamlProblem as problem:
        return ("problem", problem.code)


def check(text: str) -> bool:
    """Compare the fast reader with the reference on ``text``; True if it accepted it."""
    result = fastyaml.read(text.removeprefix("\ufeff"))
    if result is None:
        return False
    data, spots = result
    assert ("data", _typed(data)) == _reference(text), text
    nodes = yaml.compose(text.removeprefix("\ufeff"), Loader=loading._NodeLoader)
    for path in _paths(data):
        for at_key in (False, True):
            assert fastyaml.locate(spots, path, at_key) == locate_node(nodes, path, at_key), (text, path, at_key)
    return True


def _decoded(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize(("name", "raw"), INPUTS, ids=[name for name, _ in INPUTS])
def test_agrees_with_libyaml_on_every_file_and_hostile_input(name: str, raw: bytes) -> None:
    text = _decoded(raw)
    if text is not None and len(raw) <= loading.MAX_FILE_BYTES:
        check(text)


def test_reads_every_committed_record() -> None:
    """The fast path is the one records take (``respirocell fmt`` writes only what it reads)."""
    records = sorted((REPO / "records").glob("*/*.yaml"))
    assert len(records) >= 90
    declined = [str(p) for p in records if not check(p.read_text(encoding="utf-8"))]
    assert declined == []


def test_parse_record_uses_it_and_keeps_its_positions() -> None:
    path = REPO / "records/studies/aether-phase-1.yaml"
    data, spots = parse_record(path.read_bytes())
    assert isinstance(spots, tuple)  # fastyaml's spots, not a libyaml node tree
    assert data == parse_text(path.read_bytes(), fast=False)


def test_every_short_scalar() -> None:
    for scalar in _scalars():
        for text in (f"v: {scalar}\n", f"v: [{scalar}]\n", f"{scalar}: v\n", f"v:\n  - {scalar}\n",
                     f"v: '{scalar}'\n", f"v: \"{scalar}\"\n", f"v: [a, {scalar}, b]\n"):
            check(text)


def test_random_documents() -> None:
    rng = random.Random(20261125)
    accepted = sum(check(_random_document(rng)) for _ in range(3000))
    assert accepted > 300


# What the reader takes and what it leaves to libyaml, each case checked against libyaml.
ACCEPTED = [
    "a: 1\n", "a: x\nb:\n  c: d\n", "a:\n- 1\n- 2\nb: c\n", "a:\n  - x: 1\n    y: 2\n  - z\n",
    "a: >-\n  folded\n  text\nb: 1\n", "a: |\n  literal\n  text\n", "a: >\n  clipped\n", "a: |-\n  x\n\n\nb: 1\n",
    "a: >\n  at the end", "a: [x, y, 1.5, -2, true, ~]\n", "a: []\n", "a: [ ]\n", "a: 'it''s'\n", 'a: "q"  # c\n',
    "a: x # comment\n", "# head\na: 1 # tail\n  # indented comment\nb: 2\n", "a:\n\n  b: 1\n", "a:   \nb:\n",
    "a: -1.5e3\nb: +1\nc: .inf\nd: 0x1F\ne: 0o17\nf: 010\ng: 1_000\n", "a: NO\nb: yes\nc: 2013-05-01\n",
    "a: C# and F#\nb: x:y\nc: http://x.org/a#b\n", "a: \u00b5g \u00d7 10^6 \U0001f600\n", "a: x  y  \n",
    "a_b: 1\nc2: 2\n", "a:\n  -   spaced: 1\n      next: 2\n", "a: [O'Brien, x\"y]\n",
]
DECLINED = [
    "a: 1\na: 2\n", "true: 1\n", "a: !!str 1\n", "a: &x 1\nb: *x\n", "a: {b: 1}\n", "a: 'multi\n  line'\n",
    "a: plain\n  continued\n", 'a: "esc\\n"\n', "a:\tb\n", "a: 1\r\nb: 2\r\n", "---\na: 1\n", "a: >+\n  x\n",
    "a: |2\n   x\n", "a: >\n  x\n\n  y\n", "a: >\n  x\n    y\n", "a: - x\n", "a: b: c\n", "a: x:\n", "a: [a, [b]]\n",
    "a: [a,]\n", "a: [\n  x]\n", "  a: 1\n", "- a\n", "a:\n- - x\n", "a:\n  -\n    b: 1\n", "A: 1\n", "'a': 1\n",
    "a b: 1\n", "a : 1\n", "a: 1\n b: 2\n", "a: \u00a0x\n", "a: x\u2028y\n", "a: \ufeffx\n", "%YAML 1.2\n---\na: 1\n",
    "a: 1\n...\n", "a: # c\n  - x\n  y\n", "a: ? x\n", "a: @x\n", "a: |\n x\nb: >-\n", "a: x #c\n  y\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepts_the_plain_part(text: str) -> None:
    assert check(text), text


@pytest.mark.parametrize("text", DECLINED)
def test_declines_the_rest(text: str) -> None:
    assert not check(text), text


# -- mutations -----------------------------------------------------------------------------

_CHARS = [*" -:#'\"[]{},&*!|>%@`?~.0eE\t\\", "- ", ": ", " #", "  ", "\n", "\n  ", "\n- ", "true", "null"]


_VALUES = ["1e3", "-x", "~", "a: b", "x #y", "x:", "[a, b]", ">-", "|", "[]", "'q'", '"d"', "- x", "&a x"]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    line = lines[i]
    roll = rng.randrange(9)
    if roll == 0:  # insert characters
        at = rng.randint(0, len(line))
        lines[i] = line[:at] + rng.choice(_CHARS) + line[at:]
    elif roll == 1 and line:  # delete a character
        at = rng.randrange(len(line))
        lines[i] = line[:at] + line[at + 1:]
    elif roll == 2:  # re-indent
        lines[i] = " " * rng.randint(0, 8) + line.lstrip(" ")
    elif roll == 3:  # duplicate
        lines.insert(i, line)
    elif roll == 4 and i + 1 < len(lines):  # swap with the next line
        lines[i], lines[i + 1] = lines[i + 1], line
    elif roll == 5:  # blank or comment line
        lines.insert(i, rng.choice(["", "   ", "#", "  # note", " " * rng.randint(0, 8)]))
    elif roll == 6 and i + 1 < len(lines):  # join with the next line
        lines[i:i + 2] = [line + rng.choice(["", " "]) + lines[i + 1].lstrip(" ")]
    elif roll == 7:  # a tricky value
        head = line.split(": ", 1)[0] if ": " in line else line.rstrip(":")
        lines[i] = f"{head}: {rng.choice(_VALUES)}"
    else:  # trailing spaces, or cut the file short
        if rng.random() < 0.5:
            lines[i] = line + " " * rng.randint(1, 3)
        else:
            del lines[i:]
    return "\n".join(lines)


def _mutants() -> Iterator[str]:
    rng = random.Random(1125)
    texts = [_decoded(p.read_bytes()) for p in _corpus_files()]
    sources = [t for t in texts if t is not None and fastyaml.read(t) is not None]
    for _ in range(4000):
        text = rng.choice(sources)
        for _ in range(rng.choice([1, 1, 2, 3])):
            text = _mutate(text, rng)
        yield text


def test_mutated_records() -> None:
    results = [check(text) for text in _mutants()]
    accepted = sum(results)
    # Both outcomes are common, so the comparisons above were made on many accepted texts
    # and the reader is not simply declining everything unusual-looking (nor accepting it).
    assert accepted > len(results) * 0.3, accepted
    assert len(results) - accepted > len(results) * 0.2, accepted


def test_random_short_values() -> None:
    """Values made of the characters that steer YAML's scanner, one to fourteen of them."""
    rng = random.Random(2511)
    alphabet = [*"ab:- #'\"[],{}>|~01.eE!&*?%@`\n", "  ", "\n  ", "\n- ", ": ", "a: ", "\n    ", "true", "- a: "]
    accepted = 0
    for _ in range(20000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        accepted += check("a: " + value + rng.choice(["", "\n", "\nb: 1\n"]))
    assert accepted > 1000


def test_reports_are_the_same_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: validating the real records and 300 mutated copies gives the same findings,
    positions included, whether or not the fast reader is used."""
    records = tmp_path / "records"
    shutil.copytree(REPO / "records", records)
    rng = random.Random(77)
    sources = sorted((REPO / "records" / "studies").glob("*.yaml"))
    for k in range(300):
        source = rng.choice(sources)
        text = source.read_text(encoding="utf-8")
        for _ in range(rng.choice([1, 2, 3])):
            text = _mutate(text, rng)
        (records / "studies" / f"{source.stem}-mutant-{k}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with_it = validate_paths(["records"], jobs=1)
    monkeypatch.setattr(fastyaml, "read", lambda text: None)
    loading._compose_cached.cache_clear()
    without_it = validate_paths(["records"], jobs=1)
    assert with_it.errors and with_it.issues == without_it.issues
