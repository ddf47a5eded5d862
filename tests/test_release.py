"""``respirocell release``: one deterministic folder with every export, a changelog, checksums and
citation metadata, refused for a version that is not newer than the last release tag."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from test_diff import git, make_repo

from respirocell import schema
from respirocell.cli import cli
from respirocell.diff import Changes, diff_sides, render_markdown
from respirocell.export import render_bytes
from respirocell.release import ENTRIES, FILES, ReleaseError, build_release, parse_version
from respirocell.validation import valid_records


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The test repository (old records tagged v2026.01.1, new ones at HEAD) and two builds of
    release 2026.02.1 from it, into two folders."""
    base = tmp_path_factory.mktemp("release")
    repo = make_repo(base)
    outputs = [base / "out-1", base / "out-2"]
    for output in outputs:
        build_release([repo / "records"], "2026.02.1", output)
    return repo, outputs[0], outputs[1]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_release_holds_every_format(released: tuple[Path, Path, Path]) -> None:
    repo, out, _ = released
    assert {p.name for p in out.iterdir()} == ENTRIES
    assert {"studies.tsv", "arms.tsv", "datapackage.json"} <= {p.name for p in (out / "tables").iterdir()}
    assert json.loads((out / "respirocell.json").read_bytes())["format"] == "respirocell-json"
    assert (out / "respirocell.ttl").read_bytes().startswith(b"# respirocell export")
    records = valid_records([repo / "records"])
    for fmt, name in FILES.items():  # what `respirocell export --format FMT` writes, byte for byte
        assert (out / name).read_bytes() == render_bytes(records, fmt), name


def test_rerun_is_byte_identical(released: tuple[Path, Path, Path]) -> None:
    repo, first, second = released
    assert _files(first) == _files(second)
    before = _files(first)
    build_release([repo / "records"], "2026.02.1", first)  # over an earlier release: allowed, same bytes
    assert _files(first) == before


def test_a_rebuild_that_fails_halfway_leaves_the_release_as_it_was(released: tuple[Path, Path, Path],
                                                                   tmp_path: Path) -> None:
    """The next release is built beside the last one and swapped in whole: a build that stops
    halfway (here the disk fills at dataset.jsonld, after the exports, changelog and citation)
    leaves the last release byte for byte, and nothing beside it."""
    from respirocell import fsio

    repo, first, _ = released
    output = tmp_path / "release"
    shutil.copytree(first, output)
    before = _files(output)
    real = fsio.write_atomic

    def full_at_the_dataset(path: Path, data: bytes, **kwargs: Any) -> Path:
        if path.name == "dataset.jsonld":
            raise OSError(28, "No space left on device")
        return real(path, data, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fsio, "write_atomic", full_at_the_dataset)
        with pytest.raises(OSError, match="No space left"):
            build_release([repo / "records"], "2026.02.2", output)
    assert _files(output) == before and [p.name for p in tmp_path.iterdir()] == ["release"]


def test_checksums_verify(released: tuple[Path, Path, Path]) -> None:
    _, out, _ = released
    lines = (out / "MANIFEST.sha256").read_text().splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert names == sorted(names) and set(names) == set(_files(out)) - {"MANIFEST.sha256"}
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "--check", "--strict", "MANIFEST.sha256"], cwd=out, capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_data_package_validates(released: tuple[Path, Path, Path]) -> None:
    from frictionless import validate

    report = validate(released[1] / "tables" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_changelog_lists_the_same_changes_as_diff(released: tuple[Path, Path, Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo, out, _ = released
    changelog = (out / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n\n## 2026.02.1 (2026-06-30)\n\n### Changes since v2026.01.1\n\n")
    monkeypatch.chdir(repo)
    changes = diff_sides("v2026.01.1", "records")
    body = render_markdown(Changes(records=changes.records), title="Changes since v2026.01.1")
    assert changelog.endswith(body)
    assert "`test-study-gamma`" in body and "`test-study-beta`" in body and "`arms[id=msc].dose.value`" in body
    assert "`outcomes[id=outcome-3].result`" in body and "delta" not in body


def test_the_workflow_attaches_every_file_the_metadata_names(released: tuple[Path, Path, Path]) -> None:
    workflow = (Path(__file__).parent.parent / ".github" / "workflows" / "release.yml").read_text()
    attached = set(re.findall(r"build/(?:release/)?([\w.-]+)", workflow.split("files=(", 1)[1].split(")", 1)[0]))
    doc = json.loads((released[1] / "dataset.jsonld").read_bytes())
    named = {d["name"] for d in doc["distribution"]}
    assert named <= attached and attached - named == {"dataset.jsonld", "CITATION.cff", "CHANGELOG.md",
                                                      "MANIFEST.sha256"}
    assert all(d["contentUrl"].endswith(f"/releases/download/v2026.02.1/{d['name']}") for d in doc["distribution"])


def test_dataset_metadata_and_citation(released: tuple[Path, Path, Path]) -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, RDF

    _, out, _ = released
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
        warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
        graph = Graph().parse(out / "dataset.jsonld", format="json-ld")
    release = URIRef("https://github.com/respirocell/respirocell/releases/tag/v2026.02.1")
    sdo = "https://schema.org/"
    assert (release, RDF.type, URIRef(sdo + "Dataset")) in graph and (release, RDF.type, DCAT.Dataset) in graph
    assert graph.value(release, URIRef(sdo + "version")) == Literal("2026.02.1")
    assert graph.value(release, URIRef(sdo + "license")) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert str(graph.value(release, URIRef(sdo + "datePublished"))) == "2026-06-30"  # newest curation date
    doc = json.loads((out / "dataset.jsonld").read_bytes())
    assert {p["name"]: p["value"] for p in doc["additionalProperty"]} == {
        "number of studies": 3, "number of cell sources": 2, "number of conditions": 2}
    assert doc["schemaVersion"] == schema.meta()["version"]
    cff = yaml.safe_load((out / "CITATION.cff").read_text())
    assert (cff["cff-version"], cff["type"], cff["version"], cff["license"]) == ("1.2.0", "dataset", "2026.02.1",
                                                                                   "CC0-1.0")
    assert str(cff["date-released"]) == "2026-06-30"
    assert {"name": "Test Curator", "orcid": "https://orcid.org/0000-0002-1825-0097"} in cff["authors"]


@pytest.mark.parametrize(("version", "message"), [
    ("2026.2.1", "not a calendar version"), ("v2026.02.1", "not a calendar version"),
    ("2026.13.1", "not a calendar version"), ("2025.12.1", "not newer than the latest release, v2026.01.1"),
    ("2026.01.1", "already tags another commit"), ("--output=/x", "not a calendar version")])
def test_bad_versions_are_usage_errors(released: tuple[Path, Path, Path], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, version: str, message: str) -> None:
    monkeypatch.chdir(released[0])
    result = CliRunner().invoke(cli, ["release", "--output", str(tmp_path / "out"), "--", version])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_the_tagged_commit_can_rebuild_its_own_release(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    git(repo, "tag", "v2026.02.1")
    done = build_release([repo / "records"], "2026.02.1", tmp_path / "out")
    assert done.previous == "v2026.01.1" and done.changes.count("added") == 1
    with pytest.raises(ReleaseError):
        parse_version("2026.02.01")


def test_a_foreign_folder_is_refused_and_left_alone(released: tuple[Path, Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["release", "2026.02.1", str(released[0] / "records"), "--output", str(out)])
    assert result.exit_code == 2 and "notes.txt" in result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    (out / "notes.txt").unlink()
    (out / "CITATION.cff").write_text("mine")  # a release's file name, but no release around it
    assert CliRunner().invoke(cli, ["release", "2026.02.1", str(released[0] / "records"), "-o",
                                    str(out)]).exit_code == 2
    assert (out / "CITATION.cff").read_text() == "mine"


def test_an_invalid_corpus_is_not_released(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "records" / "studies" / "test-study-alpha.yaml").write_text("id: test-study-alpha\n")
    result = CliRunner().invoke(cli, ["release", "2026.02.1", str(repo / "records"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Nothing released" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_release_and_first_release_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    records = tmp_path / "corpus" / "records"
    shutil.copytree(Path(__file__).parent / "data" / "export" / "corpus", records)
    monkeypatch.chdir(tmp_path / "corpus")
    result = CliRunner().invoke(cli, ["release", "2026.11.1", "--output", "build/release"])
    assert result.exit_code == 0, result.output
    assert "first release" in result.output
    changelog = (tmp_path / "corpus" / "build" / "release" / "CHANGELOG.md").read_text()
    assert "### First release: every record is new" in changelog and "6 added, 0 removed, 0 changed" in changelog


def test_previous_overrides_the_tag_and_is_verified(released: tuple[Path, Path, Path], tmp_path: Path) -> None:
    records = str(released[0] / "records")
    bad = CliRunner().invoke(cli, ["release", "2026.02.1", records, "-o", str(tmp_path / "a"), "--previous",
                                   "--output=/x"])
    assert bad.exit_code == 2 and "not a commit, branch or tag" in bad.output
    assert not (tmp_path / "a").exists()
    done = build_release([Path(records)], "2026.02.1", tmp_path / "b", previous_ref="HEAD")
    assert done.previous == "HEAD" and done.changes.records == []
    assert "0 added, 0 removed, 0 changed" in (tmp_path / "b" / "CHANGELOG.md").read_text()


def test_an_output_that_is_a_file_is_refused(released: tuple[Path, Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "release"
    target.write_text("mine")
    result = CliRunner().invoke(cli, ["release", "2026.02.1", str(released[0] / "records"), "-o", str(target)])
    assert result.exit_code == 2 and target.read_text() == "mine"


def test_a_foreign_tables_folder_stops_the_release_before_anything_is_written(released: tuple[Path, Path, Path],
                                                                              tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(released[1], out)
    (out / "tables" / "mine.csv").write_text("mine")
    inodes = {p: p.stat().st_ino for p in out.rglob("*")}  # a file rewritten (atomically) gets a new inode
    result = CliRunner().invoke(cli, ["release", "2026.02.1", str(released[0] / "records"), "-o", str(out)])
    assert result.exit_code == 2 and "mine.csv" in result.output
    assert {p: p.stat().st_ino for p in out.rglob("*")} == inodes


def test_release_names_and_an_export_do_not_make_a_folder_an_earlier_release(released: tuple[Path, Path, Path],
                                                                             tmp_path: Path) -> None:
    """A hand-written CHANGELOG.md and CITATION.cff beside a `respirocell export` file: every
    name is one a release writes, but the folder is not a release (no MANIFEST.sha256 listing
    exactly its files), so nothing is replaced."""
    records = str(released[0] / "records")
    out = tmp_path / "proj"
    out.mkdir()
    (out / "CHANGELOG.md").write_text("# My changelog\n")
    (out / "CITATION.cff").write_text("cff-version: 1.2.0 # mine\n")
    assert CliRunner().invoke(cli, ["export", records, "--format", "jsonld", "-o",
                                    str(out / "respirocell.jsonld")]).exit_code == 0
    before = _files(out)
    result = CliRunner().invoke(cli, ["release", "2026.02.1", records, "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: {out} is not an earlier release: it has no MANIFEST.sha256; choose a new or empty folder "
        "(nothing was written)")
    assert _files(out) == before and [p.name for p in tmp_path.iterdir()] == ["proj"]


@pytest.mark.parametrize(("change", "reason"), [
    ("edit", "CHANGELOG.md does not match its checksum in MANIFEST.sha256"),
    ("add", "MANIFEST.sha256 does not list tables/notes.tsv"),
    ("remove", "MANIFEST.sha256 lists respirocell.nt, which is missing"),
    ("garble", "MANIFEST.sha256 line 1 is not '<sha256>  <file>'")])
def test_an_earlier_release_must_match_its_manifest(released: tuple[Path, Path, Path], tmp_path: Path,
                                                    change: str, reason: str) -> None:
    """An earlier release is replaced only as it was written: a hand edit, or a file added or
    removed since, stops the release."""
    out = tmp_path / "out"
    shutil.copytree(released[1], out)
    if change == "edit":
        (out / "CHANGELOG.md").write_text("# Changelog\n\nmy notes\n")
    elif change == "add":
        (out / "tables" / "notes.tsv").write_text("mine\n")
        tables = out / "tables" / ".respirocell-export.json"  # the tsv export's own manifest names it too
        tables.write_text(json.dumps({**json.loads(tables.read_text()),
                                      "files": [*json.loads(tables.read_text())["files"], "notes.tsv"]}))
    elif change == "remove":
        (out / "respirocell.nt").unlink()
    else:
        (out / "MANIFEST.sha256").write_text("not a checksum line\n")
    before = _files(out)
    result = CliRunner().invoke(cli, ["release", "2026.02.1", str(released[0] / "records"), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: {out} is not an earlier release: {reason}; choose a new or empty folder (nothing was written)")
    assert _files(out) == before


def test_an_output_the_release_cannot_make_is_a_usage_error(released: tuple[Path, Path, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    records = str(released[0] / "records")
    (tmp_path / "afile").write_text("mine")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    for output, message in [  # every case of fsio.unusable_output is in tests/test_fsio.py
            ("../afile/x", "../afile is not a folder, so ../afile/x cannot be made in it"),
            (".", ". is the current folder or holds it; give a folder of its own")]:
        result = CliRunner().invoke(cli, ["release", "2026.02.1", records, "-o", output])
        assert result.exit_code == 2, result.output
        assert result.output.splitlines()[-1] == f"Error: {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "here"]
    assert (tmp_path / "afile").read_text() == "mine" and list((tmp_path / "here").iterdir()) == []


def test_a_part_of_the_records_is_not_released(released: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """One study file released as the corpus: a changelog of every other record 'removed', exit 0."""
    repo, _, _ = released
    result = CliRunner().invoke(cli, ["release", "2026.03.1", str(repo / "records" / "studies"), "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "studies is not a records folder: a site or release is built from the whole folder" in result.output
    assert not (tmp_path / "out").exists()


def test_the_library_takes_str_paths(released: tuple[Path, Path, Path], tmp_path: Path) -> None:
    repo, out, _ = released
    done = build_release(str(repo / "records"), "2026.02.1", str(tmp_path / "out"))
    assert _files(tmp_path / "out") == _files(out) and done.version == "2026.02.1"
