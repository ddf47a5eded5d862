"""respirocell registry-check: each planted drift is reported with its code, file and line; nothing else is."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_registry_import import (  # noqa: F401 (registry is a fixture)
    FIXTURES,
    NCT_IDS,
    CountingLimiter,
    Registry,
    corpus_with,
    draft_of,
    fill,
    registry,
)

from respirocell.cli import cli
from respirocell.registry.client import CacheDir
from respirocell.registry.draft import render
from respirocell.registry.drift import period_end, registry_check
from respirocell.validation import valid_records


def filled(nct_id: str) -> tuple[str, dict[str, Any]]:
    draft = draft_of(nct_id)
    return draft.record_id, fill(draft)


@functools.cache
def _up_to_date_texts() -> dict[str, str]:
    return {rid: render(data, {}) for rid, data in map(filled, NCT_IDS)}


def up_to_date(tmp_path: Path) -> Path:
    """A corpus of one filled draft per fixture: it agrees with the registry on everything."""
    return corpus_with(tmp_path, dict(_up_to_date_texts()))


def line_of(path: Path, pattern: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if re.match(pattern, line))


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli, ["registry-check", *args])


def test_nothing_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    up_to_date(tmp_path)
    result = run(["--cache", str(FIXTURES)], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.output == f"OK: {len(NCT_IDS)} files, 0 errors, 0 warnings\n"


def plant(tmp_path: Path) -> tuple[Path, dict[tuple[str, str], int]]:
    """Records that each drifted from their registry entry in one way; returns (cache, expected findings)."""
    records = {}
    rid, data = filled("NCT03392467")  # the registry now says completed; the record still recruiting
    data["status"] = "recruiting"
    records[rid] = data
    rid, data = filled("NCT04493242")  # one arm here, three on the registry
    data["arms"] = data["arms"][2:]
    records[rid] = data
    rid, data = filled("NCT02097641")  # results posted; the record holds none
    data["evidence_basis"] = "registry_only"
    data["outcomes"] = [{k: v for k, v in o.items() if k != "result"} for o in data["outcomes"][:1]]
    records[rid] = data
    rid, data = filled("NCT02611609")  # a phase 2 here, phase 1/2 there
    data["phase"] = "phase_2"
    records[rid] = data
    rid, data = filled("NCT00469027")  # 8 here, 7 actual there
    data["enrollment"]["count"] = 8
    records[rid] = data
    rid, data = filled("NCT02013700")  # the registry still says recruiting, its completion date passed
    data["status"] = "recruiting"
    data["completion_date"] = "2016-05"
    data["curation"]["sources"][0]["fields"].append("completion_date")
    records[rid] = data
    root = corpus_with(tmp_path, {rid: render(data, {}) for rid, data in records.items()})
    cache = tmp_path / "cache"
    shutil.copytree(FIXTURES, cache)
    aether = json.loads((cache / "NCT02013700.json").read_text(encoding="utf-8"))
    aether["protocolSection"]["statusModule"].update(overallStatus="RECRUITING",
                                                     completionDateStruct={"date": "2016-05", "type": "ESTIMATED"})
    (cache / "NCT02013700.json").write_text(json.dumps(aether), encoding="utf-8")
    studies = root / "studies"
    at = line_of
    expected = {
        ("registry-status-changed", "pneumostem-prevention-treatment-severe-bpd-phase-2.yaml"):
            line_of(studies / "pneumostem-prevention-treatment-severe-bpd-phase-2.yaml", r"status:"),
        ("registry-arms-differ", "exit-covid19-phase-2.yaml"): line_of(studies / "exit-covid19-phase-2.yaml", r"arms:"),
        ("registry-results-posted", "start-phase-2.yaml"): line_of(studies / "start-phase-2.yaml", r"evidence_basis:"),
        ("registry-phase-differs", "must-ards-phase-1-2.yaml"): at(studies / "must-ards-phase-1-2.yaml", r"phase:"),
        ("registry-enrollment-differs", "phacet-phase-1.yaml"): at(studies / "phacet-phase-1.yaml", r"enrollment:"),
        ("registry-completion-passed", "aether-phase-1.yaml"):
            line_of(studies / "aether-phase-1.yaml", r"completion_date:"),
    }
    return cache, expected


def test_each_planted_drift_is_found_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, expected = plant(tmp_path)
    result = run(["--cache", str(cache), "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    found = {(i["code"], Path(i["file"]).name): i["line"] for i in doc["issues"]}
    assert found == expected
    assert doc["version"] == 1 and doc["status"] == "fail"
    assert doc["summary"]["files"] == len(NCT_IDS)
    by_code = {i["code"]: i for i in doc["issues"]}
    assert by_code["registry-status-changed"]["message"] == (
        "status is 'recruiting' here but 'completed' on ClinicalTrials.gov (NCT03392467)")
    assert by_code["registry-status-changed"]["path"] == "status"
    assert by_code["registry-arms-differ"]["message"] == (
        "1 arm here but 3 on ClinicalTrials.gov (NCT04493242): ExoFlo 15 mL; ExoFlo 10 mL; Placebo")
    assert by_code["registry-enrollment-differs"]["message"] == (
        "enrollment is 8 actual here but 7 actual on ClinicalTrials.gov (NCT00469027)")
    assert by_code["registry-results-posted"]["message"].endswith("but the record is registry_only")
    assert by_code["registry-phase-differs"]["message"] == (
        "phase is 'phase_2' here but 'phase_1_2' on ClinicalTrials.gov (NCT02611609) (PHASE1, PHASE2)")


def test_text_and_github_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, expected = plant(tmp_path)
    text = run(["--cache", str(cache)], tmp_path, monkeypatch)
    assert text.exit_code == 1
    line = expected[("registry-phase-differs", "must-ards-phase-1-2.yaml")]
    assert f"records/studies/must-ards-phase-1-2.yaml:{line}:1: error [registry-phase-differs]" in text.output
    assert text.output.endswith(f"FAILED: {len(NCT_IDS)} files, 6 errors, 0 warnings\n")
    github = run(["--cache", str(cache), "--format", "github"], tmp_path, monkeypatch)
    assert (f"::error file=records/studies/must-ards-phase-1-2.yaml,line={line},col=1,"
            "title=registry-phase-differs::") in github.output


def test_completion_passed_depends_on_the_day(tmp_path: Path) -> None:
    cache, _ = plant(tmp_path)
    records = valid_records([tmp_path / "records" / "studies" / "aether-phase-1.yaml"])
    before = registry_check(records, CacheDir(cache), today=dt.date(2016, 5, 31)).report
    after = registry_check(records, CacheDir(cache), today=dt.date(2016, 6, 1)).report
    assert [i.code for i in before.issues] == []
    assert [i.code for i in after.issues] == ["registry-completion-passed"]


def test_withdrawn_on_the_registry_is_a_status_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    up_to_date(tmp_path)
    cache = tmp_path / "cache"
    shutil.copytree(FIXTURES, cache)
    study = json.loads((cache / "NCT04493242.json").read_text(encoding="utf-8"))
    study["protocolSection"]["statusModule"].update(overallStatus="WITHDRAWN", whyStopped="Sponsor decision")
    (cache / "NCT04493242.json").write_text(json.dumps(study), encoding="utf-8")
    result = run(["--cache", str(cache), "records/studies/exit-covid19-phase-2.yaml"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "[registry-status-changed] status is 'completed' here but 'withdrawn' on ClinicalTrials.gov " \
           "(NCT04493242); why stopped: Sponsor decision" in result.output


def unknown_id_and_follow_up(tmp_path: Path) -> None:
    """A study under an id the registry does not know, and a follow-up record (never compared)."""
    rid, data = filled("NCT02611609")
    data["registrations"][0]["trial_id"] = "NCT00000404"
    data["curation"]["sources"][0]["source"] = "NCT00000404"
    for o in data.get("outcomes", []):
        o["source"] = "NCT00000404"
    follow = copy.deepcopy(filled("NCT00469027")[1])
    follow.update(id="phacet-follow-up", follow_up_of="phacet-phase-1", status="recruiting")
    follow["curation"]["sources"][0]["fields"].append("follow_up_of")
    _, original = filled("NCT00469027")
    corpus_with(tmp_path, {rid: render(data, {}), "phacet-follow-up": render(follow, {}),
                           "phacet-phase-1": render(original, {})})


def test_unknown_id_and_follow_ups(registry: Registry, tmp_path: Path,  # noqa: F811
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    unknown_id_and_follow_up(tmp_path)
    result = run(["--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1, result.output
    assert sorted(p.split("/")[-1].split("?")[0] for p, _ in registry.seen) == ["NCT00000404", "NCT00469027"]
    (issue,) = json.loads(result.stdout)["issues"]
    assert issue["code"] == "registry-not-found" and issue["path"] == "registrations[0].trial_id"
    assert issue["line"] == line_of(tmp_path / "records/studies/must-ards-phase-1-2.yaml", r"\s+trial_id:")
    assert issue["message"] == ("NCT00000404: ClinicalTrials.gov has no study with this id (HTTP 404); "
                                "check the id")


def test_studies_missing_from_the_cache_are_not_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown_id_and_follow_up(tmp_path)
    result = run(["--cache", str(FIXTURES)], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 file, 0 errors, 0 warnings\n"
    assert f"not compared: 1 studies have no saved response in {FIXTURES}" in result.stderr


def test_an_invalid_corpus_is_not_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus_with(tmp_path, {"broken": "id: broken\nstatus: nonsense\n"})
    result = run(["--cache", str(FIXTURES)], tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "Nothing compared" in result.output


def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run([], tmp_path, monkeypatch).exit_code == 2  # no records/ here
    assert run(["--cache", str(tmp_path / "absent")], tmp_path, monkeypatch).exit_code == 2
    assert run(["--format", "xml"], tmp_path, monkeypatch).exit_code == 2


def test_a_cache_that_is_not_a_folder_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    up_to_date(tmp_path)
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "file.json").write_text("{}", encoding="utf-8")
    for name in ["fifo.json", "file.json"]:
        result = run(["--cache", name, "records"], tmp_path, monkeypatch)
        assert result.exit_code == 2, result.output
        assert result.output.endswith("\nError: --cache must be a folder\n")


def test_fetched_from_the_registry(registry: Registry, tmp_path: Path,  # noqa: F811
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    up_to_date(tmp_path)
    result = run([], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert sorted(p.split("/")[-1].split("?")[0] for p, _ in registry.seen) == NCT_IDS
    # one client for the run: every request after the first waits its turn
    assert CountingLimiter.pauses == [0.35] * (len(NCT_IDS) - 1)


def test_registry_unreachable(registry: Registry, tmp_path: Path,  # noqa: F811
                              monkeypatch: pytest.MonkeyPatch) -> None:
    up_to_date(tmp_path)
    registry.plan["NCT00469027"] = [(200, {}, b"{oops")]
    result = run([], tmp_path, monkeypatch)
    assert result.exit_code == 3 and "not valid JSON" in result.output


@pytest.mark.parametrize(("date", "end"), [("2021", dt.date(2021, 12, 31)), ("2024-02", dt.date(2024, 2, 29)),
                                           ("2018-02-09", dt.date(2018, 2, 9)), ("soon", None)])
def test_period_end(date: str, end: dt.date | None) -> None:
    assert period_end(date) == end


def test_an_empty_cache_compares_nothing_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty or wrong --cache in the weekly job passed as 'OK', exit 0."""
    up_to_date(tmp_path)
    (tmp_path / "empty").mkdir()
    result = run(["--cache", "empty", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (f"error: nothing compared: empty holds no saved response (<NCT id>.json) for any of the "
                             f"{len(NCT_IDS)} studies\n")


def test_a_saved_response_of_another_study_is_malformed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A response saved under the wrong name was compared as that study: false drift, and a fix to apply."""
    up_to_date(tmp_path)
    cache = tmp_path / "cache"
    shutil.copytree(FIXTURES, cache)
    shutil.copy(FIXTURES / "NCT04493242.json", cache / "NCT02097641.json")
    result = run(["--cache", "cache"], tmp_path, monkeypatch)
    assert result.exit_code == 3
    assert result.output == (f"error: {os.path.join('cache', 'NCT02097641.json')}: the answer is the study "
                             "NCT04493242, not NCT02097641\n")
