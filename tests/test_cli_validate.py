"""The validate command through click: exit codes, formats, strictness, changed-since."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CASES, build_corpus, case_doc

from respirocell.cli import cli
from respirocell.issues import Issue, Report, Severity
from respirocell.reporters import render_github


@pytest.fixture
def in_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    records = build_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    return records


def _break_phase(records: Path) -> None:
    study = records / "studies" / "test-study-base.yaml"
    study.write_text(study.read_text().replace("phase: phase_2", "phase: phase 2"))


def test_valid_corpus_exits_0(in_corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 5 files, 0 errors, 0 warnings\n"


def test_invalid_corpus_exits_1_with_clickable_text(in_corpus: Path) -> None:
    _break_phase(in_corpus)
    result = CliRunner().invoke(cli, ["validate", "records"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "records/studies/test-study-base.yaml:16:8: error [invalid-enum] 'phase 2' is not an allowed value of "
        "'phase' (phase)",
        "    hint: did you mean 'phase_2'?",
        "FAILED: 5 files, 1 error, 0 warnings",
    ]


def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", "no-such-path"]).exit_code == 2
    assert runner.invoke(cli, ["validate"]).exit_code == 2  # no records/ here
    assert runner.invoke(cli, ["validate", "--format", "xml", "."]).exit_code == 2
    assert runner.invoke(cli, ["frobnicate"]).exit_code == 2


def test_json_format_is_versioned_and_complete(in_corpus: Path) -> None:
    _break_phase(in_corpus)
    result = CliRunner().invoke(cli, ["validate", "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["version"] == 1 and doc["status"] == "fail"
    assert doc["issues"] == [{
        "file": "records/studies/test-study-base.yaml", "line": 16, "column": 8, "path": "phase",
        "code": "invalid-enum", "severity": "error", "message": "'phase 2' is not an allowed value of 'phase'",
        "suggestion": "did you mean 'phase_2'?", "record_id": "test-study-base",
    }]
    assert doc["summary"] == {"files": 5, "records": 5, "errors": 1, "warnings": 0,
                              "by_code": {"invalid-enum": 1}}


def test_github_format(in_corpus: Path) -> None:
    _break_phase(in_corpus)
    result = CliRunner().invoke(cli, ["validate", "--format", "github"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "::error file=records/studies/test-study-base.yaml,line=16,col=8,title=invalid-enum::"
        "'phase 2' is not an allowed value of 'phase' (phase)%0Ahint: did you mean 'phase_2'?")


def test_github_escaping() -> None:
    issue = Issue("x-code", "100% sure\r\nnext", "a,b:c.yaml", line=1, column=2, suggestion=None)
    out = render_github(Report([issue]))
    assert out.splitlines()[0] == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=x-code::100%25 sure\\x0d\\nnext"


def test_warnings_pass_unless_strict(in_corpus: Path) -> None:
    study = in_corpus / "studies" / "test-study-base.yaml"
    text = study.read_text().replace("countries: [US, NO]\n", "")
    study.write_text(text.replace("sponsors, countries,", "sponsors,"))
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate"])
    assert ok.exit_code == 0 and "warning [recommended-field]" in ok.output
    strict = runner.invoke(cli, ["validate", "--strict", "--format", "json"])
    assert strict.exit_code == 1 and json.loads(strict.output)["status"] == "fail"


def test_text_has_no_colour_when_not_a_terminal(in_corpus: Path) -> None:
    _break_phase(in_corpus)
    assert "\033[" not in CliRunner().invoke(cli, ["validate"]).output


def test_every_case_code_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    codes = {e["code"] for case in CASES.iterdir() for e in case_doc(case)["expect"]}
    codes |= {"file-too-large", "unreadable-file", "schema-violation"}
    missing = sorted(c for c in codes if f"`{c}`" not in readme)
    assert missing == []


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_changed_since_checks_changes_and_their_dependants(in_corpus: Path) -> None:
    root = in_corpus.parent
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    runner = CliRunner()
    clean = runner.invoke(cli, ["validate", "--changed-since", "HEAD", "--format", "json"])
    assert clean.exit_code == 0 and json.loads(clean.output)["summary"]["files"] == 0
    # Deleting a condition breaks the study that references it, though the study is unchanged.
    (in_corpus / "conditions" / "copd.yaml").unlink()
    result = runner.invoke(cli, ["validate", "--changed-since", "HEAD", "--format", "json"])
    doc = json.loads(result.output)
    assert result.exit_code == 1
    assert [(i["file"], i["code"]) for i in doc["issues"]] == [
        ("records/studies/test-study-base.yaml", "dangling-reference")]


def test_changed_since_checks_a_symlinked_record_as_a_link(in_corpus: Path, tmp_path_factory: pytest.TempPathFactory
                                                           ) -> None:
    """A record that links out of the tree is refused unread, as a plain validate refuses it: the
    changed files are no longer resolved through the link (the target's text reached the log)."""
    root = in_corpus.parent
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    secret = tmp_path_factory.mktemp("outside") / "secret.txt"
    secret.write_text("TOKEN=not-for-the-log\n")
    (in_corpus / "studies" / "evil.yaml").symlink_to(secret)
    result = CliRunner().invoke(cli, ["validate", "--changed-since", "HEAD", "--format", "json"])
    doc = json.loads(result.output)
    assert [(i["file"], i["code"]) for i in doc["issues"]] == [("records/studies/evil.yaml", "unsafe-file")]
    assert "TOKEN" not in result.output


def test_changed_since_unknown_ref_is_a_usage_error(in_corpus: Path) -> None:
    _git(in_corpus.parent, "init", "-q")
    result = CliRunner().invoke(cli, ["validate", "--changed-since", "no-such-ref"])
    assert result.exit_code == 2 and "no-such-ref" in result.output


def test_schema_violation_is_the_fallback_for_unmapped_keywords() -> None:
    from types import SimpleNamespace

    from respirocell.loading import RecordFile
    from respirocell.schema_check import _translate

    record = RecordFile(path=Path("/nonexistent.yaml"), display="x.yaml", kind="Study", data={"id": "x"})
    kind = SimpleNamespace(name="const", as_dict=lambda: {"expected_value": "y"})
    error = SimpleNamespace(instance_path=["id"], schema_path=["$defs", "Study", "properties", "id", "const"],
                            kind=kind, instance="x", message="not const")
    (issue,) = list(_translate(record, error))
    assert (issue.code, issue.severity, issue.path) == ("schema-violation", Severity.ERROR, "id")


@pytest.mark.parametrize(("line", "hint"), [
    ("      orcid: https://orcid.org/0000-0002-1825-0097", "write only the iD, e.g. 0000-0002-1825-0097"),
    ("      orcid: TODO", "write the iD as 0000-0002-1825-0097"),
])
def test_orcid_format_hints(in_corpus: Path, line: str, hint: str) -> None:
    study = in_corpus / "studies" / "test-study-base.yaml"
    study.write_text(study.read_text().replace("      orcid: 0000-0002-1825-0097", line))
    doc = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json"]).output)
    assert [(i["code"], i["suggestion"]) for i in doc["issues"]] == [("invalid-format", hint)]


def test_a_misnamed_file_beside_its_record_is_not_told_to_take_its_name(in_corpus: Path) -> None:
    (in_corpus / "studies" / "test-study-base.YAML").write_text("id: test-study-base\n")
    (in_corpus / "studies" / "other.yml.txt").write_text("id: other\n")
    doc = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json"]).output)
    assert sorted((i["file"].rsplit("/", 1)[1], i["suggestion"]) for i in doc["issues"]) == [
        ("other.yml.txt", "rename it to other.yml"),
        ("test-study-base.YAML", "a record test-study-base.yaml exists beside it: merge the two, or delete this one")]


def test_invisible_characters_in_a_finding_are_shown_escaped() -> None:
    from respirocell.reporters import clean

    assert clean("cate\u2060gory\ufeff\U000e0041") == "cate\\u2060gory\\ufeff\\ue0041"


@pytest.mark.parametrize("written", ["conditions: copd", "conditions: copd]", "conditions: '[copd'"])
def test_a_list_written_as_text_gets_the_list_back(in_corpus: Path, written: str) -> None:
    """The hint for 'copd]' was 'conditions: [copd]]', itself invalid."""
    study = in_corpus / "studies" / "test-study-base.yaml"
    study.write_text(study.read_text().replace("conditions: [copd]", written, 1))
    doc = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json"]).output)
    assert [(i["code"], i["suggestion"]) for i in doc["issues"]] == [
        ("wrong-type", "write it as a list: conditions: [copd]")]


@pytest.mark.parametrize(("old", "new", "hint"), [
    ("  - doi: 10.5555/respirocell.test.1", "  - doi: https://doi.org/10.5555/respirocell.test.1",
     "drop the link prefix: 10.5555/respirocell.test.1"),
    ('    pmid: "10000001"', '    pmid: "PMID 10000001"', 'give only the digits: "10000001"'),
    ("countries: [US, NO]", "countries: [usa, NO]", "use the two-letter ISO 3166-1 code in capitals: 'US'"),
    ("countries: [US, NO]", "countries: [China, NO]", "use the two-letter ISO 3166-1 code in capitals: 'CN'"),
    ("countries: [US, NO]", "countries: [Germany, uk]", "use the two-letter ISO 3166-1 code in capitals: 'DE'"),
    ("countries: [US, NO]", "countries: [Atlantis, NO]",
     "use the two-letter ISO 3166-1 code of the country in capitals, such as 'GB' for the United Kingdom"),
    ("start_date: 2018-03", "start_date: March 2018",
     "write dates as YYYY-MM-DD (or YYYY-MM / YYYY where allowed), e.g. 2013-05-01"),
    ("    dose_interval: P1W", "    dose_interval: weekly",
     "write durations like P28D (28 days), P6M (6 months), P1Y (1 year), PT48H (48 hours)"),
])
def test_format_hints_follow_the_schema_type_or_field(in_corpus: Path, old: str, new: str, hint: str) -> None:
    """Hints are chosen by what the schema names the form (a type such as Duration, or a field
    such as doi), so they hold when a pattern is rewritten."""
    study = in_corpus / "studies" / "test-study-base.yaml"
    text = study.read_text()
    assert old in text
    study.write_text(text.replace(old, new, 1))
    doc = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json"]).output)
    assert ("invalid-format", hint) in [(i["code"], i["suggestion"]) for i in doc["issues"]]


@pytest.mark.parametrize(("old", "new", "hint"), [
    ("acronym: TESTBASE", "acronym:", "fill it in, or delete the line if the source does not give it"),
    ("    - name: Test Curator", "    - name:", "fill it in (it is required here)"),  # curators[0].name
])
def test_an_empty_value_is_deletable_only_where_the_field_is_optional(in_corpus: Path, old: str, new: str,
                                                                       hint: str) -> None:
    study = in_corpus / "studies" / "test-study-base.yaml"
    text = study.read_text()
    assert old in text
    study.write_text(text.replace(old, new))
    doc = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json"]).output)
    assert [(i["code"], i["suggestion"]) for i in doc["issues"]] == [("empty-value", hint)]
