"""What a hostile pull request or a careless command can do, and what respirocell promises.

Each test plants one thing (a symlink, a FIFO, a forged file name, an alias bomb, an option
where a ref belongs ...) and asserts the exact finding or exit code, and that nothing outside
the asked path changed. See the README's threat model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner, Result
from conftest import build_corpus

from respirocell.cli import cli

STUDY = Path("records/studies/test-study-base.yaml")


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def findings(*args: str) -> list[dict[str, object]]:
    result = run("validate", "--format", "json", *args)
    return json.loads(result.output)["issues"]  # type: ignore[no-any-return]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    build_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and not p.is_symlink() and ".git" not in p.parts}


# -- reading records ----------------------------------------------------------------------
def test_symlink_to_a_device_or_host_file_is_not_read(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    secret = tmp_path_factory.mktemp("host") / "secret.txt"
    secret.write_text("TOKEN=hunter2-do-not-print\n")
    (repo / "records/studies/zero.yaml").symlink_to("/dev/zero")
    (repo / "records/studies/leak.yaml").symlink_to(secret)
    result = run("validate")
    assert "hunter2" not in result.output
    issues = findings()
    assert {(i["file"], i["code"], i["line"]) for i in issues} == {
        ("records/studies/zero.yaml", "unsafe-file", 1), ("records/studies/leak.yaml", "unsafe-file", 1)}


def test_a_symlink_inside_the_tree_is_followed(repo: Path) -> None:
    (repo / "records/studies/alias.yaml").symlink_to(repo / STUDY)
    codes = {(i["file"], i["code"]) for i in findings()}
    assert ("records/studies/alias.yaml", "id-mismatch") in codes  # it was read: its id is another file's


def test_a_fifo_is_a_finding_and_never_opened(repo: Path) -> None:
    os.mkfifo(repo / "records/studies/pipe.yaml")
    assert [(i["file"], i["code"]) for i in findings()] == [("records/studies/pipe.yaml", "unsafe-file")]


def test_a_symlink_loop_is_a_finding(repo: Path) -> None:
    """Path.resolve raised RuntimeError ('Symlink loop') out of validate, fmt and export."""
    (repo / "records/studies/loop.yaml").symlink_to("loop.yaml")
    assert [(i["file"], i["code"]) for i in findings()] == [("records/studies/loop.yaml", "unreadable-file")]
    assert run("fmt", "records").exit_code == 1
    assert run("export", "--format", "json", "--output", "out.json").exit_code == 1


@pytest.mark.parametrize(("text", "line", "column"), [
    ("id: x\nacronym: " + "[" * 70 + "]" * 70 + "\n", 2, 73),
    ("id: x\nacronym: " + "[" * 400 + "]" * 400 + "\n", 2, 73),  # was a RecursionError traceback
    ("id: x\nacronym: &a " + "[" * 300 + "]" * 300 + "\ntitle: *a\n", 2, 76),  # through the constructor
    ("id: x\nnotes:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(300)) + "  " * 301 + "v: 1\n", 66, 129),
])
def test_nesting_a_record_never_has_is_a_finding(repo: Path, text: str, line: int, column: int) -> None:
    """From about 260 levels (below libyaml's own limit of 1,000) the checks and jsonschema-rs hit
    their recursion limits: 'ValueError: Recursion limit reached' was a traceback."""
    (repo / "records/studies/x.yaml").write_text(text)
    deep = [i for i in findings() if i["file"] == "records/studies/x.yaml"]
    assert [(i["code"], i["line"], i["column"]) for i in deep] == [("yaml-too-deep", line, column)]


def test_alias_amplification_is_capped_in_bytes(repo: Path) -> None:
    anchor = "x" * 50_000
    text = f"id: bomb\nnotes: &a {anchor}\nsynonyms: [{', '.join(['*a'] * 100)}]\n"
    (repo / "records/conditions/bomb.yaml").write_text(text)
    issues = findings()
    assert [(i["code"], i["line"], i["column"]) for i in issues if i["file"].endswith("bomb.yaml")] == [
        ("yaml-too-complex", 3, 12)]


def test_a_flood_of_findings_is_capped_per_file(repo: Path) -> None:
    ids = ", ".join(f"no-such-condition-{i}" for i in range(500))
    study = repo / STUDY
    study.write_text(study.read_text().replace("conditions: [copd]", f"conditions: [{ids}]"))
    issues = [i for i in findings() if i["file"] == str(STUDY)]
    assert len(issues) == 101
    assert issues[0]["code"] == "too-many-findings" and issues[0]["message"].startswith("400 more findings")


def test_echoed_values_are_cut_and_escaped(repo: Path) -> None:
    study = repo / STUDY
    huge = "x" * 900_000
    study.write_text(study.read_text().replace("phase: phase_2", f"phase: {huge}"))
    (repo / "records/conditions/esc.yaml").write_text('id: esc\nname: "\\e[2J\\rOK: 0 errors"\nterm: 3\n')
    result = run("validate")
    assert max(len(line) for line in result.output.splitlines()) < 700
    assert "\x1b" not in result.output and "\r" not in result.output
    github = run("validate", "--format", "github").output
    assert max(len(line) for line in github.splitlines()) < 900


@pytest.mark.parametrize(("value", "code"), [(".nan", "non-finite-number"), (".inf", "non-finite-number"),
                                             ("-.INF", "non-finite-number"), ("1.5e400", "non-finite-number"),
                                             ("1" + "0" * 400 + ".5", "non-finite-number")])  # no exponent
def test_numbers_json_cannot_hold_are_findings(repo: Path, value: str, code: str) -> None:
    study = repo / STUDY
    study.write_text(study.read_text().replace("      value: 1.0e6", f"      value: {value}"))
    issues = findings()
    assert [(i["code"], i["path"]) for i in issues] == [(code, "arms[0].dose.value")]
    assert run("export", "--format", "jsonld", "--output", "out.jsonld").exit_code == 1


def test_full_width_digits_are_not_a_date(repo: Path) -> None:
    study = repo / STUDY
    full_width = "\uff12\uff10\uff11\uff13"  # 2013 in full-width digits
    study.write_text(study.read_text().replace("start_date: 2018-03", f'start_date: "{full_width}"'))
    assert [i["code"] for i in findings()] == ["invalid-format"]


# -- YAML mistakes get the words that help ----------------------------------------------------
@pytest.mark.parametrize(("text", "line", "message"), [
    ('id: x\ntitle: "unclosed\nstatus: completed\nnotes: fine\nacronym: X\n', 2, "a quoted value is opened"),
    ("id: x\ntitle: t\n\tstatus: completed\n", 3, "tabs are not allowed"),
    ("id: x\ntitle: t\n status: completed\n", 3, "indented differently"),
    ("id: x\ntitle t\nstatus: completed\n", 2, "no ':' after the field name"),
    # These were named at the end of the file, or with libyaml's words and no hint.
    ('id: x\nsponsors: ["A Sponsor]\nstatus: completed\nnotes: fine\n', 2, "a quoted value is opened"),
    ("id: x\nacronym: 'It's\nstatus: completed\n", 2, "the apostrophe at column 13 ends the quoted value early"),
    ('id: x\nacronym: "He said "hi""\nstatus: completed\n', 2, "the quote at column 19 ends the quoted value"),
    ("id: x\nconditions: [copd\nstatus: completed\n", 2, "the '[' on this line is not closed"),
    ("id: x\narms:\n  - id: a\n   - id: b\n", 4, "indented differently from the list items above it"),
    ("id: x\nsponsors:\n  - A\n  - B\n  x: y\n", 5, "a 'field: value' line stands among the items of a list"),
    ("id: x\nsponsors: [A, B: C: D]\n", 2, "an item of the list that opens here cannot be read"),
    # Quotes in text are text: the open '[' on line 5 is the mistake, not the valid line 3 (or 4).
    ('id: x\nnotes: >-\n  Copies read: "A", "B\n  and C, "D\nsponsors: ["S", T\nstatus: completed\n', 5,
     "the '[' on this line is not closed"),
    ('id: x\nacronym: Cells for lungs, "MSC"-based: a trial\n', 2, "mapping values are not allowed"),
])
def test_yaml_mistakes_are_named_where_they_are(repo: Path, text: str, line: int, message: str) -> None:
    (repo / "records/studies/bad.yaml").write_text(text)
    (issue,) = [i for i in findings() if i["file"].endswith("bad.yaml")]
    assert (issue["code"], issue["line"]) == ("yaml-syntax", line)
    assert message in str(issue["message"]) and issue["suggestion"]


def test_a_hash_that_cuts_a_title_is_a_warning(repo: Path) -> None:
    study = repo / STUDY
    text = study.read_text()
    title_line = next(ln for ln in text.splitlines() if ln.startswith("title:"))
    study.write_text(text.replace(title_line, "title: Trial #2 of cells"))
    issues = findings()
    assert [(i["code"], i["severity"], i["line"]) for i in issues] == [
        ("comment-in-text", "warning", text.splitlines().index(title_line) + 1)]


# -- git refs are refs ------------------------------------------------------------------------
@pytest.mark.parametrize("ref", ["--output=written-by-git.txt", "--no-index", "nope", "HEAD\x00"])
def test_changed_since_takes_only_a_ref(repo: Path, ref: str) -> None:
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x", "--allow-empty"],
                   cwd=repo, check=True)
    before = snapshot(repo)
    result = run("validate", f"--changed-since={ref}")
    assert result.exit_code == 2 and "is not a" in result.output
    assert snapshot(repo) == before and not (repo / "written-by-git.txt").exists()


def test_changed_since_sees_names_git_would_quote(repo: Path) -> None:
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    (repo / "records/conditions/tête.yaml").write_text("id: tête\n")
    result = run("validate", "--changed-since", "HEAD", "--format", "json")
    assert result.exit_code == 1
    assert {i["file"] for i in json.loads(result.output)["issues"]} == {"records/conditions/tête.yaml"}


# -- nothing a CI log shows can start a workflow command --------------------------------------
def test_forged_workflow_commands_in_file_names_and_tags(repo: Path) -> None:
    forged = "x\n::error file=README.md,line=1,title=FORGED::y.yaml"
    (repo / "records/studies" / forged).write_text("id: x\n")
    (repo / "records/studies/tag.yaml").write_text("id: tag\nnotes: !<tag:x%0A::error title=FORGED::> v\n")
    outputs = [run("fmt", "--check").output, run("validate").output, run("validate", "--format", "github").output,
               run("fmt", "--check", "--format", "github").output]
    for output in outputs:
        for line in output.splitlines():
            assert not line.startswith("::") or line.startswith(("::error file=records", "::warning file=records"))
            assert "title=FORGED" not in line or "%0A" in line or "\\n" in line


def test_record_text_cannot_pass_for_a_workflow_command(repo: Path) -> None:
    """The runner skips leading spaces before '::', and takes the older '##[' anywhere in a line:
    neither may reach a line of text output (findings, query tables) from a record's text."""
    study = repo / STUDY
    base = study.read_text()
    forged = '"X\\n  ::error file=a::spoofed ##[stop-commands]tok"'
    study.write_text(base.replace("phase: phase_2", f"phase: {forged}"))
    outputs = [run("validate").output]
    title = "title: A fictional randomized trial used by respirocell's tests"
    study.write_text(base.replace(title, f"title: {forged}"))
    outputs.append(run("query", "SELECT ?t WHERE { ?s dcterms:title ?t }", "--records", "records").output)
    assert "spoofed" in outputs[0] and "spoofed" in outputs[1]
    for output in outputs:
        for line in output.splitlines():
            assert not line.lstrip().startswith("::") and "##[" not in line, line


@pytest.mark.parametrize(("args", "echoed"), [
    (["release", "1\n::error::forged", "--output", "o"], "'1\\n::error::forged' is not a calendar version"),
    (["validate", "x\n::error::forged"], "Path 'x\\n::error::forged' does not exist"),
    (["--x\n::error::forged"], "No such option '--x\\n::error::forged'"),
    (["site", "--output", "f\n::error::forged/sub"], "f\\n::error::forged is not a folder, so f\\n::error::forged/sub"),
    (["export", "--output", "f\n::error::forged/x.jsonld"], "f\\n::error::forged is not a folder, so"),
    (["release", "2026.11.1", "--output", "f\n::error::forged/sub"], "f\\n::error::forged is not a folder, so"),
])
def test_usage_errors_echo_what_was_typed_escaped(repo: Path, args: list[str], echoed: str) -> None:
    """click's usage errors print the value given: a line break in it started a line with ::error."""
    (repo / "f\n::error::forged").write_text("a file, where the output wants a folder")
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert echoed in result.output
    assert not any(line.lstrip().startswith("::") for line in result.output.splitlines()), result.output


def test_a_bad_id_is_echoed_escaped(repo: Path) -> None:
    result = run("new", "study", "x\x1b[2J\n::error file=a::spoof")
    assert result.exit_code == 2 and "\x1b" not in result.output
    assert not any(line.lstrip().startswith("::") for line in result.output.splitlines())


# -- fmt: every file on its own, nothing lost -------------------------------------------------
def test_fmt_reports_what_it_cannot_handle_and_goes_on(repo: Path) -> None:
    studies = repo / "records/studies"
    (studies / "deep.yaml").write_text("id: deep\nnotes: " + "[" * 200 + "]" * 200 + "\n")
    (studies / "sep.yaml").write_text('id: sep\ntitle: "a\u2028b"\nnotes: |\n  block\n')
    (studies / "odd.yaml").write_text("id: odd\nsponsors:\n- :x\n")
    messy = repo / "records/conditions/copd.yaml"
    messy.write_text(messy.read_text().replace("name: ", "name:    "))
    result = run("fmt", "--format", "json")
    codes = {Path(str(i["file"])).name: i["code"] for i in json.loads(result.output)["issues"]}
    assert result.exit_code == 1
    assert codes.get("copd.yaml") is None and "name:    " not in messy.read_text()  # the others were formatted
    assert set(codes.values()) <= {"format-unsafe", "yaml-too-deep", "yaml-syntax"}


def test_fmt_keeps_symlinks_and_modes(repo: Path) -> None:
    target = repo / "records/conditions/copd.yaml"
    target.write_text(target.read_text().replace("name: ", "name:    "))
    target.chmod(0o640)
    link = repo / "records/conditions/copd-link.yaml"
    link.symlink_to(target)
    assert run("fmt", str(link)).exit_code == 0
    assert link.is_symlink() and "name:    " not in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o640


def test_fmt_keeps_a_quoted_timestamp_quoted(repo: Path) -> None:
    target = repo / "records/conditions/copd.yaml"
    text = target.read_text()
    target.write_text(text.replace("name: ", 'notes: "2001-12-14t21:59:43.10-05:00"\nname: ', 1))
    run("fmt")
    assert 'notes: "2001-12-14t21:59:43.10-05:00"' in target.read_text()


# -- every command: usage errors, no tracebacks ------------------------------------------------
def test_new_with_a_long_id_or_a_read_only_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("new", "study", "a" * 251).exit_code == 2
    os.chmod(repo / "records/studies", 0o555)
    try:
        if os.access(repo / "records/studies", os.W_OK):  # root writes anyway: the folder refuses as it would
            def refuse(*args: object, **kwargs: object) -> NoReturn:
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr("respirocell.fsio.tempfile.mkstemp", refuse)
        result = run("new", "study", "fresh-study")
        assert result.exit_code == 1 and result.output == "error: Permission denied\n"
        assert not (repo / "records/studies/fresh-study.yaml").exists()
    finally:
        os.chmod(repo / "records/studies", 0o755)


def test_usage_errors_follow_format_json(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--format", "json", "--changed-since", "nope"])
    assert result.exit_code == 2
    assert json.loads(result.output)["status"] == "usage-error"
    assert run("export", "--format", "jsonld", "--output", "records").exit_code == 2


def test_a_nul_in_an_identifier_does_not_reach_grep(repo: Path) -> None:
    """Checking one file scans the others for its identifiers with grep; a value with a NUL (a
    YAML escape can write one) is a finding, never an argument that breaks the scan."""
    studies = repo / "records/studies"
    for i in range(120):  # enough other files for the scan to use grep
        (studies / f"other-{i}.yaml").write_text(f"id: other-{i}\n")
    target = studies / "test-study-base.yaml"
    text = target.read_text()
    assert "    trial_id: NCT00000001" in text
    target.write_text(text.replace("    trial_id: NCT00000001", '    trial_id: "NCT0000\\x000001"'))
    result = run("validate", "--format", "json", str(target))
    assert result.exit_code == 1
    assert {i["code"] for i in json.loads(result.output)["issues"]} == {"control-character", "invalid-identifier",
                                                                   "uncited-source"}


# -- the review of the day's own changes ------------------------------------------------------------


def test_the_command_alone_prints_its_help_on_lines(repo: Path) -> None:
    """The usage-error escaping turned click's no-arguments help into one line of \\n escapes."""
    result = run()
    assert "\nCommands:\n" in result.output and "\\n" not in result.output


def test_a_folder_holding_the_records_may_hold_a_tsv_export(repo: Path) -> None:
    """Only a records folder (one holding a kind folder) refuses an output inside it: '.' holds
    records/ but is none, and build/tables beside records/ was refused as 'inside the records'."""
    result = run("export", "--format", "tsv", ".", "--output", "build/tables")
    assert result.exit_code == 0, result.output
    assert (repo / "build" / "tables" / "studies.tsv").is_file()


def test_a_records_folder_named_like_a_kind_folder_is_a_records_folder(repo: Path) -> None:
    """A copy of the records under alt/studies holds the kind folders: site took it for a kind
    folder and refused it as a part of the records."""
    shutil.copytree(repo / "records", repo / "alt" / "studies")
    result = run("site", "alt/studies", "--output", "s")
    assert result.exit_code == 0, result.output
    assert (repo / "s" / "studies" / "test-study-base.html").is_file()


def test_a_folder_named_like_a_kind_folder_inside_one_changes_nothing(repo: Path) -> None:
    """Asking 'does it hold kind folders?' before 'is it named like one?' took records/studies for
    the records folder once it held an empty conditions/ folder: every reference dangled."""
    (repo / "records" / "studies" / "conditions").mkdir()
    result = run("validate", "records/studies")
    assert result.exit_code == 0, result.output


def test_a_records_folder_with_no_record_yet_refuses_an_output_inside(repo: Path) -> None:
    """The refusal found records folders from their record files: an empty one let site write in it."""
    (repo / "empty" / "studies").mkdir(parents=True)
    result = run("site", "empty", "--output", "empty/site")
    assert result.exit_code == 2
    assert "empty/site is inside empty, which holds the records" in result.output
    assert not (repo / "empty" / "site").exists()


def test_a_records_folder_named_studies_is_its_own_records_folder(repo: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A stray file in a records folder named studies made its parent the records folder: an output
    beside it was refused as 'inside .'; the invalid corpus is what must stop the build."""
    shutil.copytree(repo / "records", repo / "alt" / "studies")
    (repo / "alt" / "studies" / "notes.yaml").write_text("id: notes\n")
    monkeypatch.chdir(repo / "alt")
    result = run("site", "studies", "--output", "build/site")
    assert result.exit_code == 1, result.output
    assert "No site built: fix the errors above first." in result.output and "is inside" not in result.output


def test_export_and_site_keep_out_of_the_records_whatever_folders_they_hold(repo: Path) -> None:
    """A kind folder holding a folder named like another kind stays a part of the records: it let
    export, site and release write into the records folder; and a folder beside the records named
    like a kind folder made export refuse any output under '.'."""
    (repo / "records" / "studies" / "conditions").mkdir()
    assert run("export", "--format", "json", "records/studies", "--output", "records/cell_sources/zz.yaml"
               ).exit_code == 2
    assert run("site", "records/studies", "--output", "records/site").exit_code == 2
    assert not (repo / "records" / "cell_sources" / "zz.yaml").exists() and not (repo / "records" / "site").exists()
    (repo / "records" / "studies" / "conditions").rmdir()
    (repo / "studies").mkdir()
    (repo / "studies" / "README.md").write_text("not a record\n")
    result = run("export", ".", "--output", "build/x.jsonld")
    assert result.exit_code == 0, result.output
