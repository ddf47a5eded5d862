"""The curation gate: the committed corpus validates, with no errors and no warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from respirocell import validate_paths

RECORDS = Path(__file__).parent.parent / "records"


def test_corpus_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(RECORDS.parent)
    report = validate_paths(["records"])
    assert [f"{i.file}:{i.line}: {i.code} {i.message}" for i in report.errors] == []


def test_corpus_size() -> None:
    studies = list((RECORDS / "studies").glob("*.yaml"))
    conditions = list((RECORDS / "conditions").glob("*.yaml"))
    assert len(studies) >= 30
    assert len(conditions) >= 7


def test_every_study_cites_a_resolvable_identifier() -> None:
    from respirocell.loading import parse_text

    for path in sorted((RECORDS / "studies").glob("*.yaml")):
        data = parse_text(path.read_bytes())
        ids = [r["trial_id"] for r in data.get("registrations", [])]
        ids += [p[k] for p in data.get("publications", []) for k in ("doi", "pmid") if k in p]
        assert ids, path.name


def test_corpus_is_in_canonical_form(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from respirocell.cli import cli

    monkeypatch.chdir(RECORDS.parent)
    result = CliRunner().invoke(cli, ["fmt", "--check", "records"])
    assert result.exit_code == 0, "run: respirocell fmt records/\n" + result.output
