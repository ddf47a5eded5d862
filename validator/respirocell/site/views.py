"""What the pages show, worked out once from the records: links, facets, summaries, map cells.

Everything here is plain data (dicts, lists, strings) sorted deterministically, so the same
corpus always gives the same pages; the templates only lay it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .. import schema
from ..export import jsonld
from ..loading import RecordFile
from .labels import WHO_ICTRP, country, label, year_of

GITHUB = "https://github.com/respirocell/respirocell/blob/main/records"
#: Record kind -> the folder its pages live in: the site mirrors records/ (studies/<id>.html).
PAGE_FOLDERS: dict[str, str] = {k.name: k.folder for k in schema.kinds()}
#: Product forms grouped as the evidence map's columns group them.
FORM_GROUPS: dict[str, str] = {
    "living_cells": "cells", "extracellular_vesicles": "EVs/exosomes", "exosomes": "EVs/exosomes",
    "secretome": "secretome", "stromal_vascular_fraction": "fraction", "mononuclear_cell_fraction": "fraction",
}
#: The study list's facets: key -> heading, in the order the page shows them.
FACETS: dict[str, str] = {
    "condition": "Condition", "product": "Product type", "tissue": "Tissue", "donor": "Donor",
    "form": "Product form", "phase": "Phase", "status": "Status", "design": "Design", "route": "Route",
    "country": "Country", "evidence": "Evidence basis", "results": "Results reported", "year": "Start year",
}
#: Facets whose values follow the schema's enum order rather than the alphabet.
ENUM_FACETS: dict[str, str] = {"donor": "DonorRelation", "form": "ProductForm", "phase": "StudyPhase",
                               "status": "StudyStatus", "design": "Allocation", "route": "RouteOfAdministration",
                               "evidence": "EvidenceBasis"}
NOT_GIVEN = "not_given"


def slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def github_url(record: RecordFile) -> str:
    return f"{GITHUB}/{schema.kind(str(record.kind)).folder}/{record.record_id}.yaml"


def source_url(source: str, registrations: Iterable[dict[str, Any]] = ()) -> str | None:
    """Where a cited source can be read: a registry page, doi.org, PubMed, an ontology term."""
    for reg in registrations:
        if reg.get("trial_id") == source:
            return registry_url(str(reg.get("registry")), source)
    return _source_url(source)


@cache
def _source_url(source: str) -> str | None:
    prefix, sep, local = source.partition(":")
    if sep and prefix.lower() == "doi":
        return f"https://doi.org/{local}"
    if sep and prefix.lower() == "pmid":
        return f"https://pubmed.ncbi.nlm.nih.gov/{local}/"
    if sep and prefix.lower() == "pmcid":
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{local}/"
    if sep and prefix.isupper():  # an ontology term (MONDO:..., CL:...)
        try:
            return jsonld.expand(source)
        except ValueError:
            return None
    return None


@cache
def registry_url(registry: str, trial_id: str) -> str:
    """The registry's page for a trial (Bioregistry's), else WHO ICTRP's search, which holds
    every registry of the WHO network."""
    try:
        url = jsonld.expand(f"{registry}:{trial_id}")
    except ValueError:
        return WHO_ICTRP + trial_id
    return WHO_ICTRP + trial_id if "bioregistry.io" in url else url


def publication_links(pub: dict[str, Any]) -> list[tuple[str, str]]:
    links = []
    if pub.get("doi"):
        links.append((f"doi:{pub['doi']}", f"https://doi.org/{pub['doi']}"))
    if pub.get("pmid"):
        links.append((f"PubMed {pub['pmid']}", f"https://pubmed.ncbi.nlm.nih.gov/{pub['pmid']}/"))
    if pub.get("pmcid"):
        links.append((pub["pmcid"], f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pub['pmcid']}/"))
    return links


def sources_for(data: dict[str, Any], fields: Iterable[str]) -> list[tuple[str, str | None]]:
    """(source, url) of each cited source that names one of ``fields``: the link beside a fact group."""
    wanted = set(fields)
    regs = data.get("registrations") or []
    return [(s["source"], source_url(s["source"], regs)) for s in data["curation"]["sources"]
            if wanted & set(s.get("fields") or [])]


def phase_rank(phase: str | None) -> int:
    """Higher for a more advanced phase; 'not applicable' and no phase rank lowest."""
    return _phase_ranks().get(str(phase), 0)


@cache
def _phase_ranks() -> dict[str, int]:
    return {p: i + 1 for i, p in enumerate(p for p in schema.enum_values("StudyPhase") if p != "not_applicable")}


def has_results(study: dict[str, Any]) -> bool:
    return any(isinstance(o, dict) and o.get("result") for o in study.get("outcomes") or [])


def participants(study: dict[str, Any]) -> int | None:
    enrollment = study.get("enrollment")
    return enrollment.get("count") if isinstance(enrollment, dict) else None


@dataclass
class Site:
    """The corpus as the site sees it: records by id, and each study's facet values."""

    studies: list[RecordFile]
    conditions: dict[str, RecordFile]
    cell_sources: dict[str, RecordFile]
    facets: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # study id -> facet -> values
    facet_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # facet -> value -> label
    followed_by: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: list[RecordFile]) -> Site:
        by_kind: dict[str, list[RecordFile]] = defaultdict(list)
        for record in sorted(records, key=lambda r: str(r.record_id)):
            by_kind[str(record.kind)].append(record)
        site = cls(by_kind["Study"], {str(r.record_id): r for r in by_kind["Condition"]},
                   {str(r.record_id): r for r in by_kind["CellSource"]})
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for study in site.studies:
            values = site._study_facets(study.data, labels)
            site.facets[str(study.record_id)] = values
            if isinstance(study.data.get("follow_up_of"), str):
                site.followed_by.setdefault(study.data["follow_up_of"], []).append(str(study.record_id))
        site.facet_labels = {key: site._ordered(key, labels[key]) for key in FACETS}
        return site

    def products(self, study: dict[str, Any]) -> list[str]:
        """The ids of every cell source the study's arms received, in arm order, once each."""
        seen: dict[str, None] = {}
        for arm in study.get("arms") or []:
            for source in [arm.get("cell_source"), *(arm.get("additional_cell_sources") or [])]:
                if isinstance(source, str) and source in self.cell_sources:
                    seen[source] = None
        return list(seen)

    def product_type(self, source_id: str) -> tuple[str, str]:
        """(key, label) of a cell source's product type: tissue of origin and form group."""
        data = self.cell_sources[source_id].data
        group = FORM_GROUPS.get(data["product_form"], label(data["product_form"]))
        tissue = data["tissue"]["label"]
        return slug(f"{tissue} {group}"), f"{tissue} · {group}"

    def _study_facets(self, study: dict[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)

        def add(facet: str, value: str, text: str) -> None:
            if value not in out[facet]:
                out[facet].append(value)
            labels[facet].setdefault(value, text)

        for cid in study.get("conditions") or []:
            add("condition", cid, self.conditions[cid].data["name"] if cid in self.conditions else cid)
        for source_id in self.products(study):
            data = self.cell_sources[source_id].data
            add("product", *self.product_type(source_id))
            add("tissue", data["tissue"]["id"], data["tissue"]["label"])
            add("donor", data["donor"], label(data["donor"]))
            add("form", data["product_form"], label(data["product_form"]))
        for arm in study.get("arms") or []:
            if arm.get("route"):
                add("route", arm["route"], label(arm["route"]))
        design = study.get("design") or {}
        add("design", design.get("allocation") or NOT_GIVEN, label(design.get("allocation") or "not given"))
        add("phase", study.get("phase") or NOT_GIVEN, label(study.get("phase") or "not given"))
        add("status", study["status"], label(study["status"]))
        add("evidence", study["evidence_basis"], label(study["evidence_basis"]))
        for code in study.get("countries") or []:
            add("country", code, country(code))
        add("results", "yes" if has_results(study) else "no", "Yes" if has_results(study) else "No")
        year = year_of(study.get("start_date"))
        add("year", year or NOT_GIVEN, year or "Not given")
        return dict(out)

    @staticmethod
    def _ordered(facet: str, values: dict[str, str]) -> dict[str, str]:
        order = {v: i for i, v in enumerate(schema.enum_values(ENUM_FACETS[facet]))} if facet in ENUM_FACETS else {}

        def key(value: str) -> tuple[Any, ...]:
            if facet in ENUM_FACETS:
                return order.get(value, len(order)), value
            if facet in ("year", "results"):
                return value == NOT_GIVEN, value != "yes", value
            return values[value].lower(), value

        return {v: values[v] for v in sorted(values, key=key)}

    def summary(self, studies: list[RecordFile]) -> dict[str, Any]:
        """Counts for a set of studies: follow-up studies report on participants already counted,
        so they are left out of the participant total."""
        originals = [s for s in studies if not s.data.get("follow_up_of")]
        phases: dict[str, int] = defaultdict(int)
        for s in studies:
            phases[s.data.get("phase") or NOT_GIVEN] += 1
        return {
            "studies": len(studies),
            "participants": sum(participants(s.data) or 0 for s in originals),
            "with_results": sum(1 for s in studies if has_results(s.data)),
            "phases": [(label(p if p != NOT_GIVEN else "not given"), phases[p])
                       for p in [*schema.enum_values("StudyPhase"), NOT_GIVEN] if phases.get(p)],
            "top_phase": max((s.data.get("phase") for s in studies), key=phase_rank, default=None),
        }

    def studies_of_condition(self, cid: str) -> list[RecordFile]:
        return [s for s in self.studies if cid in self.facets[str(s.record_id)].get("condition", [])]

    def studies_of_source(self, source_id: str) -> list[RecordFile]:
        return [s for s in self.studies if source_id in self.products(s.data)]
