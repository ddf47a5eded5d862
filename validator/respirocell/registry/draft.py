"""A ClinicalTrials.gov API v2 study -> a draft study record (data, and canonical YAML with comments).

The draft holds every fact the registry states in a form the schema takes, and leaves each
judgement to the curator as a placeholder that fails validation until it is filled: the cell
source, dose and route of experimental arms, the condition ids, the outcome categories, the
role of a results paper, the direction of a posted result and the curator's name. Each
placeholder has a comment above it that quotes the registry text to read it from.
``curation.sources`` names the NCT id with every field the registry filled.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..checks.text import CONTROL
from ..identifiers import country_code
from ..loading import PathElem, leaves, locate_node, parse_record
from . import vocab
from .client import Study
from .results import outcome_result, serious_adverse_events

TODO = "TODO"
#: Words left out of outcome and arm ids: they make ids long without telling outcomes apart.
STOPWORDS = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with", "who",
             "have", "has", "are", "is", "be", "number", "participants", "subjects", "patients", "percentage",
             "incidence"}
WIDTH = 100


@dataclass
class Draft:
    """A draft record: its data, the comments over its placeholders, and its canonical YAML text."""

    record_id: str
    nct_id: str
    data: dict[str, Any]
    comments: dict[tuple[PathElem, ...], str] = field(default_factory=dict)
    suggested_conditions: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


def slug(text: str, words: int = 4, stop: bool = True) -> str:
    parts = [w for w in re.sub(r"[^a-z0-9]+", " ", text.lower()).split() if not (stop and w in STOPWORDS)]
    return "-".join(parts[:words]) or "item"


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def suggest_record_id(study: Study) -> str:
    """'START' + Phase 2 -> 'start-phase-2'; without an acronym, the first words of the brief title."""
    ident = study["protocolSection"].get("identificationModule", {})
    base = slug(ident.get("acronym") or "", words=3, stop=False) if ident.get("acronym") else ""
    if not base:
        base = slug(ident.get("briefTitle") or ident["nctId"], words=5)
    phase = vocab.phase(study["protocolSection"].get("designModule", {}).get("phases") or [])
    if phase and phase not in ("not_applicable", "early_phase_1"):
        base += "-" + phase.replace("_", "-")
    return base


def _quote(label: str, text: str | None) -> str:
    return f"{label}: {' '.join(text.split())!r}" if text else f"{label}: (not given)"


class _Builder:
    """Fills the record field by field, noting each filled field and each placeholder's comment."""

    def __init__(self, study: Study, names: list[vocab.ConditionName], today: dt.date, record_id: str) -> None:
        self.study = study
        self.proto: dict[str, Any] = study["protocolSection"]
        self.nct_id: str = self.proto["identificationModule"]["nctId"]
        self.names = names
        self.today = today
        self.data: dict[str, Any] = {"id": record_id}
        self.sourced: list[str] = []
        self.comments: dict[tuple[PathElem, ...], str] = {}
        self.suggested: list[tuple[str, str]] = []

    def module(self, name: str) -> dict[str, Any]:
        value = self.proto.get(name)
        return value if isinstance(value, dict) else {}

    def put(self, key: str, value: Any) -> None:
        if value in (None, [], {}, ""):
            return
        self.data[key] = value
        if key not in self.sourced:
            self.sourced.append(key)

    def enum(self, table: dict[str, str], value: Any, placeholder: str, path: tuple[PathElem, ...],
             what: str) -> str | None:
        if value is None:
            return None
        if value in table:
            return table[value]
        self.comments[path] = f"TODO {what}: the registry says {value!r}, which has no counterpart here"
        return placeholder

    def build(self) -> dict[str, Any]:
        ident, status = self.module("identificationModule"), self.module("statusModule")
        self.put("title", ident.get("officialTitle") or ident.get("briefTitle"))
        self.put("acronym", ident.get("acronym"))
        self.put("registrations", self.registrations(ident))
        self.put("publications", self.publications())
        self.put("evidence_basis", "registry_results" if self.study.get("hasResults") else "registry_only")
        design = self.module("designModule")
        self.put("study_type", self.enum(vocab.STUDY_TYPES, design.get("studyType"), "TODO-study-type",
                                         ("study_type",), "study type"))
        phases = design.get("phases") or []
        if phases:
            self.put("phase", vocab.phase(phases) or "TODO-phase")
            if vocab.phase(phases) is None:
                self.comments[("phase",)] = f"TODO phase: the registry lists phases {phases}"
        self.put("design", self.design(design))
        self.put("status", self.enum(vocab.STATUSES, status.get("overallStatus"), "TODO-status", ("status",),
                                     "status"))
        if self.data.get("status") in ("terminated", "suspended", "withdrawn"):
            self.put("status_reason", status.get("whyStopped"))
        lead = self.module("sponsorCollaboratorsModule").get("leadSponsor") or {}
        self.put("sponsors", [lead["name"]] if lead.get("name") else None)
        self.put("countries", self.countries())
        self.put("start_date", (status.get("startDateStruct") or {}).get("date"))
        self.put("completion_date", (status.get("completionDateStruct") or {}).get("date"))
        self.put("enrollment", self.enrollment(design))
        self.put("conditions", self.conditions())
        self.put("arms", self.arms())
        self.put("outcomes", self.outcomes())
        self.data["curation"] = {
            "curators": [{"name": None}],
            "created": self.today.isoformat(),
            "sources": [{"source": self.nct_id, "fields": list(self.sourced)}],
        }
        self.comments[("curation", "curators", 0, "name")] = "TODO your name (and orcid: if you have one)"
        return self.data

    def registrations(self, ident: dict[str, Any]) -> list[dict[str, str]]:
        out = [{"registry": "clinicaltrials", "trial_id": self.nct_id}]
        for info in ident.get("secondaryIdInfos") or []:
            sid = str(info.get("id", "")).strip()
            registry = vocab.registry_of(sid)
            if registry and all(r["trial_id"] != sid for r in out):
                out.append({"registry": registry, "trial_id": sid})
        return out

    def publications(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for ref in self.module("referencesModule").get("references") or []:
            if ref.get("type") not in ("RESULT", "DERIVED") or not ref.get("pmid"):
                continue
            pub: dict[str, Any] = {"pmid": str(ref["pmid"])}
            doi = re.search(r"\b(10\.[0-9]{4,9}/[^\s;]+[^\s;.,])", ref.get("citation") or "")
            if doi:
                pub["doi"] = doi.group(1)
            pub["citation"] = " ".join((ref.get("citation") or f"PMID {ref['pmid']}").split())
            pub["role"] = "TODO-publication-role"
            self.comments[("publications", len(out), "role")] = (
                f"TODO role (primary_results, interim_results, follow_up, secondary_analysis or protocol): the "
                f"registry lists this paper as a {ref['type']} reference; read the paper to choose. Once read, "
                f"evidence_basis may become published_results")
            out.append(pub)
        return out

    def design(self, design: dict[str, Any]) -> dict[str, Any]:
        info = design.get("designInfo") or {}
        out: dict[str, Any] = {}
        for key, table, value in (
            ("allocation", vocab.ALLOCATIONS, info.get("allocation")),
            ("masking", vocab.MASKINGS, (info.get("maskingInfo") or {}).get("masking")),
            ("model", vocab.MODELS, info.get("interventionModel")),
        ):
            mapped = self.enum(table, value, f"TODO-{key}", ("design", key), key)
            if mapped:
                out[key] = mapped
        groups = self.module("armsInterventionsModule").get("armGroups") or []
        types = {a.get("type") for a in groups}
        if types & {"PLACEBO_COMPARATOR", "SHAM_COMPARATOR"}:
            out["control"] = "placebo"
        elif "ACTIVE_COMPARATOR" in types:
            out["control"] = "active"
        elif types == {"EXPERIMENTAL"} and len(groups) == 1:
            out["control"] = "none"
        return out

    def countries(self) -> list[str]:
        codes: set[str] = set()
        for location in self.module("contactsLocationsModule").get("locations") or []:
            name = location.get("country")
            if not name:
                continue
            code = country_code(name)
            if code is None:
                self.comments[("countries",)] = f"TODO country: no ISO code known for the registry's {name!r}"
                codes.add("TODO-country")
            else:
                codes.add(code)
        return sorted(codes)

    def enrollment(self, design: dict[str, Any]) -> dict[str, Any] | None:
        info = design.get("enrollmentInfo") or {}
        if info.get("count") is None:
            return None
        return {"count": int(info["count"]), "type": vocab.ENROLLMENT_TYPES.get(str(info.get("type")), "planned")}

    def conditions(self) -> list[str]:
        registry = list(self.module("conditionsModule").get("conditions") or [])
        derived = (self.study.get("derivedSection") or {}).get("conditionBrowseModule") or {}
        meshes = [m.get("term") for m in derived.get("meshes") or [] if m.get("term")]
        self.suggested = vocab.suggest_conditions([*registry, *meshes], self.names)
        hint = (", ".join(f"{cid} (matches {term!r})" for cid, term in self.suggested)
                if self.suggested else "none of records/conditions/ matched; add a condition record first")
        self.comments[("conditions",)] = (
            f"TODO condition ids from records/conditions/. {_quote('Registry conditions', '; '.join(registry))}; "
            f"MeSH terms: {'; '.join(meshes) or '(none)'}. Suggested: {hint}")
        return ["TODO-condition"]

    def arms(self) -> list[dict[str, Any]]:
        module = self.module("armsInterventionsModule")
        interventions = {i.get("name"): i for i in module.get("interventions") or []}
        out: list[dict[str, Any]] = []
        taken: set[str] = set()
        for n, group in enumerate(module.get("armGroups") or []):
            label = group.get("label") or f"Arm {n + 1}"
            arm: dict[str, Any] = {"id": _unique(slug(label, words=3), taken), "label": label}
            arm["role"] = self.enum(vocab.ARM_ROLES, group.get("type"), "TODO-arm-role", ("arms", n, "role"),
                                    "arm role") or "TODO-arm-role"
            given = [f"{name}: {interventions.get(name.split(': ', 1)[-1], {}).get('description') or ''}".strip(": ")
                     for name in group.get("interventionNames") or []]
            text = group.get("description") or "; ".join(given)
            if text:
                arm["intervention"] = " ".join(text.split())
            if group.get("type") == "EXPERIMENTAL":
                quoted = _quote("Registry arm", group.get("description")) + ". " + _quote(
                    "Interventions", "; ".join(given))
                arm["cell_source"] = "TODO-cell-source"
                self.comments[("arms", n, "cell_source")] = (
                    f"TODO cell_source: the id of a record in records/cell_sources/ (or create one). {quoted}")
                arm["dose"] = {"value": TODO, "unit": "TODO-dose-unit"}
                self.comments[("arms", n, "dose")] = ("TODO dose value and unit (cells_per_kg, cells, particles, "
                                                      "...), or delete dose if the registry does not give one; "
                                                      "see the arm's intervention text")
                arm["route"] = "TODO-route"
                self.comments[("arms", n, "route")] = "TODO route (intravenous, intratracheal, endobronchial, ...)"
            out.append(arm)
        return out

    def outcomes(self) -> list[dict[str, Any]]:
        module = self.module("outcomesModule")
        results = ((self.study.get("resultsSection") or {}).get("outcomeMeasuresModule") or {}).get(
            "outcomeMeasures") or []
        out: list[dict[str, Any]] = []
        taken: set[str] = set()
        for key, role in (("primaryOutcomes", "primary"), ("secondaryOutcomes", "secondary"),
                          ("otherOutcomes", "exploratory")):
            for item in module.get(key) or []:
                measure = " ".join(str(item.get("measure") or "").split())
                if not measure:
                    continue
                n = len(out)
                outcome: dict[str, Any] = {"id": _unique(slug(measure), taken), "name": measure,
                                           "category": "TODO-outcome-category", "role": role}
                self.comments[("outcomes", n, "category")] = (
                    "TODO category (fev1, mortality, adverse_events, ...). "
                    + _quote("Registry description", item.get("description")))
                if item.get("timeFrame"):
                    outcome["timepoint"] = " ".join(item["timeFrame"].split())
                outcome["source"] = self.nct_id
                result = outcome_result(measure, results)
                if result is not None:
                    outcome["result"] = result
                    self.comments[("outcomes", n, "result", "direction")] = (
                        "TODO direction (favours_intervention, no_significant_difference, descriptive, ...): "
                        "judge it from the posted numbers in the summary below and the registry's analysis")
                out.append(outcome)
        sae = serious_adverse_events((self.study.get("resultsSection") or {}).get("adverseEventsModule"))
        if sae is not None:
            sae["id"] = _unique("serious-adverse-events", taken)
            sae["source"] = self.nct_id
            self.comments[("outcomes", len(out), "result", "direction")] = (
                "TODO direction (no_safety_signal or safety_signal): read which events the registry or the "
                "paper attributes to the product")
            out.append({k: sae[k] for k in ("id", "name", "category", "role", "timepoint", "source", "result")
                        if k in sae})
        return out


#: What a draft never holds: checks.text.CONTROL (validate refuses them; a YAML comment cannot
#: hold one), tabs (the formatter cannot fold them in every place), and U+FFFE/U+FFFF (YAML
#: cannot hold them).
_UNWRITABLE = re.compile(CONTROL.pattern + r"|[\t\ufffe\uffff]")


def _clean(value: Any) -> Any:
    """Registry text as a record can hold it: no lone surrogates, line ends as LF, tabs and line
    and paragraph separators as spaces, and none of the rest of _UNWRITABLE."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        text = value.encode("utf-8", "replace").decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        return _UNWRITABLE.sub(lambda m: " " if m.group() in "\t\u2028\u2029\x85" else "", text)
    return value


def build_draft(study: Study, *, conditions: Sequence[dict[str, Any]] = (), today: dt.date | None = None,
                record_id: str | None = None) -> Draft:
    """The draft record for ``study`` (an API v2 study object); ``conditions`` are the corpus's condition records."""
    study = _clean(study)
    builder = _Builder(study, vocab.condition_names(conditions), today or dt.date.today(),
                       record_id or suggest_record_id(study))
    data = builder.build()
    draft = Draft(data["id"], builder.nct_id, data, builder.comments, builder.suggested)
    draft.text = render(data, builder.comments, header(study))
    return draft


def header(study: Study) -> str:
    status = study["protocolSection"].get("statusModule", {})
    updated = (status.get("lastUpdatePostDateStruct") or {}).get("date")
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    return (f"Draft imported from ClinicalTrials.gov {nct}" + (f" (last update posted {updated})" if updated else "")
            + " by `respirocell import`. Replace every TODO from the registry text quoted above it, delete optional "
            "fields the sources do not give, then run `respirocell validate` and `respirocell fmt`.")


def _comment_lines(text: str, column: int) -> list[str]:
    indent = " " * (column - 1)
    return [f"{indent}# {line}" for line in textwrap.wrap(text, WIDTH - column - 2, break_on_hyphens=False)]


@cache
def _dumper() -> type:
    """PyYAML's safe dumper without YAML 1.1 timestamps, so dates are written plain, as curators write them."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
    }
    return Dumper


def render(data: dict[str, Any], comments: dict[tuple[PathElem, ...], str], head: str = "") -> str:
    """Canonical YAML (as `respirocell fmt` writes it) with each comment on the lines above its field."""
    import yaml

    from ..formatting import format_text

    dumped = yaml.dump(data, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=10_000)
    plain = format_text(dumped.encode("utf-8"), "Study")
    lines = plain.decode("utf-8").splitlines()
    root = parse_record(plain)[1]
    placed: list[tuple[int, list[str]]] = []
    for path, text in comments.items():
        line, column = locate_node(root, path, at_key=True)
        if line is not None and column is not None:
            placed.append((line, _comment_lines(text, column)))
    for line, block in sorted(placed, key=lambda p: p[0], reverse=True):
        lines[line - 1:line - 1] = block
    if head:
        lines[0:0] = [*_comment_lines(head, 1), ""]
    return format_text(("\n".join(lines) + "\n").encode("utf-8"), "Study").decode("utf-8")


def placeholders(data: Any) -> Iterable[tuple[PathElem, ...]]:
    """Paths of the values still to fill: TODO text, and empty values."""
    return (path for path, value in leaves(data)
            if value is None or (isinstance(value, str) and value.startswith(TODO)))
