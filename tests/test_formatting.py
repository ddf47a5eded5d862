"""`respirocell fmt`: one canonical layout that keeps comments and never changes what a record says."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from respirocell import formatting
from respirocell.cli import cli
from respirocell.formatting import FormatError, format_file, format_text, same_data
from respirocell.fsio import write_atomic
from respirocell.loading import discover, parse_text
from respirocell.schema import slots
from respirocell.yaml_core import YamlProblem

RECORDS = Path(__file__).resolve().parent.parent / "records"

#: A condition written every way a curator might: keys out of order, flow mappings, needless quotes,
#: YAML 1.1 traps, block lists, comments everywhere, trailing spaces, CRLF and a missing final newline.
MESSY = (
    "# Header comment for the file.\r\n"
    "\r\n"
    "# The category (travels with it)\r\n"
    "category: obstructive   # aligned end-of-line comment\r\n"
    "id: test-condition-copd\r\n"
    "term: {label: chronic obstructive pulmonary disease, id: 'MONDO:0005002'}\r\n"
    "synonyms:\r\n"
    "    - COPD\r\n"
    "    - NO  \r\n"
    "name: 'Chronic obstructive pulmonary disease'\r\n"
    "notes: >-\r\n"
    "  A note folded by hand\r\n"
    "  over two lines.\r\n"
    "curation:\r\n"
    "  sources:\r\n"
    "  - fields: [name, term, synonyms, category]\r\n"
    "    source: MONDO:0005002 # the term\r\n"
    "  created: 2026-11-24\r\n"
    "  curators:\r\n"
    "  - name: yes\r\n"
    "# trailing comment"
)

CANONICAL = """\
# Header comment for the file.

id: test-condition-copd
name: Chronic obstructive pulmonary disease
term:
  id: MONDO:0005002
  label: chronic obstructive pulmonary disease
synonyms: [COPD, "NO"]
# The category (travels with it)
category: obstructive   # aligned end-of-line comment
notes: A note folded by hand over two lines.
curation:
  curators:
    - name: "yes"
  created: 2026-11-24
  sources:
    - source: MONDO:0005002  # the term
      fields: [name, term, synonyms, category]
# trailing comment
"""


def typed(value: Any) -> Any:
    """``value`` with the type of every scalar made explicit, so that 1, 1.0 and True differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def fmt(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fmt", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the committed records in a scratch checkout (fmt must never touch the real ones)."""
    shutil.copytree(RECORDS, tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "records"


def test_messy_record_gets_the_canonical_form() -> None:
    out = format_text(MESSY.encode(), "Condition").decode()
    assert out == CANONICAL
    assert typed(parse_text(out.encode())) == typed(parse_text(MESSY.encode()))


def test_canonical_form_is_a_fixed_point() -> None:
    assert format_text(CANONICAL.encode(), "Condition").decode() == CANONICAL


def test_keys_follow_the_schema_at_every_level() -> None:
    raw = b"""\
outcomes:
  - result: {summary: S, direction: descriptive}
    role: primary
    name: N
arms:
  - role: experimental
    label: L
    dose: {unit: cells, value: 1.0e6}
    id: a
status: completed
id: test-study-x
curation: {sources: [{fields: [status], source: NCT01234567}], created: 2026-11-24, curators: [{name: C}]}
title: T
"""
    out = parse_text(format_text(raw, "Study"))
    assert list(out) == [k for k in slots("Study") if k in out]
    assert next(iter(out)) == "id" and list(out)[-1] == "curation"
    assert list(out["arms"][0]) == ["id", "label", "role", "dose"]
    assert list(out["arms"][0]["dose"]) == ["value", "unit"]
    assert list(out["outcomes"][0]) == ["name", "role", "result"]
    assert list(out["outcomes"][0]["result"]) == ["direction", "summary"]
    assert list(out["curation"]) == ["curators", "created", "sources"]
    assert list(out["curation"]["sources"][0]) == ["source", "fields"]


def test_unknown_keys_stay_after_the_known_ones_in_their_order() -> None:
    out = format_text(b"zeta: 1\nname: Asthma\nalpha: 2\nid: test-x\n", "Condition").decode()
    assert out == "id: test-x\nname: Asthma\nzeta: 1\nalpha: 2\n"


def test_file_outside_a_kind_folder_keeps_its_key_order() -> None:
    assert format_text(b"b: 1\na:   [x,   z]\n", None) == b"b: 1\na: [x, z]\n"


def test_comments_move_with_their_keys_and_list_items() -> None:
    raw = b"""\
id: test-study-x
arms:
  # about the placebo arm's label
  - label: Placebo   # as the source names it
    # the id
    id: placebo
    role: placebo_comparator
conditions:
  - copd  # the main one
  - asthma
title: T
"""
    out = format_text(raw, "Study").decode()
    assert out == """\
id: test-study-x
title: T
conditions:
  - copd  # the main one
  - asthma
arms:
  # the id
  - id: placebo
    # about the placebo arm's label
    label: Placebo   # as the source names it
    role: placebo_comparator
"""


def test_yaml_11_traps_are_quoted_and_numbers_dates_kept() -> None:
    raw = (b"id: test-x\ncountries: [NO, 'ON', 'y', 'n']\npmid: '23172343'\nstart_date: 2013-05-01\n"
           b"end: '2014-02'\nvalue: 10.0e6\nother: 1e6\nflag: off\nbig: '1_000'\nempty: ''\ntilde: '~'\n")
    out = format_text(raw, None).decode()
    assert out == ('id: test-x\ncountries: ["NO", "ON", "y", "n"]\npmid: "23172343"\nstart_date: 2013-05-01\n'
                   'end: 2014-02\nvalue: 10.0e6\nother: 1e6\nflag: "off"\nbig: "1_000"\nempty: ""\ntilde: "~"\n')


def test_a_tagged_scalar_keeps_its_value_not_its_tag() -> None:
    """Numbers keep their written form (the libyaml node's text) only when it reads back as the
    same value; a tag the data does not need is dropped, a needed one becomes quotes."""
    assert format_text(b"a: !!float 1\nb: !!str 12\nc: 2.50\n", None) == b'a: 1.0\nb: "12"\nc: 2.50\n'


def test_a_folded_block_keeps_its_authors_line_breaks_while_they_fit() -> None:
    first, second = "The first line is short.", "The second one is not: " + "it goes on " * 5 + "to the end."
    raw = f"id: test-x\nnotes: >-\n  {first}\n  {second}\n".encode()
    assert format_text(raw, None) == raw  # a wrap at the width would have broken elsewhere
    paragraphs = f"id: test-x\nnotes: >-\n  {first}\n  {second}\n\n  {second}\n  {first}\n".encode()
    assert format_text(paragraphs, None) == paragraphs
    wider = raw.replace(b"to the end.", b"and on " * 3 + b"past the width.")  # now one line does not fit
    out = format_text(wider, None)
    assert out.decode().splitlines()[2] != f"  {first}"  # so it is wrapped afresh, within the width
    assert all(len(line) <= formatting.WIDTH for line in out.decode().splitlines())
    assert parse_text(out) == parse_text(wider)


def test_long_text_is_folded_within_the_width() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    raw = f"id: test-x\nnotes: {words}\ntitle: 'Short: title'\n".encode()
    out = format_text(raw, None).decode()
    lines = out.splitlines()
    assert lines[1] == "notes: >-" and lines[-1] == 'title: "Short: title"'
    assert all(len(line) <= formatting.WIDTH for line in lines)
    assert parse_text(out.encode())["notes"] == words


def test_long_flow_list_becomes_one_item_a_line() -> None:
    fields = [f"field_number_{i}" for i in range(12)]
    raw = f"id: test-x\nfields: [{', '.join(fields)}]\nshort: [a, b]\n".encode()
    out = format_text(raw, None).decode()
    assert out == "id: test-x\nfields:\n" + "".join(f"  - {f}\n" for f in fields) + "short: [a, b]\n"


def test_block_text_whitespace_is_data() -> None:
    raw = b"id: test-x\nnotes: |\n  line one\n    indented # not a comment\n\n  last\n"
    assert format_text(raw, None) == raw


def test_messed_up_committed_records_format_back_without_changing_their_data(corpus: Path) -> None:
    """A sample of real records with their keys reversed and their lists flowed: fmt puts them
    back in canonical form with the same data and comments (the committed corpus itself is
    checked to be canonical by tests/test_records.py)."""
    import yaml as pyyaml

    sample = discover([corpus])[::10]
    before = {}
    for path in sample:
        data = parse_text(path.read_bytes())
        messy = pyyaml.safe_dump(dict(reversed(list(data.items()))), sort_keys=False, allow_unicode=True,
                                 default_flow_style=True, width=400)
        path.write_text("# a header comment that must survive\n\n" + messy, encoding="utf-8")
        before[path] = path.read_bytes()
    code, out, err = fmt(*map(str, sample))
    assert code == 0, err
    for path, raw in before.items():
        new = path.read_bytes()
        assert typed(parse_text(new)) == typed(parse_text(raw)), path
        assert new.startswith(b"# a header comment that must survive\n\n"), path
        assert new.endswith(b"\n") and not new.endswith(b"\n\n") and b"\r" not in new
        assert not any(line != line.rstrip() for line in new.decode().splitlines()), path
    changed = {line.removeprefix("reformatted ") for line in out.splitlines()}
    assert changed == {os.path.relpath(p) for p in before}
    assert fmt("--check", *map(str, sample)) == (0, "", "0 files would be reformatted, "
                                                        f"{len(before)} already formatted\n")


def test_check_lists_the_files_it_would_change_and_changes_nothing(corpus: Path) -> None:
    for path in discover([corpus]):
        path.unlink()
    tidy, messy = corpus / "conditions" / "tidy.yaml", corpus / "conditions" / "messy.yaml"
    tidy.write_text(CANONICAL.replace("test-condition-copd", "tidy"), encoding="utf-8")
    messy.write_bytes(MESSY.replace("test-condition-copd", "messy").encode())
    code, out, err = fmt("--check")
    assert (code, out) == (1, "records/conditions/messy.yaml\n")
    assert "1 file would be reformatted, 1 already formatted" in err and "run 'respirocell fmt'" in err
    assert messy.read_bytes() == MESSY.replace("test-condition-copd", "messy").encode()
    assert fmt("--check", str(tidy)) == (0, "", "0 files would be reformatted, 1 already formatted\n")

    code, out, _ = fmt()
    assert (code, out) == (0, "reformatted records/conditions/messy.yaml\n")
    assert messy.read_text(encoding="utf-8") == CANONICAL.replace("test-condition-copd", "messy")
    assert fmt("--check")[:2] == (0, "")


def test_unparseable_file_is_reported_and_left_untouched(corpus: Path) -> None:
    broken = corpus / "studies" / "broken.yaml"
    broken.write_bytes(b"id: broken\ntitle: [unclosed\n")
    dup = corpus / "studies" / "dup.yaml"
    dup.write_bytes(b"id: dup\nid: dup\n")
    for args in (["--check"], []):
        code, out, err = fmt(*args, str(broken), str(dup))
        assert code == 1 and out == ""
        assert "records/studies/broken.yaml:2:8: error [yaml-syntax]" in err
        assert "records/studies/dup.yaml:2:1: error [duplicate-key]" in err
        assert "2 could not be formatted" in err
    assert broken.read_bytes() == b"id: broken\ntitle: [unclosed\n"
    assert dup.read_bytes() == b"id: dup\nid: dup\n"


def test_a_result_that_would_change_the_data_is_never_written(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = corpus / "conditions" / "messy.yaml"
    path.write_bytes(MESSY.encode())
    real_dump = formatting._dump
    monkeypatch.setattr(formatting, "_dump", lambda tree: real_dump(tree).replace("obstructive", "other"))
    with pytest.raises(FormatError, match="change the data"):
        format_text(MESSY.encode(), "Condition")
    assert format_file(path).problem is not None
    code, out, err = fmt(str(path))
    assert code == 1 and out == ""
    assert "error [format-unsafe] formatting would change the data; the file is left as it is" in err
    assert path.read_bytes() == MESSY.encode()


def test_a_result_that_would_lose_a_comment_is_never_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatting, "attach", lambda body, place: body)
    with pytest.raises(FormatError, match="comment"):
        format_text(MESSY.encode(), "Condition")


def test_a_comment_closing_a_block_stays_at_its_end() -> None:
    """A comment indented under the list above it, before a key less indented, closes that list;
    it went above the next key in the file ('status'), which the canonical order moves far up."""
    raw = b"""\
id: test-study-x
title: T
arms:
  - id: a
    role: experimental
    # the dose was not reported
  # TODO: a third arm (low dose) is in the protocol; add it
status: completed
# about the conditions
conditions: [copd]
"""
    assert format_text(raw, "Study").decode() == """\
id: test-study-x
title: T
status: completed
# about the conditions
conditions: [copd]
arms:
  - id: a
    role: experimental
    # the dose was not reported
  # TODO: a third arm (low dose) is in the protocol; add it
"""


def test_a_comment_between_a_key_and_its_first_child_stays_above_the_child() -> None:
    """However deeply indented, it is about the child; as a block's closing comment it went to the
    block's end, which the safety check then refused (format-unsafe) for a valid file."""
    raw = b"id: c\nname: C\ncategory: other\nterm:\n      # the Mondo class\n  id: MONDO:0004822\n  label: x\n"
    assert format_text(raw, "Condition").decode() == \
        "id: c\nname: C\nterm:\n  # the Mondo class\n  id: MONDO:0004822\n  label: x\ncategory: other\n"


@pytest.mark.parametrize(("raw", "expected"), [
    # At the level of a block's keys, closing it: it stays at the block's end whatever the key
    # order (it was given to the last key, which reordering moves up: refused as format-unsafe).
    ("id: x\ntitle: T\nenrollment:\n  type: actual\n  count: 30\n  # count from table 1\nconditions: [copd]\n",
     "id: x\ntitle: T\nenrollment:\n  count: 30\n  type: actual\n  # count from table 1\nconditions: [copd]\n"),
    # After block text, at its end it would read as more text: it goes with what follows.
    ("id: x\nnotes: |\n    line one\n  # c\ntitle: T\n", "id: x\n# c\ntitle: T\nnotes: |\n  line one\n"),
    # Two comment lines in a row stay in their order (the deeper one was put first).
    ("id: x\ntitle: T\ndesign:\n  allocation: randomized\n# a\n  # b\nstatus: completed\n",
     "id: x\ntitle: T\nstatus: completed\ndesign:\n  allocation: randomized\n"),
])
def test_hand_written_comment_layouts_are_formatted_not_refused(raw: str, expected: str) -> None:
    out = format_text(raw.encode(), "Study").decode()
    if "# a" in raw:
        assert out.index("# a") < out.index("# b") and out.index("# b") < out.index("status:")
    else:
        assert out == expected


def test_a_result_that_would_move_a_comment_to_another_field_is_never_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every comment keeps the same text (the old check) and the same field it belongs to."""
    real = formatting.attach

    def misplace(body: str, place: Any) -> str:
        moved = {(*p[:-1], "category") if p and p[-1] == "term" else p: n for p, n in place.before.items()}
        return real(body, dataclasses.replace(place, before=moved))

    monkeypatch.setattr(formatting, "attach", misplace)
    raw = b"id: c\nname: C\n# the MONDO term\nterm: {id: MONDO:0005002, label: x}\ncategory: obstructive\n"
    with pytest.raises(FormatError, match="would move a comment to another field"):
        format_text(raw, "Condition")


def test_format_text_raises_yaml_problem_for_unparseable_bytes() -> None:
    with pytest.raises(YamlProblem) as info:
        format_text(b"id: x\n\tname: tab\n", None)
    assert info.value.code == "yaml-syntax"


def test_write_atomic_replaces_in_one_step_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]


def test_fmt_help_documents_check() -> None:
    result = CliRunner().invoke(cli, ["fmt", "--help"])
    assert result.exit_code == 0 and "--check" in result.output and "respirocell fmt --check" in result.output


def test_a_symlink_out_of_the_records_is_neither_read_nor_written(corpus: Path, tmp_path: Path) -> None:
    """validate refuses such a link (unsafe-file); fmt rewrote the file it pointed at when that
    file lay in a records tree of its own (as tests/data/base does)."""
    outside = tmp_path / "fixtures" / "studies" / "study.yaml"
    outside.parent.mkdir(parents=True)
    text = (corpus / "studies" / "start-msc-ards-phase-2a.yaml").read_text(encoding="utf-8") + "\n\n\n"
    outside.write_text(text, encoding="utf-8")  # not in canonical form: fmt would rewrite it
    (corpus / "studies" / "link.yaml").symlink_to(outside)
    code, _, err = fmt(str(corpus / "studies" / "link.yaml"))
    assert code == 1 and "[unsafe-file] this file is a symlink to a place outside the records folder" in err
    assert outside.read_text(encoding="utf-8") == text


def test_fmt_formats_records_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'fmt .' rewrote the schema and the test cases' YAML; validate calls such files unknown-kind."""
    shutil.copytree(RECORDS / "conditions", tmp_path / "records" / "conditions")
    other = tmp_path / "schema" / "notes.yaml"
    other.parent.mkdir()
    other.write_text("b:   1\na: 2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = fmt(".")
    assert code == 1 and out == ""
    assert err.splitlines()[0] == "schema/notes.yaml:1:1: error [unknown-kind] 'schema/' is not a record folder, so " \
        "this file is not a record and is left as it is"
    assert other.read_text(encoding="utf-8") == "b:   1\na: 2\n"


def test_a_symlink_to_a_record_of_another_kind_is_left_alone(corpus: Path) -> None:
    """It was formatted in the key order of the link's folder, moving a condition's curation up."""
    target = corpus / "conditions" / "copd.yaml"
    before = target.read_text(encoding="utf-8")
    (corpus / "studies" / "copd.yaml").symlink_to("../conditions/copd.yaml")
    code, _, err = fmt(str(corpus / "studies" / "copd.yaml"))
    assert code == 1
    assert "[format-unsafe] this file is a symlink to a record of another kind folder; it is left as it is" in err
    assert "hint: commit the record itself in its kind folder, not a link to it" in err
    assert target.read_text(encoding="utf-8") == before


def test_the_kind_folder_is_known_from_inside_it(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from records/conditions, 'copd.yaml' is a condition (it was 'unknown-kind', and fmt
    kept its key order)."""
    monkeypatch.chdir(corpus / "conditions")
    assert CliRunner().invoke(cli, ["validate", "copd.yaml"]).output == "OK: 1 file, 0 errors, 0 warnings\n"
    assert fmt("--check", "copd.yaml") == (0, "", "0 files would be reformatted, 1 already formatted\n")


def test_a_comment_between_a_key_and_its_value_stays_with_that_key() -> None:
    """It went above whichever key followed the value in the file ('category', which the
    canonical order moves after 'term')."""
    text = ("id: copd\nname:\n  # NOTE: copied verbatim from the MONDO label\n  Chronic obstructive pulmonary disease\n"
            "category: obstructive\nterm: {id: MONDO:0005002, label: chronic obstructive pulmonary disease}\n")
    out = format_text(text.encode(), "Condition").decode()
    assert "# NOTE: copied verbatim from the MONDO label\nname: Chronic obstructive pulmonary disease\n" in out


@pytest.mark.parametrize("text", [":x", ": x", "?x", "? x", "-x", "x:", "a:b", "x #y", "&x", "*x", "!x", "@x"])
def test_text_libyaml_reads_only_quoted_is_written_quoted(text: str) -> None:
    """ruamel wrote 'sponsors: [:x]', which libyaml cannot read back: import of a sponsor ':x' was
    a traceback, and fmt called such a record format-unsafe. Plain only where libyaml takes it."""
    import json

    source = f"id: s\ntitle: {json.dumps(text)}\nsponsors: [{json.dumps(text)}]\n".encode()
    assert same_data(parse_text(format_text(source, "Study")), parse_text(source))
