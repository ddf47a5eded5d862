"""Facts that must agree with each other inside a record (and with the cell sources it uses)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from .. import schema
from ..corpus import Corpus
from ..identifiers import normal_source, study_identifiers
from ..issues import Issue, Severity
from ..loading import RecordFile
from ._util import Anchor, issue, items, number, text

#: Dose units that make sense for each product form.
UNITS_BY_FORM: dict[str, set[str]] = {
    "living_cells": {"cells_per_kg", "cells"},
    "stromal_vascular_fraction": {"cells_per_kg", "cells", "milliliter"},
    "mononuclear_cell_fraction": {"cells_per_kg", "cells", "milliliter"},
    "extracellular_vesicles": {"particles", "particles_per_kg", "microgram_protein", "milliliter"},
    "exosomes": {"particles", "particles_per_kg", "microgram_protein", "milliliter"},
    "secretome": {"microgram_protein", "milliliter"},
}
STOPPED = {"terminated", "suspended", "withdrawn"}


def check_consistency(record: RecordFile) -> Iterator[Issue]:
    data = record.data
    yield from _provenance(record)
    marked = _not_reported(data)
    for field in schema.recommended(record.kind or "Record"):
        if field not in data and field not in marked and not _exempt(record, field):
            yield issue(record, "recommended-field", f"'{field}' is not given; fill it in if the sources give it",
                        severity=Severity.WARNING,
                        suggestion=f"if no cited source reports it, add it to not_reported: [{field}]")
    for i, field in enumerate(data.get("not_reported") or []):
        if isinstance(field, str) and field in data:
            yield issue(record, "not-reported-conflict", f"'{field}' is listed in not_reported but has a value",
                        ("not_reported", i), suggestion=f"remove '{field}' from not_reported")
    if record.kind == "Study":
        yield from _citations(record)
        yield from _evidence_and_status(record, marked)
        yield from _arms(record, marked)
        yield from _results(record)


def _not_reported(data: dict[str, Any]) -> set[str]:
    """The fields a curator marked as given by no cited source."""
    marked = data.get("not_reported")
    return {m for m in marked if isinstance(m, str)} if isinstance(marked, list) else set()


def _exempt(record: RecordFile, field: str) -> bool:
    data = record.data
    if record.kind == "Study" and field == "outcomes":
        return bool(data.get("evidence_basis") == "registry_only")
    if record.kind == "CellSource" and field == "cell_type":
        return data.get("product_form") in ("stromal_vascular_fraction",)
    return False


def _provenance(record: RecordFile) -> Iterator[Issue]:
    """Every fact field is claimed by a source, and every claimed field exists."""
    allowed = schema.fact_fields(record.kind or "Record")
    claimed: set[str] = set()
    for i, use in items(record.data.get("curation"), "sources"):
        fields = use.get("fields")
        if not isinstance(fields, list):
            continue
        for j, name in enumerate(fields):
            if not isinstance(name, str):
                continue
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
                yield issue(record, "unknown-field", f"curation.sources lists '{name}', which is not a field of a "
                            f"{record.kind}", ("curation", "sources", i, "fields", j),
                            suggestion=f"did you mean '{close[0]}'?" if close else
                            f"use field names such as: {', '.join(sorted(allowed)[:8])} ...")
            claimed.add(name)
    if not isinstance(record.data.get("curation"), dict):
        return
    for name in sorted(set(record.data) & allowed - claimed):
        yield issue(record, "unsourced-field", f"no source in curation.sources is named for '{name}'", (name,),
                    at_key=True, suggestion=f"add '{name}' to the fields of the source it was read in")


def _citations(record: RecordFile) -> Iterator[Issue]:
    """A study cites what it was read from, and every source named in it is cited."""
    data = record.data
    cited = {ident for _, ident in study_identifiers(data)}
    written = False  # a doi or pmid of the wrong type (pmid: 123, unquoted) is the schema's finding, not this one
    for i, pub in items(data, "publications"):
        if all(pub.get(key) in (None, "") for key in ("doi", "pmid")):
            yield issue(record, "missing-identifier", "this publication has neither a doi nor a pmid",
                        ("publications", i), suggestion="add the DOI or PubMed id so readers can find the paper")
        else:
            written = True
    if not cited and not written:
        yield issue(record, "missing-identifier", "the study cites no registry id, DOI or PMID",
                    suggestion="add registrations: or publications: with the identifiers you read")
    sources: list[tuple[tuple[str | int, ...], str]] = [
        (("curation", "sources", i, "source"), s) for i, u in items(data.get("curation"), "sources")
        if (s := text(u, "source"))]
    sources += [(("outcomes", i, "source"), s) for i, o in items(data, "outcomes") if (s := text(o, "source"))]
    for path, source in sources:
        if normal_source(source) not in cited:
            yield issue(record, "uncited-source", f"'{source}' is not among this study's registrations or publications",
                        path, suggestion="cite it under registrations: or publications:, or correct the identifier")


def _evidence_and_status(record: RecordFile, marked: set[str]) -> Iterator[Issue]:
    """The evidence basis matches what is cited and recorded; the status matches the rest."""
    data = record.data
    basis = data.get("evidence_basis")
    has_results = any(isinstance(o.get("result"), dict) for _, o in items(data, "outcomes"))
    if basis == "published_results" and not any(True for _ in items(data, "publications")):
        yield issue(record, "evidence-mismatch", "evidence_basis is published_results but no publication is cited",
                    ("evidence_basis",), suggestion="cite the results paper, or use registry_results / registry_only")
    if basis == "registry_only" and has_results:
        yield issue(record, "evidence-mismatch", "evidence_basis is registry_only but outcomes carry results",
                    ("evidence_basis",), suggestion="use published_results or registry_results, citing where the "
                    "results were read")
    status = data.get("status")
    # A source that names no primary outcome is recorded with role not_stated, never with a guess.
    if status == "completed" and basis in ("published_results", "registry_results") and \
            not any(o.get("role") in ("primary", "not_stated") for _, o in items(data, "outcomes")):
        yield issue(record, "missing-primary-outcome", "a completed study with results has no primary outcome",
                    ("outcomes",) if "outcomes" in data else (),
                    suggestion="add the primary outcome with role: primary; if the sources name none, give the "
                    "outcomes role: not_stated")
    if status in STOPPED and not text(data, "status_reason") and "status_reason" not in marked:
        yield issue(record, "recommended-field", f"status is {status} but status_reason is empty", ("status",),
                    severity=Severity.WARNING, suggestion="copy the reason the registry gives; if it gives none, add "
                    "not_reported: [status_reason]")
    total = number(data.get("enrollment"), "count")
    if status == "withdrawn" and text(data.get("enrollment"), "type") == "actual" and total:
        yield issue(record, "status-mismatch", f"a withdrawn study enrolled nobody, but enrollment.count is {total:g}",
                    ("enrollment", "count"), suggestion="check the status and the enrollment against the registry")


def _arms(record: RecordFile, marked: set[str]) -> Iterator[Issue]:
    """Unique arm ids, arm sizes within the total, dose ranges (units against the product:
    check_dose_units)."""
    seen: dict[str, int] = {}
    arm_total = 0.0
    for i, arm in items(record.data, "arms"):
        arm_id = text(arm, "id")
        if arm_id is not None:
            if arm_id in seen:
                yield issue(record, "duplicate-id", f"arm id '{arm_id}' is used twice in this study", ("arms", i, "id"),
                            suggestion="give each arm its own id: the exports name an arm by it")
            seen[arm_id] = i
        arm_total += number(arm, "participants") or 0
        if arm.get("role") == "experimental" and "cell_source" not in arm and "cell_source" not in marked:
            yield issue(record, "recommended-field", "an experimental arm has no cell_source", ("arms", i),
                        severity=Severity.WARNING, suggestion="name the CellSource record of the product given; if "
                        "no source says what the product is, add not_reported: [cell_source]")
        dose = arm.get("dose")
        if isinstance(dose, dict):
            low, high = number(dose, "value"), number(dose, "value_max")
            if low is not None and high is not None and high < low:
                yield issue(record, "invalid-range", f"dose value_max {high:g} is below value {low:g}",
                            ("arms", i, "dose", "value_max"), suggestion="value is the low end of the range")
        count, interval = number(arm, "dose_count"), text(arm, "dose_interval")
        if interval and count == 1:
            yield issue(record, "dose-mismatch", "dose_interval is set but dose_count is 1",
                        ("arms", i, "dose_interval"),
                        suggestion="remove dose_interval, or correct dose_count")
    total = number(record.data.get("enrollment"), "count")
    if total is not None and arm_total > total:
        yield issue(record, "enrollment-exceeded", f"the arms' participants add up to {arm_total:g}, more than the "
                    f"study's enrollment of {total:g}", ("enrollment", "count"),
                    suggestion="check the arm sizes and the total against the source")


def _results(record: RecordFile) -> Iterator[Issue]:
    """Unique outcome ids; confidence intervals are ordered, complete and hold their estimate."""
    seen: set[str] = set()
    for i, outcome in items(record.data, "outcomes"):
        outcome_id = text(outcome, "id")
        if outcome_id is not None and outcome_id in seen:
            yield issue(record, "duplicate-id", f"outcome id '{outcome_id}' is used twice in this study",
                        ("outcomes", i, "id"), suggestion="give each outcome its own id: the exports name an "
                        "outcome by it")
        if outcome_id is not None:
            seen.add(outcome_id)
        result = outcome.get("result")
        if not isinstance(result, dict):
            continue
        lo, hi, est = number(result, "ci_lower"), number(result, "ci_upper"), number(result, "estimate")
        if lo is not None and hi is not None and lo > hi:
            yield issue(record, "invalid-range", f"ci_lower {lo:g} is above ci_upper {hi:g}",
                        ("outcomes", i, "result", "ci_lower"), suggestion="the lower bound comes first; check the "
                        "source")
        elif lo is not None and hi is not None and est is not None and not lo <= est <= hi:
            yield issue(record, "invalid-range", f"the estimate {est:g} lies outside its interval [{lo:g}, {hi:g}]",
                        ("outcomes", i, "result", "estimate"), severity=Severity.WARNING,
                        suggestion="check the numbers against the source")
        if (lo is None) != (hi is None):
            yield issue(record, "invalid-range", "give both ci_lower and ci_upper, or neither",
                        ("outcomes", i, "result"), suggestion="copy the missing bound from the source, or remove "
                        "the one given")


#: A list item that is only a company's legal form: the rest of the name was split off at a comma.
_LEGAL_SUFFIX = re.compile(r"(?i)(inc|llc|ltd|limited|co|corp|corporation|gmbh|ag|s\.?a|s\.?l|b\.?v|n\.?v|plc|"
                           r"pty|s\.?p\.?a|s\.?r\.?l|co\.?,? ltd|l\.?p|oy|ab|as|kg)\.?")


def check_sponsors(record: RecordFile) -> Iterator[Issue]:
    sponsors = record.data.get("sponsors") if record.kind == "Study" else None
    if not isinstance(sponsors, list):
        return
    for i, name in enumerate(sponsors):
        if isinstance(name, str) and i > 0 and _LEGAL_SUFFIX.fullmatch(name.strip()):
            whole = f"{sponsors[i - 1]}, {name.strip()}"
            yield issue(record, "split-sponsor", f"'{name}' is a legal form, not a sponsor: the name was split at a "
                        "comma", ("sponsors", i),
                        suggestion=f'write the whole name in quotes: sponsors: ["{whole}"]')


def dose_anchors(record: RecordFile) -> Iterator[Anchor]:
    if record.kind == "CellSource":
        yield ("product_form",), False
    for i, _ in items(record.data, "arms"):
        yield ("arms", i, "dose", "unit"), False


def check_dose_units(record: RecordFile, corpus: Corpus) -> Iterator[Issue]:
    """Each arm's dose unit fits the product form of the cell source it names."""
    if record.kind != "Study":
        return
    for i, arm in items(record.data, "arms"):
        if isinstance(arm.get("dose"), dict):
            yield from _dose_fits(record, corpus, arm, i)


def _dose_fits(record: RecordFile, corpus: Corpus, arm: dict[str, Any], i: int) -> Iterator[Issue]:
    unit, source_id = text(arm.get("dose"), "unit"), text(arm, "cell_source")
    if not unit or not source_id:
        return
    source = corpus.get("CellSource", source_id)
    form = text(source, "product_form") if source else None
    if form in UNITS_BY_FORM and unit not in UNITS_BY_FORM[form]:
        yield issue(record, "dose-unit-mismatch", f"the unit {unit} does not fit {source_id}, whose product form is "
                    f"{form}", ("arms", i, "dose", "unit"),
                    suggestion=f"use one of: {', '.join(sorted(UNITS_BY_FORM[form]))}")
