"""respirocell import: API v2 study -> draft record, field by field; the fetch path against a local server."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from respirocell.cli import cli
from respirocell.identifiers import country_code
from respirocell.registry import vocab
from respirocell.registry.client import (
    CacheDir,
    MalformedResponse,
    RateLimiter,
    RegistryClient,
    RegistryUnavailable,
    StudyNotFound,
    check_nct_id,
    retry_after,
)
from respirocell.registry.draft import Draft, build_draft, placeholders, render
from respirocell.validation import validate_paths

TESTS = Path(__file__).parent
FIXTURES = TESTS / "data" / "registry"
REPO_CONDITIONS = TESTS.parent / "records" / "conditions"
BASE = TESTS / "data" / "base"
TODAY = dt.date(2026, 11, 28)
NCT_IDS = sorted(p.stem for p in FIXTURES.glob("NCT*.json"))


def study(nct_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{nct_id}.json").read_text(encoding="utf-8"))
    return data


@functools.cache
def conditions() -> list[dict[str, Any]]:
    return vocab.load_condition_records(REPO_CONDITIONS)


@functools.cache
def _draft(nct_id: str) -> Draft:
    return build_draft(study(nct_id), conditions=conditions(), today=TODAY)


def draft_of(nct_id: str) -> Draft:
    """The draft of a fixture (built once per test run: a copy, so tests may change it)."""
    return copy.deepcopy(_draft(nct_id))


def fmt_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for elem in path:
        out += f"[{elem}]" if isinstance(elem, int) else (f".{elem}" if out else elem)
    return out


#: What a curator would write in place of each placeholder (by the path's last named field).
FILLS: dict[str, Any] = {
    "cell_source": "msc-bone-marrow-allogeneic",
    "dose": {"value": 10.0e6, "unit": "cells_per_kg"},
    "route": "intravenous",
    "category": "other",
    "direction": "descriptive",
    "role": "primary_results",
    "name": "Test Curator",
}


def fill(draft: Draft) -> dict[str, Any]:
    """The draft with every placeholder filled as a curator would (conditions: the suggested ids)."""
    data = copy.deepcopy(draft.data)
    data["conditions"] = [cid for cid, _ in draft.suggested_conditions]
    for path in list(placeholders(data)):
        parent: Any = data
        for elem in path[:-1]:
            parent = parent[elem]
        key = path[-1]
        named = key if isinstance(key, str) else path[-2]
        if named == "value":  # the dose as a whole is filled at once
            continue
        parent[key] = FILLS["dose"]["unit"] if named == "unit" else FILLS[str(named)]
        if named == "unit":
            parent["value"] = FILLS["dose"]["value"]
    return data


def corpus_with(tmp_path: Path, records: dict[str, str]) -> Path:
    """A valid corpus: the base cell sources and conditions, the repository's conditions, and ``records``."""
    root = tmp_path / "records"
    shutil.copytree(BASE, root)
    (root / "studies" / "test-study-base.yaml").unlink()
    for path in REPO_CONDITIONS.glob("*.yaml"):
        shutil.copy(path, root / "conditions" / path.name)
    for record_id, text in records.items():
        (root / "studies" / f"{record_id}.yaml").write_text(text, encoding="utf-8")
    return root


# -- the draft, field by field ---------------------------------------------------------------

EXPECTED: dict[str, dict[str, Any]] = {
    "NCT02097641": {
        "id": "start-phase-2", "acronym": "START", "evidence_basis": "registry_results", "phase": "phase_2",
        "status": "completed", "study_type": "interventional", "sponsors": ["Michael A. Matthay"],
        "countries": ["US"], "start_date": "2014-03-15", "completion_date": "2018-02-09",
        "design": {"allocation": "randomized", "masking": "triple", "model": "parallel", "control": "placebo"},
        "enrollment": {"count": 60, "type": "actual"},
        "registrations": [{"registry": "clinicaltrials", "trial_id": "NCT02097641"}],
        "arms": [("Human Mesenchymal Stromal Cells (hMSCs)", "experimental"),
                 ("Plasma-Lyte A (placebo)", "placebo_comparator")],
        "outcomes": [("pre-specified-infusion-associated", "primary", "6 hours"),
                     ("serious-adverse-events", "safety", "60 days")],
        "conditions": [("ards", "Respiratory Distress Syndrome")],
    },
    "NCT04493242": {
        "id": "exit-covid19-phase-2", "acronym": "EXIT-COVID19", "evidence_basis": "registry_only",
        "phase": "phase_2", "status": "completed", "sponsors": ["Direct Biologics, LLC"], "countries": ["US"],
        "design": {"allocation": "randomized", "masking": "double", "model": "parallel", "control": "placebo"},
        "enrollment": {"count": 102, "type": "actual"},
        "arms": [("ExoFlo 15 mL", "experimental"), ("ExoFlo 10 mL", "experimental"), ("Placebo", "placebo_comparator")],
        "outcomes": [("all-cause-mortality", "primary", "60 days")],
        "conditions": [("ards", "ARDS"), ("covid-19", "COVID-19")],
    },
    "NCT03392467": {
        "acronym": None, "phase": "phase_2", "status": "completed", "sponsors": ["Medipost Co Ltd."],
        "countries": ["KR"], "start_date": "2018-08-13", "completion_date": "2021-07",
        "design": {"allocation": "randomized", "masking": "quadruple", "model": "parallel", "control": "placebo"},
        "enrollment": {"count": 60, "type": "planned"},
        "arms": [("PNEUMOSTEM", "experimental"), ("Placebo", "placebo_comparator")],
        "outcomes": [("severe-bpd-dead", "primary", "36 weeks postmenstrual age (PMA)"),
                     ("moderate-severe-bpd-dead", "secondary", "36 weeks PMA"),
                     ("intubation-duration", "secondary", "up to 24 weeks")],
        "conditions": [("bronchopulmonary-dysplasia", "Severe Bronchopulmonary Dysplasia")],
    },
    "NCT02013700": {
        "id": "aether-phase-1", "acronym": "AETHER", "phase": "phase_1", "status": "terminated",
        "sponsors": ["Joshua M Hare"], "countries": ["US"], "start_date": "2013-11-13",
        "design": {"allocation": "randomized", "model": "parallel", "control": "placebo"},
        "enrollment": {"count": 9, "type": "actual"},
        "publications": [{"pmid": "27890713", "doi": "10.1016/j.chest.2016.10.061"}],
        "arms": [("hMSC", "experimental"), ("Placebo", "placebo_comparator")],
        "outcomes": [("treatment-emergent-serious-adverse", "primary", "Week 4 post-infusion")],
        "conditions": [("idiopathic-pulmonary-fibrosis", "Idiopathic Pulmonary Fibrosis")],
    },
    "NCT02611609": {
        "id": "must-ards-phase-1-2", "phase": "phase_1_2", "status": "completed", "sponsors": ["Athersys, Inc"],
        "countries": ["GB", "US"], "start_date": "2016-01", "completion_date": "2019-07",
        "enrollment": {"count": 36, "type": "actual"},
        "publications": [{"pmid": "34811567"}],
        "arms": [("Cohort 1 (low dose MultiStem, open label)", "experimental"),
                 ("Cohort 2 (high dose MultiStem, open label)", "experimental"),
                 ("Cohort 3 MultiStem", "experimental"), ("Cohort 3 placebo", "placebo_comparator")],
        "conditions": [("ards", "Acute Respiratory Distress Syndrome")],
    },
    "NCT00469027": {
        "id": "phacet-phase-1", "acronym": "PHACeT", "phase": "phase_1", "status": "completed",
        "sponsors": ["Northern Therapeutics"], "countries": ["CA"], "start_date": "2006-05",
        "completion_date": "2012-07", "enrollment": {"count": 7, "type": "actual"},
        "design": {"allocation": "not_applicable", "masking": "none", "model": "single_group", "control": "none"},
        "registrations": [{"registry": "clinicaltrials", "trial_id": "NCT00469027"},
                          {"registry": "isrctn", "trial_id": "ISRCTN14519481"}],
        "arms": [("eNOS transfected EPCs", "experimental")],
        "outcomes": [],
        "conditions": [("pulmonary-arterial-hypertension", "Pulmonary Arterial Hypertension")],
    },
}


def test_every_fixture_has_expectations() -> None:
    assert set(EXPECTED) == set(NCT_IDS)


@pytest.mark.parametrize("nct_id", NCT_IDS)
def test_draft_fields_match_the_fixture(nct_id: str) -> None:
    draft, source, want = draft_of(nct_id), study(nct_id)["protocolSection"], EXPECTED[nct_id]
    data = draft.data
    assert data["title"] == (source["identificationModule"].get("officialTitle")
                             or source["identificationModule"]["briefTitle"])
    for key in ("id", "acronym", "evidence_basis", "phase", "status", "study_type", "sponsors", "countries",
                "start_date", "completion_date", "design", "enrollment", "registrations"):
        if key in want:
            assert data.get(key) == want[key], key
    for got, expected in zip(data.get("publications", []), want.get("publications", []), strict=True):
        assert {k: got[k] for k in expected} == expected
        assert got["role"] == "TODO-publication-role"
    assert [(a["label"], a["role"]) for a in data["arms"]] == want["arms"]
    if "outcomes" in want:
        assert [(o["id"], o["role"], o.get("timepoint")) for o in data.get("outcomes", [])] == want["outcomes"]
    assert draft.suggested_conditions == want["conditions"]
    assert data["conditions"] == ["TODO-condition"]
    # every filled field is named under the registry id, and nothing else is
    (source_use,) = data["curation"]["sources"]
    assert source_use["source"] == nct_id
    assert source_use["fields"] == [k for k in data if k not in ("id", "curation")]


def test_arms_and_outcomes_take_registry_text() -> None:
    data = draft_of("NCT02097641").data
    assert data["arms"][0]["intervention"].startswith("A single dose of 10 million cells/kg PBW")
    assert "cell_source" not in data["arms"][1] and "dose" not in data["arms"][1]
    primary = data["outcomes"][0]
    assert primary["name"] == "Number of Patients With Pre-specified Infusion-associated Events"
    assert primary["source"] == "NCT02097641"
    assert primary["result"]["comparison"] == "Human Mesenchymal Stem Cells vs Plasma-Lyte A"
    assert "Human Mesenchymal Stem Cells: 0; Plasma-Lyte A: 0" in primary["result"]["summary"]
    sae = data["outcomes"][1]
    assert sae["category"] == "adverse_events"
    assert "MedDRA (20.0) terms" in sae["result"]["summary"]
    assert "Hypotension (Vascular disorders): Human Mesenchymal Stem Cells 1/40, Plasma-Lyte A 0/20" in (
        sae["result"]["summary"])


def test_terminated_study_keeps_its_status_and_results_paper() -> None:
    data = draft_of("NCT02013700").data
    assert data["status"] == "terminated" and "status_reason" not in data  # the registry gives no reason
    assert data["publications"][0]["citation"].startswith("Glassberg MK, et al.")


def test_placeholders_have_comments_quoting_the_registry() -> None:
    draft = draft_of("NCT03392467")
    text = draft.text
    assert "# TODO cell_source" in text
    assert "'human umbilical cord blood derived mesenchymal stem cell (hUCB-MSC)'" in text
    assert "Suggested: bronchopulmonary-dysplasia (matches 'Severe Bronchopulmonary Dysplasia')" in " ".join(
        line.strip("# ") for line in text.splitlines() if line.lstrip().startswith("#"))
    for path in placeholders(draft.data):
        assert path in draft.comments or path[:-1] in draft.comments, path


@pytest.mark.parametrize("nct_id", NCT_IDS)
def test_draft_is_canonical(nct_id: str) -> None:
    from respirocell.formatting import format_text

    text = draft_of(nct_id).text
    assert format_text(text.encode("utf-8"), "Study").decode("utf-8") == text
    assert text.startswith(f"# Draft imported from ClinicalTrials.gov {nct_id}")


def test_draft_fails_validation_exactly_on_the_placeholders(tmp_path: Path) -> None:
    draft = draft_of("NCT02097641")
    report = validate_paths([corpus_with(tmp_path, {draft.record_id: draft.text})])
    assert {(i.code, i.path) for i in report.errors} == {
        ("dangling-reference", "conditions[0]"),
        ("dangling-reference", "arms[0].cell_source"),
        ("wrong-type", "arms[0].dose.value"),
        ("invalid-enum", "arms[0].dose.unit"),
        ("invalid-enum", "arms[0].route"),
        ("invalid-enum", "outcomes[0].category"),
        ("invalid-enum", "outcomes[0].result.direction"),
        ("invalid-enum", "outcomes[1].result.direction"),
        ("empty-value", "curation.curators[0].name"),
    }


@pytest.mark.parametrize("nct_id", NCT_IDS)
def test_errors_are_only_on_placeholders(nct_id: str, tmp_path: Path) -> None:
    draft = draft_of(nct_id)
    report = validate_paths([corpus_with(tmp_path, {draft.record_id: draft.text})])
    assert {i.path for i in report.errors} == {fmt_path(p) for p in placeholders(draft.data)}


@pytest.mark.parametrize("nct_id", NCT_IDS)
def test_filled_draft_validates(nct_id: str, tmp_path: Path) -> None:
    draft = draft_of(nct_id)
    report = validate_paths([corpus_with(tmp_path, {draft.record_id: render(fill(draft), {})})])
    assert report.errors == []


# -- vocabulary --------------------------------------------------------------------------------

@pytest.mark.parametrize(("phases", "expected"), [
    (["PHASE1", "PHASE2"], "phase_1_2"), (["PHASE2", "PHASE1"], "phase_1_2"), (["EARLY_PHASE1"], "early_phase_1"),
    (["NA"], "not_applicable"), (["PHASE2", "PHASE3"], "phase_2_3"), (["PHASE4"], "phase_4"),
    (["PHASE1", "PHASE3"], None),
])
def test_phases(phases: list[str], expected: str | None) -> None:
    assert vocab.phase(phases) == expected


@pytest.mark.parametrize(("secondary", "registry"), [
    ("ChiCTR2000029990", "chictr"), ("ChiCTR-IPR-17012345", "chictr"), ("ISRCTN14519481", "isrctn"),
    ("2017-000584-33", "euclinicaltrials"), ("2023-504123-11-00", "ctis"), ("ACTRN12614000731695", "anzctr"),
    ("IRCT20200621047859N4", "irct"), ("MD-BPD-US001", None), ("R01HL123456", None),
])
def test_secondary_ids_are_matched_to_registries(secondary: str, registry: str | None) -> None:
    assert vocab.registry_of(secondary) == registry


@pytest.mark.parametrize(("name", "code"), [
    ("United States", "US"), ("Korea, Republic of", "KR"), ("Iran, Islamic Republic of", "IR"), ("Turkey", "TR"),
    ("United Kingdom", "GB"), ("Taiwan", "TW"), ("Atlantis", None), ("UK", "GB"), ("china", "CN"), ("USA", "US"),
    ("Russia", "RU"), ("UAE", "AE"),
])
def test_countries(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_condition_suggestions_prefer_the_longest_name() -> None:
    names = vocab.condition_names(conditions())
    assert vocab.suggest_conditions(["Idiopathic Pulmonary Fibrosis"], names) == [
        ("idiopathic-pulmonary-fibrosis", "Idiopathic Pulmonary Fibrosis")]
    assert vocab.suggest_conditions(["Lung Cancer"], names) == []


# -- the command, offline ---------------------------------------------------------------------

def test_import_from_file_writes_the_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = corpus_with(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "NCT03392467.json")])
    assert result.exit_code == 0, result.output
    written = records / "studies" / "pneumostem-prevention-treatment-severe-bpd-phase-2.yaml"
    assert f"wrote {written.relative_to(tmp_path)}" in result.output
    assert "suggested conditions: bronchopulmonary-dysplasia" in result.output
    assert written.read_text(encoding="utf-8").count("TODO") >= 6
    again = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "NCT03392467.json")])
    assert again.exit_code == 1 and "already curated" in again.output


def test_import_to_stdout_and_with_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus_with(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["import", "NCT02097641", "--from-file", str(FIXTURES / "NCT02097641.json"),
                                      "--id", "start-msc-ards-phase-2a", "--output", "-"])
    assert result.exit_code == 0
    assert "\nid: start-msc-ards-phase-2a\n" in result.output


def test_import_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "NCT02097641.json"), "-o", str(target)])
    assert result.exit_code == 1
    assert result.output == f"error: {target} exists; not overwritten (give another --output)\n"
    assert target.read_text(encoding="utf-8") == "keep me"


def test_import_that_cannot_finish_writing_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk halfway: the draft is written whole or not at all, and nothing is left over."""
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("respirocell.fsio.os.fsync", full)
    result = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "NCT02097641.json"), "-o",
                                      str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert result.output == f"error: cannot write {tmp_path / 'x.yaml'}: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [
    [], ["NCT123"], ["--id", "Bad Id", "NCT02097641"],
    ["NCT04493242", "--from-file", str(FIXTURES / "NCT02097641.json")],
])
def test_import_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["import", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_import_refuses_a_withdrawn_study(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "withdrawn-synthetic.json"),
                                      "-o", str(tmp_path / "w.yaml")])
    assert result.exit_code == 1
    assert "NCT09999999 was withdrawn before enrolling anyone (why stopped: Synthetic: funding not obtained)" in (
        result.output)
    assert not (tmp_path / "w.yaml").exists()


def test_registry_text_in_an_error_is_escaped(tmp_path: Path) -> None:
    """whyStopped is written by a trial's sponsor: it reached the terminal and CI log raw."""
    study = json.loads((FIXTURES / "withdrawn-synthetic.json").read_text(encoding="utf-8"))
    study["protocolSection"]["statusModule"]["whyStopped"] = "funding\n::error file=a.yaml::forged\x1b[2K\r##[x]"
    saved = tmp_path / "w.json"
    saved.write_text(json.dumps(study), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(saved), "-o", str(tmp_path / "w.yaml")])
    assert result.exit_code == 1
    assert "why stopped: funding\\n::error file=a.yaml::forged\\x1b[2K\\x0d#\\x23[x])" in result.output
    assert not any(line.lstrip().startswith("::") for line in result.output.splitlines())


def test_control_characters_in_registry_text_are_left_out_of_the_draft(tmp_path: Path) -> None:
    """A MeSH term holding ESC once stopped the import (a YAML comment cannot hold it); in a value
    it reached the draft, where validate refuses it. Line breaks stay line breaks (CRLF as LF)."""
    data = study("NCT02097641")
    browse = data.setdefault("derivedSection", {}).setdefault("conditionBrowseModule", {})
    browse["meshes"] = [{"id": "D000001", "term": "Lung\x1b[2J Diseases\x07"}]
    ident = data["protocolSection"]["identificationModule"]
    ident["officialTitle"] = ident["briefTitle"] = "A \u202etrial\u202c of\tcells\ufffe\r\nin COPD"
    saved = tmp_path / "c.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(saved), "-o", str(tmp_path / "c.yaml")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "c.yaml").read_text(encoding="utf-8")
    assert "MeSH terms: Lung[2J Diseases." in text and 'title: "A trial of cells\\nin COPD"\n' in text
    report = validate_paths([tmp_path / "c.yaml"])
    assert "control-character" not in {issue.code for issue in report.issues}


def test_import_of_a_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"protocolSection": ', encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(bad), "-o", "-"])
    assert result.exit_code == 3 and "not valid JSON" in result.output
    bad.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")  # deeper than Python's recursion limit
    result = CliRunner().invoke(cli, ["import", "--from-file", str(bad), "-o", "-"])
    assert result.exit_code == 3
    assert result.output == f"error: {bad}: the response nests deeper than any study does\n"


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e999", "-1e999"])
def test_a_number_that_is_not_finite_is_malformed(tmp_path: Path, number: str) -> None:
    """JSON has no Infinity or NaN (Python's json reads them, and 1e999 as infinity): the response
    is refused when it is parsed, before any field is converted."""
    bad = tmp_path / "inf.json"
    text = (FIXTURES / "NCT03392467.json").read_text(encoding="utf-8")
    bad.write_text(text.replace('"count": ', f'"count": {number}, "c0": ', 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(bad), "-o", "-"])
    assert result.exit_code == 3
    assert result.output == f"error: {bad}: the response is not valid JSON ({number} is not a finite number)\n"


# -- the network path, against a local server ----------------------------------------------------

class Registry(ThreadingHTTPServer):
    """A stand-in for ClinicalTrials.gov: serves the fixtures, plus planned answers per NCT id."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.plan: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.seen: list[tuple[str, str]] = []
        self.release = threading.Event()

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v2"


class Handler(BaseHTTPRequestHandler):
    server: Registry

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("User-Agent", "")))
        nct = self.path.split("?")[0].rsplit("/", 1)[-1]
        planned = self.server.plan.get(nct)
        if planned:
            status, headers, body = planned.pop(0)
        elif nct == "NCT00000002":  # hangs until the test ends
            self.server.release.wait(10)
            return
        elif nct == "NCT00000003":  # answers at once, then sends a byte of the body every 0.1 s for 5 s
            body = (FIXTURES / "NCT02097641.json").read_bytes()
            self.drip(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode(), body[:50])
            return
        elif nct == "NCT00000006":  # a redirect whose headers drip past the deadline, to a study that drips too
            self.drip(b"HTTP/1.1 302 Found\r\nLocation: /api/v2/studies/NCT00000003\r\n", b"X-Slow: " + b"a" * 49)
            return
        elif nct in ("NCT00000007", "NCT00000008"):  # a redirect out of HTTP, or to no usable address
            target = {"NCT00000007": "ftp://127.0.0.1:9/x.json", "NCT00000008": "http://[::1/x"}[nct]
            status, headers, body = 302, {"Location": target}, b""
        elif nct == "NCT00000005":  # not HTTP at all
            self.wfile.write(b"SSH-2.0-OpenSSH\r\n\r\n")
            return
        elif nct == "NCT00000004":  # sends a byte of its status line and headers every 0.1 s for 5 s
            self.drip(b"", b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 33)
            return
        elif nct == "NCT09999999":
            status, headers, body = 200, {}, (FIXTURES / "withdrawn-synthetic.json").read_bytes()
        elif (FIXTURES / f"{nct}.json").exists():
            status, headers, body = 200, {}, (FIXTURES / f"{nct}.json").read_bytes()
        else:
            status, headers, body = 404, {}, b'{"message": "not found"}'
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:  # a planned answer may announce another length than it sends
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drip(self, at_once: bytes, slowly: bytes) -> None:
        """``at_once``, then ``slowly`` a byte every 0.1 s, until the client gives up or the test ends."""
        try:
            self.wfile.write(at_once)
            for n in range(len(slowly)):
                self.wfile.write(slowly[n:n + 1])
                self.wfile.flush()
                if self.server.release.wait(0.1):
                    return
        except OSError:  # the client gave up
            return


class CountingLimiter(RateLimiter):
    """The real limiter on a clock that stands still: its pauses are recorded instead of slept."""

    pauses: ClassVar[list[float]] = []

    def __init__(self) -> None:
        super().__init__(clock=lambda: 0.0, sleep=CountingLimiter.pauses.append)


def serving(server: Registry, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("RESPIROCELL_CTGOV_API", server.api)
    monkeypatch.setattr("respirocell.registry.client.RateLimiter", CountingLimiter)
    CountingLimiter.pauses.clear()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    yield from serving(Registry(), monkeypatch)


class TLSRegistry(Registry):
    """The same stand-in over HTTPS, its certificate issued by a test CA (trustme) that the
    client is told to trust through SSL_CERT_FILE, as ClinicalTrials.gov's would be."""

    def __init__(self, folder: Path) -> None:
        import ssl

        import trustme

        super().__init__()
        authority = trustme.CA()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert("127.0.0.1").configure_cert(context)
        authority.cert_pem.write_to_path(str(folder / "ca.pem"))
        self.socket = context.wrap_socket(self.socket, server_side=True)

    @property
    def api(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}/api/v2"


@pytest.fixture
def tls_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Registry]:
    server = TLSRegistry(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    yield from serving(server, monkeypatch)


def test_fetch_sends_a_user_agent(registry: Registry, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "NCT02611609", "-o", str(tmp_path / "m.yaml")])
    assert result.exit_code == 0, result.output
    (path, agent), = registry.seen
    assert path == "/api/v2/studies/NCT02611609?format=json"
    assert agent.startswith("respirocell/")
    assert "phase: phase_1_2" in (tmp_path / "m.yaml").read_text(encoding="utf-8")


def test_rate_limited_then_served(registry: Registry, tmp_path: Path) -> None:
    registry.plan["NCT04493242"] = [(429, {"Retry-After": "0"}, b"")]
    result = CliRunner().invoke(cli, ["import", "NCT04493242", "-o", str(tmp_path / "e.yaml")])
    assert result.exit_code == 0, result.output
    assert len(registry.seen) == 2
    assert CountingLimiter.pauses == [0, 0.35]  # the advertised Retry-After: 0, then the rate limit


def test_rate_limited_for_too_long(registry: Registry) -> None:
    registry.plan["NCT04493242"] = [(429, {"Retry-After": "0"}, b"")] * 4
    result = CliRunner().invoke(cli, ["import", "NCT04493242", "-o", "-"])
    assert result.exit_code == 3
    assert "still rate-limited by ClinicalTrials.gov after 3 retries" in result.output
    assert len(registry.seen) == 4


def test_a_long_retry_after_is_not_waited_for(registry: Registry) -> None:
    registry.plan["NCT04493242"] = [(429, {"Retry-After": "3600"}, b"")]
    with pytest.raises(RegistryUnavailable, match="asks to wait 3600 s"):
        RegistryClient().get("NCT04493242")


@pytest.mark.parametrize(("nct_id", "code", "message"), [
    ("NCT00000404", 1, "ClinicalTrials.gov has no study with this id (HTTP 404)"),
    ("NCT09999999", 1, "was withdrawn before enrolling anyone"),
])
def test_missing_and_withdrawn(registry: Registry, nct_id: str, code: int, message: str) -> None:
    result = CliRunner().invoke(cli, ["import", nct_id, "-o", "-"])
    assert result.exit_code == code and message in result.output


def test_malformed_json(registry: Registry) -> None:
    registry.plan["NCT00000001"] = [(200, {}, b"<html>maintenance</html>")]
    result = CliRunner().invoke(cli, ["import", "NCT00000001", "-o", "-"])
    assert result.exit_code == 3 and "is not valid JSON" in result.output


def test_json_that_is_not_a_study(registry: Registry) -> None:
    registry.plan["NCT00000001"] = [(200, {}, b'{"studies": []}')]
    result = CliRunner().invoke(cli, ["import", "NCT00000001", "-o", "-"])
    assert result.exit_code == 3 and "not an API v2 study" in result.output


def test_server_error(registry: Registry) -> None:
    registry.plan["NCT00000001"] = [(503, {}, b"")]
    with pytest.raises(RegistryUnavailable, match="HTTP 503"):
        RegistryClient().get("NCT00000001")


def test_timeout(registry: Registry) -> None:
    result = CliRunner().invoke(cli, ["import", "NCT00000002", "--timeout", "0.2", "-o", "-"])
    assert result.exit_code == 3
    assert result.output == (f"error: NCT00000002: no complete answer from {registry.api} within 0.2 s; "
                             "try again later\n")


@pytest.mark.parametrize("nct_id", [
    "NCT00000003",  # a body a byte at a time: a socket timeout bounds each read, not the whole answer
    "NCT00000004",  # the status line and headers a byte at a time: the deadline holds before the body too
    "NCT00000006",  # a redirect whose headers drip past the deadline: urllib took the cut for their end and
                    # followed the redirect on a socket made after the cut, for minutes
])
def test_an_answer_must_arrive_whole_within_the_timeout(registry: Registry, nct_id: str) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["import", nct_id, "--timeout", "0.5", "-o", "-"])
    assert time.monotonic() - started < 3
    assert (result.exit_code, result.output) == (3, f"error: {nct_id}: no complete answer from {registry.api} "
                                                    "within 0.5 s; try again later\n")


def test_an_https_answer_sent_a_byte_at_a_time_times_out_too(tls_registry: Registry) -> None:
    """Over TLS the socket that carries the answer is the wrapped one: the watchdog once shut only
    the plain socket under it (already detached), and import waited as long as the server liked."""
    assert CliRunner().invoke(cli, ["import", "NCT02611609", "-o", "-"]).exit_code == 0  # TLS itself works
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["import", "NCT00000003", "--timeout", "0.5", "-o", "-"])
    assert time.monotonic() - started < 3
    assert (result.exit_code, result.output) == (3, f"error: NCT00000003: no complete answer from "
                                                    f"{tls_registry.api} within 0.5 s; try again later\n")


def test_a_redirect_body_is_never_read(registry: Registry) -> None:
    """urllib read a redirect's body whole before following it: a Content-Length of a terabyte
    was a MemoryError traceback. The body is dropped unread and the redirect followed."""
    registry.plan["NCT02611609"] = [(302, {"Location": "/api/v2/studies/NCT02611609?format=json&again",
                                           "Content-Length": str(10**12)}, b"")]
    result = CliRunner().invoke(cli, ["import", "NCT02611609", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert [path for path, _ in registry.seen] == ["/api/v2/studies/NCT02611609?format=json",
                                                   "/api/v2/studies/NCT02611609?format=json&again"]


def test_a_404_after_a_redirect_is_the_registry_s_problem_not_the_id_s(registry: Registry) -> None:
    registry.plan["NCT00000009"] = [(302, {"Location": "/api/v2/studies/NCT00000404"}, b"")]
    result = CliRunner().invoke(cli, ["import", "NCT00000009", "-o", "-"])
    assert result.exit_code == 3
    assert result.output == (f"error: NCT00000009: {registry.api} redirected to {registry.api}/studies/NCT00000404, "
                             "which answered HTTP 404 Not Found; try again later\n")


def test_an_answer_that_is_not_http_is_an_unavailable_registry(registry: Registry) -> None:
    result = CliRunner().invoke(cli, ["import", "NCT00000005", "-o", "-"])
    assert result.exit_code == 3
    assert result.output.startswith(f"error: NCT00000005: the connection to {registry.api} failed ("), result.output


def test_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = Registry()
    port = server.server_address[1]
    server.server_close()  # nothing listens on this port now
    monkeypatch.setenv("RESPIROCELL_CTGOV_API", f"http://127.0.0.1:{port}/api/v2")
    result = CliRunner().invoke(cli, ["import", "NCT02097641", "-o", "-"])
    assert result.exit_code == 3 and "cannot reach" in result.output


def test_not_found_is_typed(registry: Registry) -> None:
    with pytest.raises(StudyNotFound):
        RegistryClient().get("NCT00000404")


# -- politeness, without waiting -------------------------------------------------------------------

def test_rate_limiter_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(interval=0.35, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] += 0.1
    limiter.wait()
    now[0] += 1.0
    limiter.wait()
    assert slept == [pytest.approx(0.25)]


def test_retry_after_forms() -> None:
    assert retry_after("7", default=1) == 7
    assert retry_after(None, default=2) == 2
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", default=1, now=lambda: 1445412480.0) == 10
    assert retry_after("soon", default=3) == 3
    assert retry_after("\u00b2", default=4) == 4  # superscript two: a digit to str.isdigit that float refuses
    assert retry_after("\u0663", default=5) == 5  # an Arabic-Indic three


#: NCT and eight digits of another script (full-width, Arabic-Indic), and ids of the wrong length.
OTHER_IDS = ["NCT" + "".join(chr(0xFF10 + d) for d in range(8)), "NCT" + "".join(chr(0x0660 + d) for d in range(8)),
             "NCT0123456", "NCT012345678", "NCT01234567\n0"]


@pytest.mark.parametrize("nct_id", OTHER_IDS)
def test_an_id_of_other_digits_or_length_is_refused(nct_id: str) -> None:
    with pytest.raises(ValueError, match=r"is not a ClinicalTrials\.gov id"):
        check_nct_id(nct_id)
    assert check_nct_id(" nct02097641 ") == "NCT02097641"


def test_an_endless_or_oversized_answer_is_malformed(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client reads at most MAX_RESPONSE_BYTES of an answer (a broken or hostile server could
    send without end); more is a malformed response, exit 3."""
    monkeypatch.setattr("respirocell.registry.client.MAX_RESPONSE_BYTES", 1000)
    registry.plan["NCT04493242"] = [(200, {}, b'{"protocolSection": {}, "pad": "' + b"x" * 5000 + b'"}')]
    result = CliRunner().invoke(cli, ["import", "NCT04493242", "-o", "-"])
    assert result.exit_code == 3
    assert "the response is over 1,000 bytes; no study is that long" in result.output


def test_files_that_are_not_regular_are_never_opened(tmp_path: Path) -> None:
    """A pipe given as --from-file, as a saved response in --cache or as a query --file would
    block the reader for good; each is refused at once (in a child process, so a regression
    times out instead of hanging the run)."""
    pipe = tmp_path / "NCT02097641.json"
    os.mkfifo(pipe)
    commands = {("import", "--from-file", str(pipe), "-o", "-"): 3,
                ("query", "--file", str(pipe), "--records", str(BASE)): 2}
    for args, code in commands.items():
        done = subprocess.run([sys.executable, "-m", "respirocell.cli", *args], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == code, done.stderr
        assert "is not a regular file (a pipe, device, socket or folder)" in done.stderr
    with pytest.raises(MalformedResponse) as caught:
        CacheDir(tmp_path).get("NCT02097641")
    assert caught.value.message == f"{pipe} is not a regular file (a pipe, device, socket or folder)"


# -- the third hostile review -------------------------------------------------------------------


def test_an_answer_about_another_study_is_malformed(registry: Registry) -> None:
    """A misconfigured server or mirror answering with another study was drafted as the one asked for;
    an id merged into a study (one of its nctIdAliases) is answered by that study."""
    registry.plan["NCT00000001"] = [(200, {}, (FIXTURES / "NCT02611609.json").read_bytes())]
    result = CliRunner().invoke(cli, ["import", "NCT00000001", "-o", "-"])
    assert (result.exit_code, result.output) == (3, f"error: {registry.api}/studies/NCT00000001?format=json: the "
                                                    "answer is the study NCT02611609, not NCT00000001\n")
    study = json.loads((FIXTURES / "NCT02611609.json").read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT00000001"]
    registry.plan["NCT00000001"] = [(200, {}, json.dumps(study).encode())]
    result = CliRunner().invoke(cli, ["import", "NCT00000001", "-o", "-"])
    assert result.exit_code == 0, result.output


def test_a_study_id_that_is_not_an_nct_id_is_malformed(tmp_path: Path) -> None:
    """The nctId of a saved response was printed raw: a line break and ::error forged an annotation."""
    study = json.loads((FIXTURES / "NCT03392467.json").read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT0339246\n::error::forged"
    saved = tmp_path / "bad.json"
    saved.write_text(json.dumps(study), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(saved), "-o", "-"])
    assert (result.exit_code, result.output) == (3, f"error: {saved}: identificationModule.nctId "
                                                    "'NCT0339246\\n::error::forged' is not an NCT id\n")


@pytest.mark.parametrize("where", ["empty", "records"])
def test_import_outside_the_repository_root_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             where: str) -> None:
    """Run from records/ (or anywhere without one), import made records/records/studies/ and skipped the
    check for a study already curated."""
    corpus_with(tmp_path, {})
    (tmp_path / "empty").mkdir()
    before = sorted(p.name for p in (tmp_path / where).iterdir())
    monkeypatch.chdir(tmp_path / where)
    result = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "NCT02097641.json")])
    assert result.exit_code == 2
    assert "there is no records/ folder here; run from the repository root" in result.output
    assert sorted(p.name for p in (tmp_path / where).iterdir()) == before  # nothing made


@pytest.mark.parametrize(("name", "message"), [
    ("recods", "there is no recods/ folder here"),
    ("a-dangling-link", "there is no a-dangling-link/ folder here"),
    ("a-fifo", "there is no a-fifo/ folder here"),
    ("x/" + "a" * 300 + "/y", "there is no x/aaaa"),  # made x/ before failing once
    ("a" * 300, "Invalid value for '--records-dir': cannot use it: File name too long"),  # was a traceback
])
def test_a_records_dir_that_is_no_folder_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           name: str, message: str) -> None:
    """A mistyped --records-dir made a new folder, skipping the check against the real records; a
    dangling link read as 'the file exists'; a name too long for the system was a traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-dangling-link").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "a-fifo")
    result = CliRunner().invoke(cli, ["import", "--from-file", str(FIXTURES / "NCT03392467.json"),
                                      "--records-dir", name])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-dangling-link", "a-fifo"]  # nothing made


def test_a_saved_response_answers_for_an_id_merged_into_it(tmp_path: Path) -> None:
    study = json.loads((FIXTURES / "NCT03392467.json").read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT09999998"]
    saved = tmp_path / "merged.json"
    saved.write_text(json.dumps(study), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "NCT09999998", "--from-file", str(saved), "-o", "-"])
    assert result.exit_code == 0, result.output
    other = CliRunner().invoke(cli, ["import", "NCT09999997", "--from-file", str(saved), "-o", "-"])
    assert other.exit_code == 2 and "holds NCT03392467, not NCT09999997" in other.output


def test_a_study_curated_under_an_id_merged_into_it_is_refused(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The already-curated check looked for the answer's own nctId only: a study curated under an
    id the registry merged into another was drafted again."""
    corpus_with(tmp_path, {"curated": "id: curated\nregistrations:\n  - registry: clinicaltrials\n"
                                      "    trial_id: NCT02097641\n"})
    study = json.loads((FIXTURES / "NCT02097641.json").read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"].update(nctId="NCT09999999", nctIdAliases=["NCT02097641"])
    saved = tmp_path / "merged.json"
    saved.write_text(json.dumps(study), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["import", "NCT02097641", "--from-file", str(saved)])
    assert result.exit_code == 1 and "NCT02097641 is already curated in records/studies/curated.yaml" in result.output
    assert sorted(p.name for p in (tmp_path / "records" / "studies").iterdir()) == ["curated.yaml"]
