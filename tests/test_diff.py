"""``respirocell diff``: a semantic diff of two corpora (folders or git refs).

Two corpora built from the export fixtures differ by an added study, a removed study, a changed
dose, a new result and a file that was only reformatted; the diff must report exactly the first
four, the same way in JSON, Markdown and text, and from folders or from git refs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from respirocell.cli import cli
from respirocell.diff import (
    DiffError,
    FieldChange,
    diff_corpora,
    diff_sides,
    read_side,
    render_json,
    render_markdown,
    render_text,
)
from respirocell.loading import parse_text

FIXTURE = Path(__file__).parent / "data" / "export" / "corpus"
DOSE = ("arms[id=msc].dose.value", "changed", 1000000.0, 1500000.0)
RESULT_DATA = {"direction": "favours_intervention", "summary": "Walked 40 m further than placebo (fictional)."}
RESULT = ("outcomes[id=outcome-3].result", "added", None, RESULT_DATA)


def _reversed(data: Any) -> Any:
    """The same data with every mapping's keys and every list in reverse order."""
    if isinstance(data, dict):
        return {k: _reversed(data[k]) for k in reversed(list(data))}
    if isinstance(data, list):
        return [_reversed(v) for v in reversed(data)]
    return data


def make_corpora(base: Path) -> tuple[Path, Path]:
    """``old`` = the fixture plus study delta; ``new`` = old with beta removed, gamma added,
    alpha's dose changed and a result added to alpha's outcome-3, and delta reformatted."""
    old, new = base / "old", base / "new"
    shutil.copytree(FIXTURE, old)
    alpha = (old / "studies" / "test-study-alpha.yaml").read_text(encoding="utf-8")
    delta = alpha.replace("test-study-alpha", "test-study-delta").replace("ALPHA-TEST", "DELTA-TEST") \
        .replace("NCT09000001", "NCT09000004").replace("ChiCTR2600000001", "ChiCTR2600000004") \
        .replace("follow_up_duration: P1Y6M\n", "follow_up_duration: P1Y6M\nfollow_up_of: test-study-alpha\n") \
        .replace("        - follow_up_duration\n", "        - follow_up_duration\n        - follow_up_of\n")
    (old / "studies" / "test-study-delta.yaml").write_text(delta, encoding="utf-8")
    shutil.copytree(old, new)

    beta = (new / "studies" / "test-study-beta.yaml").read_text(encoding="utf-8")
    (new / "studies" / "test-study-beta.yaml").unlink()
    gamma = beta.replace("test-study-beta", "test-study-gamma").replace("NCT09000002", "NCT09000003") \
        .replace("open-label extension", "second open-label extension")
    (new / "studies" / "test-study-gamma.yaml").write_text(gamma, encoding="utf-8")

    changed = alpha.replace("      value: 1.0e6\n", "      value: 1.5e6\n").replace(
        "    timepoint: day 180\n",
        "    timepoint: day 180\n    result:\n      direction: favours_intervention\n"
        "      summary: Walked 40 m further than placebo (fictional).\n")
    assert changed.count("1.5e6") == 1 and changed.count("favours_intervention") == 1
    (new / "studies" / "test-study-alpha.yaml").write_text(changed, encoding="utf-8")

    data = parse_text(delta.encode())  # YAML 1.2, as records are read; safe_dump quotes what 1.1 would misread
    text = "# reformatted: keys and lists reversed, comments added\n" + yaml.safe_dump(
        _reversed(data), sort_keys=False, allow_unicode=True, width=60).replace("\nid: ", "\n# the id\nid: ")
    (new / "studies" / "test-study-delta.yaml").write_text(text, encoding="utf-8")
    return old, new


@pytest.fixture
def corpora(tmp_path: Path) -> tuple[Path, Path]:
    return make_corpora(tmp_path)


def _fields(doc: dict[str, Any], rid: str) -> list[tuple[str, str, Any, Any]]:
    record = next(r for r in doc["records"] if r["id"] == rid)
    return [(f["path"], f["change"], f["old"], f["new"]) for f in record["fields"]]


def assert_the_four_changes(doc: dict[str, Any]) -> None:
    assert doc["version"] == 1
    assert doc["summary"] == {"added": 1, "removed": 1, "changed": 1}
    assert [(r["kind"], r["id"], r["change"]) for r in doc["records"]] == [
        ("Study", "test-study-alpha", "changed"), ("Study", "test-study-beta", "removed"),
        ("Study", "test-study-gamma", "added")]
    assert _fields(doc, "test-study-alpha") == [DOSE, RESULT]
    assert doc["records"][1]["old"]["id"] == "test-study-beta"
    assert doc["records"][2]["new"]["title"].startswith("A fictional second open-label")
    assert doc["unreadable"] == []


def test_the_reformatted_file_really_differs_as_text(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    before, after = (side / "studies" / "test-study-delta.yaml" for side in (old, new))
    assert before.read_text() != after.read_text()
    key = ("Study", "test-study-delta")
    before_data, after_data = read_side(str(old)).records[key], read_side(str(new)).records[key]
    assert list(before_data) != list(after_data) and before_data["arms"] != after_data["arms"]
    assert diff_corpora({key: before_data}, {key: after_data}).records == []


def test_json_reports_exactly_the_four_changes(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    assert_the_four_changes(json.loads(render_json(diff_sides(str(old), str(new)))))


def test_markdown_reports_exactly_the_four_changes(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    text = render_markdown(diff_sides(str(old), str(new)))
    assert "1 added, 1 removed, 1 changed" in text
    assert "**Added**\n\n- study `test-study-gamma`: A fictional second open-label" in text
    assert "**Removed**\n\n- study `test-study-beta`:" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows == ["| `arms[id=msc].dose.value` | changed | `1000000.0` | `1500000.0` |",
                    '| `outcomes[id=outcome-3].result` | added |  | `{"direction": "favours_intervention", '
                    '"summary": "Walked 40 m further than placebo (fictional)."}` |']
    assert "delta" not in text


def test_text_output_and_colour(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    changes = diff_sides(str(old), str(new))
    plain = render_text(changes)
    assert "\033[" not in plain
    assert "~ study test-study-alpha" in plain and "+ study test-study-gamma" in plain
    assert "    arms[id=msc].dose.value: 1000000.0 -> 1500000.0" in plain
    assert "\033[32m+ study test-study-gamma\033[0m" in render_text(changes, color=True)
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])  # not a terminal: no colour
    assert result.exit_code == 0 and result.output == plain


def test_cli_formats(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    runner = CliRunner()
    done = runner.invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert done.exit_code == 0
    assert_the_four_changes(json.loads(done.output))
    done = runner.invoke(cli, ["diff", str(old), str(new), "--format", "markdown"])
    assert done.exit_code == 0 and done.output.startswith("### Changes in the evidence\n")
    same = runner.invoke(cli, ["diff", str(old), str(old), "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.output)["records"] == []


def test_lists_match_by_key_and_plain_lists_ignore_order() -> None:
    old = {("Study", "s"): {"id": "s", "countries": ["US", "NO"], "publications": [
        {"pmid": "1", "citation": "A"}, {"doi": "10.1/x", "citation": "B"}]}}
    new = {("Study", "s"): {"id": "s", "countries": ["NO", "US"], "publications": [
        {"doi": "10.1/x", "citation": "B"}, {"pmid": "1", "doi": "10.1/a", "citation": "A"}]}}
    changes = diff_corpora(old, new)
    assert changes.records[0].fields == [FieldChange(("publications", ("pmid", "1"), "doi"), "added",
                                                     new="10.1/a")]
    fewer = {("Study", "s"): {**old[("Study", "s")], "countries": ["US"]}}
    assert diff_corpora(old, fewer).records[0].fields == [FieldChange(("countries",), "changed", ["US", "NO"], ["US"])]


def test_types_count_but_key_order_does_not() -> None:
    old = {("Study", "s"): {"id": "s", "enrollment": {"count": 5, "type": "actual"}}}
    same = {("Study", "s"): {"enrollment": {"type": "actual", "count": 5}, "id": "s"}}
    assert diff_corpora(old, same).records == []
    floated = {("Study", "s"): {"id": "s", "enrollment": {"count": 5.0, "type": "actual"}}}
    assert [f.where for f in diff_corpora(old, floated).records[0].fields] == ["enrollment.count"]


def test_an_unreadable_file_is_named_not_fatal(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    (new / "conditions" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    doc = json.loads(render_json(diff_sides(str(old), str(new))))
    assert [u.split(":")[0] for u in doc["unreadable"]] == ["new"]
    assert "conditions/broken.yaml" in doc["unreadable"][0]


# ------------------------------------------------------------------------------------------ git refs


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(base: Path) -> Path:
    """A repository whose first commit (tagged v2026.01.1) holds ``old`` as records/ and whose
    second holds ``new``; the working tree is the second commit."""
    old, new = make_corpora(base)
    repo = base / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copytree(old, repo / "records")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    git(repo, "tag", "v2026.01.1")
    shutil.rmtree(repo / "records")
    shutil.copytree(new, repo / "records")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new")
    return repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    found = make_repo(tmp_path)
    monkeypatch.chdir(found)
    return found


def test_diff_between_git_refs(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "v2026.01.1", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert_the_four_changes(doc)
    assert doc["old"]["source"] == "git" and doc["old"]["ref"] == "v2026.01.1" and len(doc["old"]["commit"]) == 40


def test_a_ref_against_the_working_tree_and_the_default_base(repo: Path) -> None:
    assert_the_four_changes(json.loads(render_json(diff_sides("HEAD~1", None))))
    git(repo, "checkout", "-q", "-b", "topic", "v2026.01.1")
    shutil.rmtree(repo / "records")
    shutil.copytree(repo.parent / "new", repo / "records")  # the topic branch's uncommitted work
    changes = diff_sides(None, None)  # merge base of topic with main: the tagged commit
    assert changes.old["commit"] == git(repo, "rev-parse", "v2026.01.1").strip()
    assert_the_four_changes(json.loads(render_json(changes)))


def test_export_ignore_cannot_hide_a_record(repo: Path) -> None:
    (repo / ".gitattributes").write_text("records/studies/test-study-gamma.yaml export-ignore\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hide")
    assert ("Study", "test-study-gamma") in read_side("HEAD").records


@pytest.mark.parametrize("ref", ["--output=/x", "nope", "-h", "HEAD:records", ""])
def test_bad_refs_exit_2(repo: Path, ref: str) -> None:
    result = CliRunner().invoke(cli, ["diff", "--", ref, "HEAD"])
    assert result.exit_code == 2, result.output
    assert "is not a commit, branch or tag" in result.output or "is not a git ref" in result.output
    assert not (repo / "x").exists() and not Path("/x").exists()
    with pytest.raises(DiffError):
        read_side(ref)


def test_a_bad_ref_with_json_output_is_a_json_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "nope", "--format", "json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["status"] == "usage-error"


def test_outside_a_repository_a_ref_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = CliRunner().invoke(cli, ["diff", "main"])
    assert result.exit_code == 2 and "not in a git repository" in result.output


def test_an_oversized_file_in_a_ref_is_named_not_read(repo: Path) -> None:
    from respirocell.diff import read_side
    from respirocell.loading import MAX_FILE_BYTES

    (repo / "records" / "studies" / "huge.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "huge")
    side = read_side("HEAD")
    assert side.unreadable == [f"studies/huge.yaml: file is {MAX_FILE_BYTES + 1:,} bytes; records are limited to "
                               f"{MAX_FILE_BYTES:,}"]
    assert len(side.records) == 7


def test_a_missing_records_folder_is_a_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "HEAD", "--records", "nope"])
    assert result.exit_code == 2 and "there are no records at nope/ in commit" in result.output
    result = CliRunner().invoke(cli, ["diff", str(repo / "records"), "--records", "nope"])
    assert result.exit_code == 2 and "there is no nope folder here" in result.output


def plant(repo: Path, folder: str, *entries: str) -> str:
    """A commit on top of HEAD whose tree at ``folder`` also holds ``entries`` (``ls-tree`` lines):
    git's plumbing makes trees a checkout could not, such as a file and a folder of one name."""
    def run(args: list[str], stdin: str | None = None) -> str:
        return git(repo, *args, stdin=stdin).strip()

    parts = folder.split("/")
    tree = run(["mktree"], run(["ls-tree", f"HEAD:{folder}"]) + "\n" + "".join(f"{e}\n" for e in entries))
    for depth in range(len(parts) - 1, -1, -1):  # rebuild each tree above it
        above = "/".join(parts[:depth])
        lines = [line if not line.endswith(f"\t{parts[depth]}") else f"040000 tree {tree}\t{parts[depth]}"
                 for line in run(["ls-tree", f"HEAD:{above}"]).splitlines()]
        tree = run(["mktree"], "\n".join(lines) + "\n")
    return run(["commit-tree", tree, "-p", "HEAD", "-m", "planted"])


def test_a_name_too_long_for_a_file_is_named_not_fatal(repo: Path) -> None:
    blob = git(repo, "rev-parse", "HEAD:records/studies/test-study-alpha.yaml").strip()
    long = "a" * 300 + ".yaml"  # over the 255 bytes file systems allow in a name
    commit = plant(repo, "records/studies", f"100644 blob {blob}\t{long}")
    side = read_side(commit)
    assert side.unreadable == [f"studies/{long}: the name is too long for a record (a part over 200 bytes)"]
    assert len(side.records) == 7
    result = CliRunner().invoke(cli, ["diff", "HEAD", commit, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unreadable"] == [f"new: {side.unreadable[0]}"]


def test_a_file_and_a_folder_of_one_name_are_named_not_fatal(repo: Path) -> None:
    blob = git(repo, "rev-parse", "HEAD:records/studies/test-study-alpha.yaml").strip()
    commit = plant(repo, "records", f"100644 blob {blob}\tstudies")  # beside the folder studies/
    assert git(repo, "ls-tree", f"{commit}:records").count("\tstudies\n") == 2
    side = read_side(commit)
    assert side.unreadable == ["studies: a file and a folder have this name at this commit; the file was not read"]
    assert len(side.records) == 7
    result = CliRunner().invoke(cli, ["diff", "HEAD", commit])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("\nnot compared: new: studies: a file and a folder have this name at this commit; "
                                  "the file was not read\n")


def test_a_blob_too_large_is_never_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sizes are asked first (cat-file --batch-check): a blob over the limit never reaches memory,
    and one that is no record (notes.txt) is not named either, as in a folder."""
    from respirocell.changes import run_git as real
    from respirocell.loading import MAX_FILE_BYTES

    for name in ["studies/huge.yaml", "notes.txt"]:
        (repo / "records" / name).write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "huge")
    huge = {git(repo, "rev-parse", f"HEAD:records/{name}").strip() for name in ["studies/huge.yaml", "notes.txt"]}
    asked: list[bytes] = []

    def run_git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
        if args == ["cat-file", "--batch"]:
            asked.append(stdin or b"")
        return real(args, cwd, stdin)

    monkeypatch.setattr("respirocell.changes.run_git", run_git)
    side = read_side("HEAD")
    assert asked and not any(sha.encode() in stdin for stdin in asked for sha in huge)
    assert side.unreadable == [f"studies/huge.yaml: file is {MAX_FILE_BYTES + 1:,} bytes; records are limited to "
                               f"{MAX_FILE_BYTES:,}"]
    assert len(side.records) == 7


def test_markdown_mentions_no_one() -> None:
    """Record text goes into release notes and step summaries: '@octocat' there notifies them."""
    old = {("Study", "s"): {"id": "s", "title": "T"}}
    new = {("Study", "s"): {"id": "s", "title": "Ping @octocat and @respirocell/maintainers"}}
    text = render_markdown(diff_corpora(old, new))
    prose = [line for line in text.splitlines() if not line.startswith("|")]  # code spans mention no one
    assert "**Changed** study `s`: Ping @&#8203;octocat and @&#8203;respirocell/maintainers" in prose
    assert not any("@octocat" in line or "@respirocell/" in line for line in prose)


# ------------------------------------------------------------------------------- hostile review, 3rd


def test_an_unreadable_record_is_not_compared_not_taken_for_removed(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    (new / "studies" / "test-study-alpha.yaml").write_text('id: test-study-alpha\ntitle: "unclosed\n',
                                                           encoding="utf-8")
    doc = json.loads(render_json(diff_sides(str(old), str(new))))
    assert doc["summary"] == {"added": 1, "removed": 1, "changed": 0}  # gamma and beta only
    assert "test-study-alpha" not in [r["id"] for r in doc["records"]]
    assert [u.split(": ")[1] for u in doc["unreadable"]] == ["studies/test-study-alpha.yaml"]


def test_numbers_json_cannot_hold_are_written_as_yaml_spells_them(corpora: tuple[Path, Path]) -> None:
    old, new = corpora
    alpha = new / "studies" / "test-study-alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("      value: 1.5e6\n", "      value: .nan\n"),
                     encoding="utf-8")
    text = render_json(diff_sides(str(old), str(new)))
    doc = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert ("arms[id=msc].dose.value", "changed", 1.0e6, ".nan") in _fields(doc, "test-study-alpha")


def test_a_records_path_that_is_not_in_a_ref_is_a_usage_error(repo: Path) -> None:
    """A mistyped --records read as an empty corpus on both sides: 'no changes', exit 0."""
    result = CliRunner().invoke(cli, ["diff", "v2026.01.1", "HEAD", "--records", "record"])
    assert result.exit_code == 2, result.output
    assert "there are no records at record/ in commit" in result.output and "nor in the working tree" in result.output


def test_a_ref_from_before_the_records_has_none(repo: Path) -> None:
    """A branch that adds records/, diffed against main (or a release whose previous tag had no
    records): every record is added, not a usage error."""
    first = git(repo, "commit-tree", git(repo, "mktree", stdin="").strip(), "-m", "empty").strip()
    doc = json.loads(CliRunner().invoke(cli, ["diff", first, "HEAD", "--format", "json"]).output)
    assert doc["summary"] == {"added": 7, "removed": 0, "changed": 0}


def test_a_record_too_large_in_a_ref_is_not_compared(repo: Path) -> None:
    """Files a ref holds but that are not read (too large here) were counted as added or removed."""
    alpha = repo / "records" / "studies" / "test-study-alpha.yaml"
    text = alpha.read_text(encoding="utf-8")
    from respirocell.loading import MAX_FILE_BYTES

    alpha.write_text(text + "#" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    git(repo, "commit", "-qam", "huge alpha")
    alpha.write_text(text, encoding="utf-8")
    doc = json.loads(CliRunner().invoke(cli, ["diff", "HEAD", "--format", "json"]).output)
    assert "test-study-alpha" not in [r["id"] for r in doc["records"]]
    assert [u.split(":")[1].strip() for u in doc["unreadable"]] == ["studies/test-study-alpha.yaml"]
    # The same with the kind folder as --records: the file's kind comes from its folder in the ref.
    doc = json.loads(CliRunner().invoke(cli, ["diff", "HEAD", "--records", "records/studies", "--format",
                                              "json"]).output)
    assert "test-study-alpha" not in [r["id"] for r in doc["records"]]
    assert [u.split(":")[1].strip() for u in doc["unreadable"]] == ["test-study-alpha.yaml"]
