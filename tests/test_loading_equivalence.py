"""The fast parse path gives exactly what the reference loader gives.

``parse_text`` runs libyaml (PyYAML's C parser) and builds the data with ``loading._build``,
falling back to the full ``_SafeConstructor`` for anything unusual. The references are the
same constructor on PyYAML's pure-Python parser (``PyRecordLoader``, which the C parser must
agree with) and on libyaml itself (``fast=False``). Compared on every record and test file in
the repository, on hostile inputs, on every short scalar over the characters that decide YAML
1.1/1.2 typing, and on random documents.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from respirocell import loading
from respirocell.loading import PyRecordLoader, YamlProblem, locate, locate_node, parse_record, parse_text

REPO = Path(__file__).parent.parent

HOSTILE = [
    # YAML 1.1 vs 1.2 scalars, plain and quoted
    "countries: [NO, GB, no, n, N, y, Y, yes, Yes, YES, on, On, ON, off, Off, OFF]\n",
    "a: 1.0e6\nb: 1e6\nc: 2.5E+7\nd: 1E-3\ne: .5e3\nf: 6.8523015e+5\ng: 685.230_15e+03\n",
    "a: 010\nb: 0o10\nc: 0x1F\nd: 0x1f\ne: 0b101\nf: 0o9\ng: 0xZZ\nh: 08\ni: 0\nj: -0\nk: +0\nl: 00\n",
    "a: 1_000\nb: 1,000\nc: 190:20:30\nd: 12:30\ne: -1:30\nf: 0.1_0\n",
    "a: 2013-05-01\nb: 2013-05\nc: 2013\nd: 2001-12-14t21:59:43.10-05:00\ne: 2002-12-14\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne: nULL\nf:\ng: ''\nh: \"\"\ni: 'null'\n",
    "a: true\nb: True\nc: TRUE\nd: tRUE\ne: false\nf: False\ng: FALSE\nh: 'true'\n",
    "a: .inf\nb: -.inf\nc: +.inf\nd: .Inf\ne: .INF\nf: .nan\ng: .NaN\nh: .NAN\ni: inf\nj: nan\nk: -.Inf\n",
    "a: 12345678901234567890123\nb: 1e400\nc: -1e400\nd: 0.0000001\ne: 1.\nf: .5\ng: -.5\nh: +1\ni: '+1'\n",
    "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!bool yes\ne: !!null x\nf: !!str\n",
    "a: !!int 0xZZ\n", "a: !!int abc\n", "a: !!float abc\n", "a: !!float -1.inf\n", "a: !!int 0o9\n",
    "a: !!seq {b: 1}\n", "a: !!map [1]\n", "a: !!str [1]\n", "!!map {a: 1}\n", "? !!str [a]\n: 1\n",
    "a: !custom x\n", "a: !!binary aGVsbG8=\n", "a: !!python/name:os.system x\n", "a: !!timestamp 2001-01-01\n",
    "a: !!set {x}\n", "a: !!omap [{x: 1}]\n", "a: ! x\n", "a: !<tag:yaml.org,2002:str> 1\n",
    "a: !!python/object/apply:os.system ['true']\n",
    # keys
    "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\n", "1: a\n", "true: a\n", "null: a\n", "~: a\n", "1.5: a\n", "'1': a\n",
    "? [a, b]\n: 1\n", "? {a: 1}\n: 2\n", "{a: 1, a: 2}\n", "[a, b]: 1\n", ": a\n", "? a\n", "a: 1\n'a': 2\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n", "<<: {x: 1}\n", "a: {<<: [1]}\n",
    # anchors and aliases
    "a: &x [1, 2]\nb: *x\n", "a: &x 1\nb: *x\nc: *x\n", "a: &x {k: v}\nb: [*x, *x]\n", "&a [*a]\n",
    "a: &a [*a]\n", "a: &a {b: *a}\n", "a: *undefined\n", "a: &x 1\n&x b: 2\n", "&k a: &v b\n*k : c\n",
    "label: 1*10^6 MSC / kg\nother: '*'\nthird: a*b\n", "a: & x\n", "a: [&x 1, *x]\n",
    "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
              + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]),
    # documents, directives, encodings, emptiness
    "a: 1\n---\nb: 2\n", "---\na: 1\n", "---\na: 1\n...\n", "%YAML 1.2\n---\na: 1\n", "%YAML 1.1\n---\na: 1\n",
    "%TAG ! tag:example.com,2000:\n---\na: !x 1\n", "", "\n\n", "# only a comment\n", "---\n", "...\n",
    "\ufeffa: 1\n", "'just text'\n", "- 1\n- 2\n", "42\n", "null\n", "~\n", "[]\n", "{}\n",
    # syntax
    "a: [1, 2\n", "a: b: c\n", "a:\n\t- 1\n", "a:\tb\n", "a: 'unclosed\n", 'a: "unclosed\n', "a: [}\n",
    "a:\n  - 1\n - 2\n", "a: 1\n b: 2\n", "a: |\n  x\n y\n", "a: x # c\n  y\n", "- a\nb: c\n", "a: @x\n",
    "a: `x\n", "a: %x\n", "a: ,x\n", "a: [a, b]]\n", "a: {b: c}}\n", "a: \x07\n", "a: \x00\n",
    "a: x\u2028y\n", "a: x\x85y\n", "a: x\u2029y\n", "a: \ud7ff\n", "a: \U0001f600\n", "a: \ufffe\n",
    "[" * 200 + "]" * 200 + "\n", "a: " + "[" * 5000 + "\n",
    "a: " + "9" * 5000 + "\n", "a: [" + "9" * 5000 + "]\n", "9" * 5000 + ": a\n", "a: -" + "9" * 5000 + "\n",
    "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)),
    # strings that stay strings
    'a: "a\\/b"\nb: "\\x41\\u00e9\\U0001F600"\nc: "tab\\there"\nd: "\\N\\_\\L\\P"\ne: "\\e\\0\\a"\n',
    "a: 'it''s'\nb: \"say \\\"hi\\\"\"\nc: '#not a comment'\nd: x#y\ne: 'a: b'\n",
    "a: |\n  line 1\n\n  line 2\n\n\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  keep\n\n\nd: >2\n   indented\n",
    "a: plain\n  multi line\n  scalar\nb: 'single\n  multi'\nc: \"double\n  multi \\\n  escaped\"\n",
    "a: [x, 'y', \"z\", 1, 1.0, true, ~, -]\nb: {k: v, 'q': \"w\"}\nc: [[1, [2]], {x: [3]}]\n",
    "a: -\nb: - x\nc: ? x\nd: :x\ne: x:\nf: 'x:'\n", "- - - x\n", "a:\n- b\n- c\n", "a: [ ]\nb: { }\n",
]


def outcome(raw: bytes, **kwargs: object) -> tuple[object, ...]:
    try:
        return ("data", _typed(parse_text(raw, **kwargs)))  # type: ignore[arg-type]
    except YamlProblem as p:
        return ("problem", p.code, p.message, p.line, p.column, p.suggestion)
    except Exception as exc:  # a crash must be the same crash
        return ("crash", type(exc).__name__, str(exc))


def _typed(value: object) -> object:
    """The value with every type spelled out (1 == 1.0 == True in Python) and NaN comparable."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


def _corpus_files() -> list[Path]:
    return sorted(p for p in REPO.glob("*/**/*.y*ml")
                  if p.suffix in (".yaml", ".yml") and ".venv" not in p.parts and "node_modules" not in p.parts)


def _scalars() -> Iterator[str]:
    """Every string of up to three characters over the characters that decide implicit types,
    and the words that do."""
    alphabet = "0189+-._:eExob~"
    yield ""
    for a in alphabet:
        yield a
        for b in alphabet:
            yield a + b
            for c in alphabet:
                yield a + b + c
    for word in ("true", "false", "null", "inf", "nan", "yes", "no", "on", "off", "y", "n"):
        yield from (word, word.upper(), word.title(), "." + word, "-." + word, "+." + word, word + "1")


def _random_document(rng: random.Random, depth: int = 0) -> str:
    """A small random record-like document: block and flow collections, plain and quoted
    scalars, anchors and aliases, the odd tag."""
    scalars = ["x", "1", "1.5", "1e3", "010", "0x1F", "true", "No", "~", "", "'q'", '"d\\n"', "2013-05-01",
               "a b", "!!str 1", "&a v", "*a", "-1", ".inf", "|\n    block", ">-\n    fold\n    ed"]
    lines = []
    for i in range(rng.randint(1, 4)):
        key = rng.choice(["k", "id", "1", "'k'", "k k", f"k{i}", "k"])
        roll = rng.random()
        if roll < 0.5 or depth > 2:
            lines.append(f"{key}: {rng.choice(scalars)}")
        elif roll < 0.7:
            choices = ["x", "1", "'y'", "~", "[1]", "{a: b}", "*a"]
            items = ", ".join(rng.choice(choices) for _ in range(rng.randint(0, 3)))
            lines.append(f"{key}: [{items}]")
        elif roll < 0.85:
            lines.append(f"{key}:")
            lines.extend("  - " + rng.choice(scalars).replace("\n", "\n  ") for _ in range(rng.randint(1, 3)))
        else:
            nested = _random_document(rng, depth + 1)
            lines.append(f"{key}:" + (" &a" if rng.random() < 0.2 else ""))
            lines.extend("  " + ln for ln in nested.splitlines())
    return "\n".join(lines) + "\n"


def _inputs() -> list[tuple[str, bytes]]:
    cases = [(str(p.relative_to(REPO)), p.read_bytes()) for p in _corpus_files()]
    cases += [(f"hostile {i}", text.encode("utf-8", "surrogatepass")) for i, text in enumerate(HOSTILE)]
    cases += [(f"bytes {i}", raw) for i, raw in enumerate([b"a: \xff\n", b"\xef\xbb\xbf", b"a: 1\r\nb: 2\r\n",
                                                             b"a: 1\rb: 2\r", b"x" * 1_000_001])]
    return cases


INPUTS = _inputs()


def test_the_inputs_cover_what_matters() -> None:
    names = {name.split("/")[0] for name, _ in INPUTS}
    assert {"records", "tests"} <= names
    assert sum(1 for name, _ in INPUTS if name.startswith("records/")) >= 50


@pytest.mark.parametrize(("name", "raw"), INPUTS, ids=[name for name, _ in INPUTS])
def test_fast_build_matches_the_constructor(name: str, raw: bytes) -> None:
    """Same parser (libyaml), fast builder vs the full constructor: identical in everything,
    data or problem, wording and position included."""
    assert outcome(raw) == outcome(raw, fast=False)


def assert_parsers_agree(raw: bytes) -> None:
    """libyaml (what respirocell uses) vs PyYAML's own parser, both with the safe 1.2
    constructor: the same data, or the same problem code at the same line. libyaml words some
    syntax errors differently, and differs on purpose-free corners of the syntax, each listed:
    - it takes a tab as the space after "key:" (YAML allows it; PyYAML's scanner does not);
    - in a flow collection it refuses a plain scalar followed by ':' ("[a:]"), which PyYAML
      reads as a one-pair mapping: a syntax finding instead of data or of non-string-key."""
    ours, reference = outcome(raw), outcome(raw, loader_class=PyRecordLoader, fast=False)
    if ours[:2] == reference[:2] and (ours[0] == "data" or ours[3] == reference[3]):
        return
    if b"\t" in raw and ours[0] == "data" and reference[:2] == ("problem", "yaml-syntax"):
        return
    if ours[:2] == ("problem", "yaml-syntax") and "found unexpected ':'" in str(ours[2]) and b"[" in raw:
        return
    raise AssertionError((raw, ours, reference))


@pytest.mark.parametrize(("name", "raw"), INPUTS, ids=[name for name, _ in INPUTS])
def test_libyaml_matches_the_pure_python_parser(name: str, raw: bytes) -> None:
    assert_parsers_agree(raw)


def test_every_short_scalar_resolves_alike() -> None:
    """About 3,500 scalars, each as a value, in a flow list, as a key and in a block list."""
    for scalar in _scalars():
        for text in (f"v: {scalar}\n", f"v: [{scalar}]\n", f"{scalar}: v\n", f"v:\n  - {scalar}\n"):
            raw = text.encode()
            assert outcome(raw) == outcome(raw, fast=False), text
            assert_parsers_agree(raw)


def test_random_documents_parse_alike() -> None:
    rng = random.Random(20261124)
    for _ in range(3000):
        raw = _random_document(rng).encode()
        assert outcome(raw) == outcome(raw, fast=False), raw
        assert_parsers_agree(raw)


def test_records_parse_identically_with_either_parser() -> None:
    """No record relies on the corners above: every committed file gives the same data."""
    for path in _corpus_files():
        raw = path.read_bytes()
        ours, reference = outcome(raw), outcome(raw, loader_class=PyRecordLoader, fast=False)
        assert ours[0] != "data" or ours == reference, path


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
            yield (*prefix, k, "missing")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))
        yield (*prefix, len(value))


@pytest.mark.parametrize("path", _corpus_files()[::3], ids=lambda p: str(p.relative_to(REPO)))
def test_positions_from_kept_nodes_match_a_fresh_read(path: Path) -> None:
    """``load_file(keep_nodes=True)`` answers ``locate`` from the nodes it parsed; a fresh read
    of the file (``locate``) must give the same line and column for every path."""
    try:
        data, nodes = parse_record(path.read_bytes())
    except YamlProblem:
        return
    assert nodes is not None
    for p in _paths(data):
        for at_key in (False, True):
            assert locate_node(nodes, p, at_key) == locate(path, p, at_key), p


def test_the_c_parser_is_the_one_in_use() -> None:
    # yaml.CParser does not exist (PyYAML exports only the C loaders); the fast path needs libyaml.
    import yaml

    assert yaml.__with_libyaml__
    assert loading.RecordLoader.__mro__[1].__module__ == "yaml._yaml"
