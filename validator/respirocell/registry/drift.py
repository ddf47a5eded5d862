"""Compare curated study records with their ClinicalTrials.gov entries and report what moved.

Each study whose first registration is an NCT id is compared with the registry's current entry.
A finding names the record's file and the line of the field that is now out of date. Records
with ``follow_up_of`` are skipped: they share the registry id of the trial they follow up, and
their status and enrollment describe the follow-up, not the registry entry.

Codes (stable, never renamed):

registry-status-changed     the registry's overall status differs from ``status``
registry-results-posted     the registry has posted results; the record is ``registry_only``
registry-enrollment-differs the registry's actual enrollment differs from ``enrollment``
registry-completion-passed  both say the study is ongoing, but its completion date has passed
registry-arms-differ        the registry lists a different number of arms
registry-phase-differs      the registry's phase differs from ``phase``
registry-not-found          the registry has no entry under the record's NCT id
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..issues import Issue, Report
from ..loading import PathElem, RecordFile, format_path, locate_node, parse_record, read_bounded
from ..reporters import counted
from . import vocab
from .client import MalformedResponse, NotCached, Study, StudyNotFound, StudySource


def period_end(date: str) -> dt.date | None:
    """The last day a partial date can mean: 2021-07 -> 2021-07-31, 2021 -> 2021-12-31."""
    try:
        parts = [int(p) for p in date.split("-")]
        if len(parts) == 1:
            return dt.date(parts[0], 12, 31)
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return dt.date(parts[0], parts[1], parts[2])
    except (ValueError, IndexError):
        return None


def nct_id_of(data: dict[str, Any]) -> str | None:
    for reg in data.get("registrations") or []:
        if isinstance(reg, dict) and reg.get("registry") == "clinicaltrials" and isinstance(reg.get("trial_id"), str):
            return str(reg["trial_id"])
    return None


class _Record:
    """One study record: its data, and the node tree of its file, for the lines of findings."""

    def __init__(self, record: RecordFile, data: dict[str, Any]) -> None:
        self.display, self.data = record.display, data
        self.record_id = record.record_id
        self.root = parse_record(read_bounded(record.path))[1]

    def issue(self, code: str, message: str, path: tuple[PathElem, ...], suggestion: str | None = None) -> Issue:
        line, column = locate_node(self.root, path, at_key=True)
        return Issue(code, message, self.display, line=line, column=column, path=format_path(path),
                     record_id=self.record_id, suggestion=suggestion)


def compare(record: _Record, study: Study, today: dt.date) -> Iterator[Issue]:
    """The drift between one record and its registry entry."""
    data, proto = record.data, study["protocolSection"]
    nct = proto["identificationModule"]["nctId"]
    status_module, design = proto.get("statusModule") or {}, proto.get("designModule") or {}
    here = f"on ClinicalTrials.gov ({nct})"

    status = vocab.STATUSES.get(str(status_module.get("overallStatus")))
    if status and data.get("status") != status:
        why = f"; why stopped: {status_module['whyStopped']}" if status_module.get("whyStopped") else ""
        yield record.issue("registry-status-changed", f"status is {data.get('status')!r} here but {status!r} {here}"
                           f"{why}", ("status",), f"read the registry entry, then set status: {status} and "
                           "curation.modified")

    if study.get("hasResults") and data.get("evidence_basis") == "registry_only":
        posted = (status_module.get("resultsFirstPostDateStruct") or {}).get("date")
        yield record.issue("registry-results-posted", f"results are posted {here}"
                           f"{f' since {posted}' if posted else ''} but the record is registry_only",
                           ("evidence_basis",), f"add the results (`respirocell import {nct} --output -` prints "
                           "them as a draft) and set evidence_basis: registry_results or published_results")

    enrollment = design.get("enrollmentInfo") or {}
    if enrollment.get("type") == "ACTUAL" and enrollment.get("count") is not None:
        mine: dict[str, Any] = data["enrollment"] if isinstance(data.get("enrollment"), dict) else {}
        if (mine.get("count"), mine.get("type")) != (enrollment["count"], "actual"):
            shown = f"{mine.get('count')} {mine.get('type')}" if mine else "not given"
            yield record.issue("registry-enrollment-differs", f"enrollment is {shown} here but "
                               f"{enrollment['count']} actual {here}", ("enrollment",) if mine else ("status",),
                               f"set enrollment: {{count: {enrollment['count']}, type: actual}}")

    completion = (status_module.get("completionDateStruct") or {}).get("date") or data.get("completion_date")
    ends = period_end(str(completion)) if completion else None
    if status in vocab.ONGOING and data.get("status") == status and ends is not None and ends < today:
        at: tuple[PathElem, ...] = ("completion_date",) if "completion_date" in data else ("status",)
        yield record.issue("registry-completion-passed", f"the study is still {status!r} here and {here}, but its "
                           f"completion date {completion} has passed", at,
                           "check the registry and the literature for the study's outcome; the registry entry may "
                           "be out of date")

    arms = (proto.get("armsInterventionsModule") or {}).get("armGroups") or []
    mine_arms = data.get("arms") if isinstance(data.get("arms"), list) else []
    if arms and mine_arms and len(arms) != len(mine_arms):
        labels = "; ".join(str(a.get("label")) for a in arms)
        yield record.issue("registry-arms-differ",
                           f"{counted(len(mine_arms), 'arm')} here but {len(arms)} {here}: {labels}",
                           ("arms",), "compare the arms with the registry's arm groups")

    phases = design.get("phases") or []
    phase = vocab.phase(phases) if phases else None
    if phase and data.get("phase") != phase:
        yield record.issue("registry-phase-differs", f"phase is {data.get('phase')!r} here but {phase!r} {here} "
                           f"({', '.join(phases)})", ("phase",) if "phase" in data else ("status",),
                           f"set phase: {phase} if the registry is right")


@dataclass
class DriftCheck:
    """The findings, and the studies not compared because the cache folder has no response for them."""

    report: Report
    not_cached: list[str] = field(default_factory=list)


def registry_check(records: Iterable[Any], source: StudySource, today: dt.date | None = None) -> DriftCheck:
    """Compare each study record (a RecordFile) with its registry entry; RegistryError when the registry fails.

    An id the registry does not know (HTTP 404) is a finding; a study missing from the cache
    folder is listed in ``not_cached``. No network, rate limiting that outlasts the retries or a
    malformed answer stop the run, since nothing after them is reliable.
    """
    today = today or dt.date.today()
    report = Report()
    not_cached: list[str] = []
    for rec in records:
        data = rec.data
        if rec.kind != "Study" or not isinstance(data, dict) or data.get("follow_up_of"):
            continue
        nct = nct_id_of(data)
        if nct is None:
            continue
        try:
            study = source.get(nct)
        except NotCached:
            not_cached.append(rec.display)
            continue
        except StudyNotFound as exc:
            record = _Record(rec, data)
            report.files_checked += 1
            report.records_checked += 1
            index = next(i for i, r in enumerate(data["registrations"]) if r.get("trial_id") == nct)
            report.extend([record.issue("registry-not-found", exc.message, ("registrations", index, "trial_id"))])
            continue
        record = _Record(rec, data)
        report.files_checked += 1
        report.records_checked += 1
        try:
            report.extend(list(compare(record, study, today)))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a field of an unexpected type
            raise MalformedResponse(f"{nct}: the study does not have the shape of an API v2 record "
                                    f"({type(exc).__name__}: {exc})") from None
    return DriftCheck(report.finish(), not_cached)
