"""The loader reads YAML 1.2 core-schema scalars on purpose, and refuses what is unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from respirocell.loading import discover, format_path, locate_node, parse_record, parse_text
from respirocell.yaml_core import YamlProblem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("countries: [NO, GB]", ["NO", "GB"]),  # Norway is not false
        ("value: 1.0e6", 1_000_000.0),  # YAML 1.1 reads this as a string
        ("value: 1e6", 1_000_000.0),
        ("value: 2.5E+7", 25_000_000.0),
        ("value: 010", 10),  # never octal
        ("value: 0o10", 8),
        ("value: 0x1F", 31),
        ("value: -3", -3),
        ("value: yes", "yes"),
        ("value: off", "off"),
        ("value: True", True),
        ("value: false", False),
        ("value: 2013-05-01", "2013-05-01"),  # dates stay text, like partial dates
        ("value: 2013-05", "2013-05"),
        ("value: ~", None),
        ("value:", None),
        ("value: 1_000", "1_000"),  # 1.1 would read 1000
        ("value: .inf", float("inf")),
        ("value: '12'", "12"),
    ],
)
def test_yaml_12_core_scalars(text: str, expected: object) -> None:
    data = parse_text(text.encode())
    assert next(iter(data.values())) == expected


def test_merge_keys_are_not_expanded() -> None:
    data = parse_text(b"base: &b {x: 1}\nother:\n  <<: *b\n")
    assert data["other"] == {"<<": {"x": 1}}


@pytest.mark.parametrize(
    ("raw", "code", "line"),
    [
        (b"a: 1\na: 2\n", "duplicate-key", 2),
        (b"a:\n  b: 1\n  b: 2\n", "duplicate-key", 3),
        (b"a: !!python/name:os.system x\n", "yaml-tag", 1),
        (b"a: !custom x\n", "yaml-tag", 1),
        (b"a: !!binary aGVsbG8=\n", "yaml-tag", 1),
        (b"a: 1\n---\nb: 2\n", "multiple-documents", 2),
        (b"\xef\xbb\xbf", "empty-file", 1),
        (b"a: [1, 2\n", "yaml-syntax", 1),  # at the unclosed [, not the end of the file
        (b"a: b: c\n", "yaml-syntax", 1),
        (b"a:\n\t- 1\n", "yaml-syntax", 2),
        (b"'just text'\n", "not-a-mapping", 1),
        (b"a: \xff\n", "encoding", 1),
        (b"? [a, b]\n: 1\n", "non-string-key", 1),
    ],
)
def test_file_level_problems(raw: bytes, code: str, line: int) -> None:
    with pytest.raises(YamlProblem) as info:
        parse_text(raw)
    assert (info.value.code, info.value.line) == (code, line)


def test_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(YamlProblem):
        parse_text(f"a: !!python/object/apply:os.system ['touch {marker}']\n".encode())
    assert not marker.exists()


def test_billion_laughs_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i-1}'] * 10)}]" for i in range(1, 9)]  # 10^9 leaves
    with pytest.raises(YamlProblem) as info:
        parse_text("\n".join(lines).encode())
    assert info.value.code == "yaml-too-complex"


def test_small_aliases_are_fine() -> None:
    assert parse_text(b"a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_locate_points_at_values_keys_and_parents(tmp_path: Path) -> None:
    node = parse_record(b"id: x\narms:\n  - id: a\n    dose:\n      unit: cells\n")[1]
    assert locate_node(node, ("arms", 0, "dose", "unit")) == (5, 13)
    assert locate_node(node, ("arms", 0, "dose", "unit"), at_key=True) == (5, 7)
    assert locate_node(node, ("arms", 0, "missing")) == (3, 5)  # nearest existing parent: the arm
    assert locate_node(node, ("arms", 7)) == (3, 3)


def test_discover_skips_hidden_and_non_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a\n")
    (tmp_path / "b.yml").write_text("id: b\n")
    (tmp_path / "c.txt").write_text("")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.yaml").write_text("")
    assert [p.name for p in discover([tmp_path])] == ["a.yaml", "b.yml"]


def test_format_path() -> None:
    assert format_path(("arms", 0, "dose", "unit")) == "arms[0].dose.unit"
    assert format_path(()) == ""


def test_loader_agrees_with_pyyaml_on_plain_records() -> None:
    """Differential check against PyYAML's safe loader (on libyaml, as ours) on every committed
    record, except for the scalar forms where YAML 1.1 and 1.2 disagree on purpose (dates, and
    exponents such as 1.0e6): the resolvers and constructors differ, the parser is the same."""
    repo = Path(__file__).parent.parent
    # (tests/data/base is left out: it holds countries: [US, NO], which YAML 1.1 reads as false.)
    files = sorted((repo / "records").rglob("*.yaml"))
    assert files
    for f in files:
        ours = parse_text(f.read_bytes())
        theirs = yaml.load(f.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        assert _as_yaml_12(theirs) == ours, f


def _as_yaml_12(value: object) -> object:
    """PyYAML's YAML 1.1 result with the documented 1.2 differences applied."""
    import datetime as dt
    import re

    if isinstance(value, dict):
        return {k: _as_yaml_12(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_yaml_12(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+", value):
        return float(value)
    return value


def test_an_integer_too_long_to_convert_is_a_finding_not_a_crash() -> None:
    """Python refuses to convert integers of over 4,300 digits; the record gets a finding at the
    value, with the value cut short in the message."""
    for text, column in [("a: " + "9" * 5000 + "\n", 4), ("a: [" + "9" * 5000 + "]\n", 5)]:
        with pytest.raises(YamlProblem) as caught:
            parse_text(text.encode())
        assert (caught.value.code, caught.value.line, caught.value.column) == ("yaml-syntax", 1, column)
        assert caught.value.message == f"'{'9' * 37}...' is not an integer"
        assert caught.value.suggestion == "write a plain number without a tag, or put the value in quotes if it is text"


@pytest.mark.parametrize(("text", "message"), [("a: !!int abc\n", "'abc' is not an integer"),
                                               ("a: !!float 1.2.3\n", "'1.2.3' is not a number")])
def test_a_tagged_value_that_is_no_number_is_a_finding_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_text(text.encode())
    assert (caught.value.code, caught.value.message, caught.value.line, caught.value.column) == \
        ("yaml-syntax", message, 1, 4)
    assert caught.value.suggestion == "write a plain number without a tag, or put the value in quotes if it is text"
