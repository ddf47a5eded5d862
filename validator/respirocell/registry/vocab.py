"""ClinicalTrials.gov API v2 vocabulary -> respirocell's: enums, countries, registry ids, conditions.

Each table maps the registry's enum spelling (as documented in the API v2 data model) to the
schema's value; a registry value with no counterpart maps to None, and the draft leaves a
placeholder for the curator rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..identifiers import registry_for

PHASES: dict[tuple[str, ...], str] = {
    ("EARLY_PHASE1",): "early_phase_1",
    ("PHASE1",): "phase_1",
    ("PHASE1", "PHASE2"): "phase_1_2",
    ("PHASE2",): "phase_2",
    ("PHASE2", "PHASE3"): "phase_2_3",
    ("PHASE3",): "phase_3",
    ("PHASE4",): "phase_4",
    ("NA",): "not_applicable",
}
STATUSES = {s: s.lower() for s in ("NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION",
                                   "ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED", "SUSPENDED",
                                   "WITHDRAWN", "UNKNOWN")}
#: Statuses under which a passed completion date means the registry entry is overdue for an update.
ONGOING = {"not_yet_recruiting", "recruiting", "enrolling_by_invitation", "active_not_recruiting"}
STUDY_TYPES = {"INTERVENTIONAL": "interventional", "OBSERVATIONAL": "observational"}
ALLOCATIONS = {"RANDOMIZED": "randomized", "NON_RANDOMIZED": "non_randomized", "NA": "not_applicable"}
MODELS = {m: m.lower() for m in ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "SEQUENTIAL", "FACTORIAL")}
MASKINGS = {m: m.lower() for m in ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE")}
ARM_ROLES = {r: r.lower() for r in ("EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR",
                                    "SHAM_COMPARATOR", "NO_INTERVENTION")}
ENROLLMENT_TYPES = {"ACTUAL": "actual", "ESTIMATED": "planned"}

def phase(phases: Iterable[str]) -> str | None:
    return PHASES.get(tuple(sorted(phases)))


def registry_of(secondary_id: str) -> str | None:
    """The registry a secondary id belongs to, recognised by Bioregistry's pattern for it (the
    validator's own table), ClinicalTrials.gov itself excluded (EudraCT: 2017-000584-33)."""
    found = [r for r in registry_for(secondary_id.strip()) if r != "clinicaltrials"]
    return found[0] if found else None


# -- conditions ---------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Lower-case words of letters and digits, single-spaced: how registry labels are compared."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _variants(text: str) -> set[str]:
    """A term and, for MeSH's inverted form 'Respiratory Distress Syndrome, Adult', the natural order."""
    out = {normalise(text)}
    if text.count(",") == 1:
        head, tail = (p.strip() for p in text.split(","))
        out.add(normalise(f"{tail} {head}"))
    return {v for v in out if v}


def _contains(haystack: str, needle: str) -> bool:
    return f" {needle} " in f" {haystack} "


@dataclass(frozen=True)
class ConditionName:
    """One name a condition record answers to (its name, a synonym, its MONDO label or its id)."""

    condition_id: str
    text: str


def condition_names(records: Iterable[dict[str, Any]]) -> list[ConditionName]:
    names: list[ConditionName] = []
    for data in records:
        cid = data.get("id")
        if not isinstance(cid, str):
            continue
        term: dict[str, Any] = data["term"] if isinstance(data.get("term"), dict) else {}
        texts = [data.get("name"), term.get("label"), cid.replace("-", " "), *(data.get("synonyms") or [])]
        names.extend(ConditionName(cid, normalise(t)) for t in texts if isinstance(t, str) and normalise(t))
    return names


def suggest_conditions(registry_terms: Iterable[str], names: list[ConditionName]) -> list[tuple[str, str]]:
    """(condition id, registry term) pairs: each registry term matched to the condition whose name fits best.

    A name matches a term when one contains the other as whole words (a contained term must be
    at least two words, so 'ards' inside a sentence does not match by accident unless it is the
    whole term). The longest matching name wins, so 'Idiopathic Pulmonary Fibrosis' suggests
    idiopathic-pulmonary-fibrosis and not also pulmonary-fibrosis.
    """
    found: dict[str, str] = {}
    for term in registry_terms:
        best: list[tuple[int, str]] = []
        for variant in _variants(term):
            for name in names:
                if name.text == variant:
                    score = 1000 + len(name.text)
                elif _contains(variant, name.text) and (" " in name.text or len(name.text) >= 4):
                    score = len(name.text)
                elif _contains(name.text, variant) and " " in variant:
                    score = len(variant)
                else:
                    continue
                best.append((score, name.condition_id))
        if best:
            top = max(score for score, _ in best)
            for score, cid in sorted(best, key=lambda b: b[1]):
                if score == top and cid not in found:
                    found[cid] = term
    return sorted(found.items())


def load_condition_records(folder: Path) -> list[dict[str, Any]]:
    """The condition records in ``folder`` as plain data, read as ``validate`` reads them (a file
    it would refuse is skipped: this only suggests)."""
    from ..loading import parse_text, read_bounded
    from ..yaml_core import YamlProblem

    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = parse_text(read_bounded(path, folder))
        except YamlProblem:
            continue
        if isinstance(data, dict):
            out.append(data)
    return out
