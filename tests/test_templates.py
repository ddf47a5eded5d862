"""`respirocell new`: commented templates built from the schema, which fail validation until filled in."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from respirocell import templates
from respirocell.cli import cli
from respirocell.formatting import format_text
from respirocell.loading import parse_text
from respirocell.schema import nested_class, slots
from respirocell.schema_check import json_schema

KINDS = {"study": "Study", "cell-source": "CellSource", "condition": "Condition"}
FOLDERS = {"Study": "studies", "CellSource": "cell_sources", "Condition": "conditions"}
#: A placeholder line: `key: TODO`, `key: [TODO]`, `key:  # TODO`, or the same after a list dash.
PLACEHOLDER = re.compile(r"^\s*(- )?(?P<key>\w+):( TODO| \[TODO\]|  # TODO)$")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty registry checkout: a records/ folder with no kind folders yet (git keeps none)."""
    (tmp_path / "records").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def new(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["new", *args])
    return result.exit_code, result.stdout, result.stderr


def validate_json(path: Path) -> dict[int, set[str]]:
    """Line -> codes of the errors `respirocell validate --format json` reports for ``path``."""
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    by_line: dict[int, set[str]] = {}
    for issue in json.loads(result.stdout)["issues"]:
        assert issue["severity"] == "error" or issue["code"] == "recommended-field"
        if issue["severity"] == "error":
            by_line.setdefault(issue["line"], set()).add(issue["code"])
    return by_line


def line_of(text: str, key_path: str) -> int:
    """1-based line of the placeholder whose key matches the last part of ``key_path`` (first match
    after the line of each earlier part), e.g. 'enrollment.count'."""
    lines = text.splitlines()
    start = 0
    for part in key_path.split("."):
        pattern = re.compile(rf"^\s*(- )?{re.escape(part)}:")
        start = next(i for i in range(start, len(lines)) if pattern.match(lines[i]))
    return start + 1


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_new_writes_the_template_at_the_records_path(repo: Path, kind: str) -> None:
    code, out, _ = new(kind, "test-record-1")
    path = Path("records") / FOLDERS[KINDS[kind]] / "test-record-1.yaml"
    assert code == 0
    assert out.splitlines()[0] == f"wrote {path}"
    assert f"respirocell validate {path}" in out
    text = (repo / path).read_text(encoding="utf-8")
    assert text.startswith(f"# New {KINDS[kind]} record 'test-record-1'")
    assert text.endswith("\n") and "\r" not in text
    assert parse_text(text.encode())["id"] == "test-record-1"
    assert templates.target_path(Path("records"), kind, "test-record-1") == path


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_placeholder_fails_validation_on_its_own_line(repo: Path, kind: str) -> None:
    new(kind, "test-record-1")
    path = Path("records") / FOLDERS[KINDS[kind]] / "test-record-1.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    placeholders = {i for i, line in enumerate(lines, start=1) if PLACEHOLDER.match(line)}
    errors = validate_json(path)
    assert placeholders, "a template has TODO lines"
    assert sorted(placeholders - set(errors)) == [], "every TODO line is reported"
    # The only errors off a TODO line say a filled-in block still needs its source named.
    for line in set(errors) - placeholders:
        assert errors[line] == {"unsourced-field"}, (line, lines[line - 1], errors[line])
        assert re.match(r"^\w+:$", lines[line - 1])


def test_condition_template_errors_name_the_expected_codes_and_lines(repo: Path) -> None:
    new("condition", "test-condition-1")
    path = repo / "records" / "conditions" / "test-condition-1.yaml"
    text = path.read_text(encoding="utf-8")
    errors = validate_json(path)
    expected = {
        "name": {"empty-value", "unsourced-field"},
        "term.id": {"invalid-format", "wrong-ontology"},
        "term.label": {"empty-value"},
        "category": {"invalid-enum", "unsourced-field"},
        "synonyms": {"empty-value", "unsourced-field"},
        "notes": {"empty-value"},
        "not_reported": {"invalid-enum"},
        "curators.name": {"empty-value"},
        "curators.orcid": {"invalid-format"},
        "sources.source": {"empty-value"},
        "sources.fields": {"empty-value"},
        "modified": {"invalid-format"},
    }
    assert {key: errors.get(line_of(text, key)) for key in expected} == expected
    assert line_of(text, "term") in errors  # 'term' itself is not claimed by a source yet
    assert errors.keys() == {line_of(text, key) for key in expected} | {line_of(text, "term")}


def test_study_template_errors_name_the_expected_codes(repo: Path) -> None:
    new("study", "test-study-1")
    path = repo / "records" / "studies" / "test-study-1.yaml"
    text = path.read_text(encoding="utf-8")
    errors = validate_json(path)
    for key, code in [("title", "empty-value"), ("evidence_basis", "invalid-enum"), ("status", "invalid-enum"),
                      ("conditions", "empty-value"), ("countries", "invalid-format"),
                      ("start_date", "invalid-format"), ("enrollment.count", "wrong-type"),
                      ("publications.doi", "invalid-format"), ("publications.pmid", "invalid-format"),
                      ("arms.id", "invalid-format"), ("arms.dose.value", "wrong-type"),
                      ("arms.route", "invalid-enum"), ("outcomes.result.direction", "invalid-enum"),
                      ("follow_up_duration", "invalid-format"), ("registrations.registry", "invalid-enum")]:
        assert code in errors.get(line_of(text, key), set()), (key, errors.get(line_of(text, key)))


def test_removing_a_required_field_is_reported_as_missing(repo: Path) -> None:
    new("condition", "test-condition-1")
    path = repo / "records" / "conditions" / "test-condition-1.yaml"
    path.write_text(re.sub(r"\ncategory: TODO\n", "\n", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert "missing-required" in {c for codes in validate_json(path).values() for c in codes}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_order_fields_and_comments_come_from_the_schema(kind: str) -> None:
    cls = KINDS[kind]
    text = templates.render_template(kind, "test-record-1", today=dt.date(2026, 1, 2))
    defs = json_schema()["$defs"]
    lines = text.splitlines()

    def check(data: dict[str, object], name: str) -> None:
        required = defs[name]["required"] if "required" in defs[name] else []
        order = templates.template_order(name)
        assert list(data) == order  # every field, in template order
        assert set(order) == set(slots(name)) == set(defs[name]["properties"])
        rest = [k for k in order if k not in ("id", "notes", "not_reported", "curation")]
        assert rest == [k for k in rest if k in required] + [k for k in rest if k not in required]
        for key, value in data.items():
            target = nested_class(name, key)
            if target and isinstance(value, dict):
                check(value, target)
            elif target and isinstance(value, list):
                check(value[0], target)

    data = yaml.compose(text, Loader=yaml.SafeLoader)
    assert data is not None
    parsed = parse_text(text.encode())
    check(parsed, cls)
    assert next(iter(parsed)) == "id" and list(parsed)[-3:] == ["notes", "not_reported", "curation"]
    assert parsed["curation"]["created"] == "2026-01-02"
    # Each field line is preceded by its schema description, and choices list every allowed value.
    for key_node, _ in data.value:
        key = key_node.value
        prop = defs[cls]["properties"][key]
        above = []
        i = key_node.start_mark.line - 1
        while i >= 0 and lines[i].startswith("#"):
            above.insert(0, lines[i][2:])
            i -= 1
        comment = " ".join(above)
        assert comment.startswith("(required)" if key in defs[cls].get("required", []) else "(")
        assert " ".join(prop["description"].split()) in comment
        ref = prop.get("$ref", "").rsplit("/", 1)[-1]
        if "enum" in defs.get(ref, {}):
            assert "One of: " + " | ".join(defs[ref]["enum"]) in comment
    # Comments are wrapped at 90 columns (the commands to run are not wrapped).
    assert all(len(line) <= 90 for line in lines if line.lstrip().startswith("#") and not line.startswith("#   "))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fmt_reorders_a_template_without_losing_a_comment(kind: str) -> None:
    raw = templates.render_template(kind, "test-record-1").encode()
    once = format_text(raw, KINDS[kind])
    assert format_text(once, KINDS[kind]) == once
    comments = sorted(line.strip() for line in raw.decode().splitlines() if line.strip().startswith("#"))
    kept = sorted(line.strip() for line in once.decode().splitlines() if line.strip().startswith("#"))
    assert comments == kept


def test_new_refuses_to_overwrite(repo: Path) -> None:
    assert new("study", "test-study-1")[0] == 0
    path = repo / "records" / "studies" / "test-study-1.yaml"
    path.write_text("id: test-study-1\n", encoding="utf-8")
    code, out, err = new("study", "test-study-1")
    assert code == 1
    assert out == ""
    assert "records/studies/test-study-1.yaml already exists" in err
    assert path.read_text(encoding="utf-8") == "id: test-study-1\n"


def test_new_refuses_an_id_used_by_another_kind(repo: Path) -> None:
    assert new("condition", "copd")[0] == 0
    code, _, err = new("study", "copd")
    assert code == 1
    assert "records/conditions/copd.yaml already exists" in err and "unique" in err
    assert not (repo / "records" / "studies" / "copd.yaml").exists()


@pytest.mark.parametrize(("bad", "suggestion"), [("START Phase 2", "start-phase-2"), ("Copd", "copd"),
                                                 ("msc--bm", "msc-bm"), ("trial_1", "trial-1"), ("x-", "x"),
                                                 ("***", None)])
def test_bad_id_is_a_usage_error_with_a_suggested_slug(repo: Path, bad: str, suggestion: str | None) -> None:
    code, _, err = new("study", bad)
    assert code == 2
    assert "Invalid value for 'ID'" in err and "not a valid record id" in err
    if suggestion:
        assert f"for example '{suggestion}'" in err
    else:
        assert "for example" not in err
    assert not any((repo / "records").rglob("*.yaml"))


def test_new_needs_a_records_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = new("study", "test-study-1")
    assert code == 2 and "no records/ folder" in err
    code, _, _ = new("trial", "test-study-1")
    assert code == 2


def test_records_dir_option(tmp_path: Path) -> None:
    root = tmp_path / "elsewhere"
    root.mkdir()
    code, _, _ = new("cell-source", "test-cells-1", "--records-dir", str(root))
    assert code == 0
    assert (root / "cell_sources" / "test-cells-1.yaml").is_file()


def test_kind_names_match_the_cli_and_the_folders() -> None:
    from respirocell import schema

    assert {k.cli_name: k.name for k in schema.kinds()} == KINDS
    new_command = cli.commands["new"]
    kind_param = next(p for p in new_command.params if p.name == "kind")
    assert sorted(kind_param.type.choices) == sorted(KINDS)  # type: ignore[attr-defined]
    assert {k.name: k.folder for k in schema.kinds()} == FOLDERS


def test_new_refuses_a_reserved_id(repo: Path) -> None:
    code, _, err = new("condition", "index")
    assert code == 2
    assert "'index' is not a valid record id: it is reserved for the list pages of the site" in err
    assert not (repo / "records" / "conditions" / "index.yaml").exists()


def test_new_refuses_an_id_with_a_trailing_newline(repo: Path) -> None:
    """'$' in the id pattern also matches before a final newline: 'evil\\n' made evil\\n.yaml."""
    code, _, err = new("study", "evil\n")
    assert code == 2 and "not a valid record id" in err
    assert list((repo / "records" / "studies").glob("evil*")) == []
