"""TSV tables for spreadsheets, R and pandas: one row per study, arm, outcome, condition, cell source.

``COLUMNS`` is the documentation: for each table, its columns in order with what each holds.
The columns are stable; new ones are only ever added at the end. Conventions:

* tab-separated, UTF-8, LF line endings, one header row; rows sorted by their key columns;
* an empty cell means the record does not give the value;
* lists are joined with ``|`` (``copd|emphysema``);
* true/false for booleans; numbers as written in Python (``100000000.0``, ``1e-05``);
* a cell holding a tab, newline or double quote is quoted as in CSV (the csv module's rule).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from ..loading import RecordFile
from .jsonld import record_iri

_CURATION = {
    "curators": "Curators' names, |-separated (ORCID iDs in brackets where given).",
    "created": "When the record was first written (YYYY-MM-DD).",
    "modified": "When the record was last changed (YYYY-MM-DD), if it was.",
}

COLUMNS: dict[str, dict[str, str]] = {
    "studies.tsv": {
        "id": "The study's record id (its file name under records/studies/).",
        "iri": "The study's IRI in the RDF exports.",
        "title": "Official or published title.",
        "acronym": "Short name, if any.",
        "status": "Recruitment status (StudyStatus: completed, terminated ...).",
        "status_reason": "Why a study stopped, for terminated/suspended/withdrawn studies.",
        "phase": "Trial phase (StudyPhase: phase_1, phase_1_2 ...).",
        "study_type": "interventional or observational.",
        "evidence_basis": "published_results, registry_results or registry_only.",
        "allocation": "design.allocation (randomized, non_randomized, not_applicable).",
        "masking": "design.masking (none, single, double, triple, quadruple).",
        "model": "design.model (single_group, parallel, crossover, sequential, factorial).",
        "control": "design.control (placebo, standard_of_care, active ...).",
        "start_date": "Start of enrolment: YYYY-MM-DD, YYYY-MM or YYYY.",
        "completion_date": "Completion (actual or expected), same form as start_date.",
        "enrollment_count": "Number of participants.",
        "enrollment_type": "planned or actual.",
        "conditions": "Condition record ids, |-separated (join with conditions.tsv or study_conditions.tsv).",
        "countries": "ISO 3166-1 alpha-2 codes, |-separated.",
        "sponsors": "Sponsors as named by the registry, |-separated.",
        "registrations": "Registry entries as registry:trial_id, |-separated (clinicaltrials:NCT00683722).",
        "dois": "DOIs of the publications, |-separated.",
        "pmids": "PubMed ids of the publications, |-separated.",
        "pmcids": "PubMed Central ids of the publications, |-separated.",
        "follow_up_duration": "Follow-up after treatment, ISO 8601 duration as written (P12M).",
        "follow_up_of": "Study id of the earlier study this one follows up, if any.",
        "arm_count": "Number of rows for this study in arms.tsv.",
        "outcome_count": "Number of rows for this study in outcomes.tsv.",
        "notes": "Curator's notes.",
        **_CURATION,
    },
    "arms.tsv": {
        "study_id": "The study's record id.",
        "arm_id": "The arm's id, unique within the study.",
        "label": "The arm's name as the source gives it.",
        "role": "ArmRole: experimental, placebo_comparator, standard_of_care ...",
        "cell_source": "Cell source record id of the product given, if any.",
        "intervention": "What the arm received, in words.",
        "dose_value": "Dose per administration (lower end of a range).",
        "dose_value_max": "Upper end of a dose range, if any.",
        "dose_unit": "DoseUnit: cells_per_kg, cells, particles, microgram_protein ...",
        "dose_count": "Number of administrations per participant.",
        "dose_interval": "Time between administrations, ISO 8601 duration as written (P1W).",
        "route": "RouteOfAdministration: intravenous, intratracheal, inhalation ...",
        "participants": "Participants in the arm.",
    },
    "outcomes.tsv": {
        "study_id": "The study's record id.",
        "outcome_index": "Position of the outcome in the study record, from 0 (as in the IRI .../outcome/0).",
        "name": "The outcome as the source names it.",
        "category": "OutcomeCategory: fev1, six_minute_walk_distance, mortality, adverse_events ...",
        "role": "OutcomeRole: primary, secondary, safety, exploratory ...",
        "timepoint": "When it was measured, as the source says.",
        "source": "Where this outcome was read (registry id, doi:..., pmid:...).",
        "direction": "result.direction; empty when no result is recorded.",
        "comparison": "result.comparison.",
        "estimate": "result.estimate.",
        "estimate_type": "result.estimate_type (mean_difference, risk_ratio, count ...).",
        "estimate_unit": "result.estimate_unit as reported.",
        "ci_lower": "result.ci_lower.",
        "ci_upper": "result.ci_upper.",
        "ci_level": "result.ci_level, a fraction (0.95).",
        "p_value": "result.p_value.",
        "p_value_qualifier": "result.p_value_qualifier: equal, less_than or greater_than.",
        "summary": "result.summary, the curator's summary of what the source reports.",
    },
    "conditions.tsv": {
        "id": "The condition's record id.",
        "iri": "The condition's IRI in the RDF exports.",
        "name": "Name used by curators and readers.",
        "term_id": "MONDO CURIE (MONDO:0005002).",
        "term_label": "The MONDO label.",
        "synonyms": "Other names, |-separated.",
        "category": "ConditionCategory: obstructive, interstitial_fibrotic, acute_lung_injury ...",
        "notes": "Curator's notes.",
        **_CURATION,
    },
    "cell_sources.tsv": {
        "id": "The cell source's record id.",
        "iri": "The cell source's IRI in the RDF exports.",
        "name": "Short human-readable name.",
        "cell_type_id": "Cell Ontology CURIE, if any.",
        "cell_type_label": "Cell Ontology label.",
        "tissue_id": "UBERON CURIE of the source tissue.",
        "tissue_label": "UBERON label.",
        "donor": "autologous or allogeneic.",
        "product_form": "ProductForm: living_cells, extracellular_vesicles, secretome ...",
        "vesicle_type_id": "Gene Ontology CURIE of the vesicle, for vesicle products.",
        "vesicle_type_label": "Gene Ontology label.",
        "derivation": "primary, ipsc_derived or esc_derived.",
        "culture_expanded": "true, false, or empty when not stated.",
        "product_name": "Brand or code name, if any.",
        "manufacturer": "Maker, if named.",
        "notes": "Curator's notes.",
        **_CURATION,
    },
    "study_conditions.tsv": {
        "study_id": "The study's record id.",
        "condition_id": "A condition record id the study names (one row per pair).",
    },
}

Row = dict[str, Any]


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _items(data: Any, key: str) -> list[dict[str, Any]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _curation(data: dict[str, Any]) -> Row:
    curators = [f"{c.get('name', '')} ({c['orcid']})" if c.get("orcid") else str(c.get("name", ""))
                for c in _items(data.get("curation"), "curators")]
    return {"curators": curators, "created": _get(data, "curation", "created"),
            "modified": _get(data, "curation", "modified")}


def _study_rows(record: RecordFile) -> Iterator[tuple[str, Row]]:
    d, sid = record.data, record.data["id"]
    pubs = _items(d, "publications")
    yield "studies.tsv", {
        "id": sid, "iri": record_iri("Study", sid), "title": d.get("title"), "acronym": d.get("acronym"),
        "status": d.get("status"), "status_reason": d.get("status_reason"), "phase": d.get("phase"),
        "study_type": d.get("study_type"), "evidence_basis": d.get("evidence_basis"),
        **{k: _get(d, "design", k) for k in ("allocation", "masking", "model", "control")},
        "start_date": d.get("start_date"), "completion_date": d.get("completion_date"),
        "enrollment_count": _get(d, "enrollment", "count"), "enrollment_type": _get(d, "enrollment", "type"),
        "conditions": d.get("conditions"), "countries": d.get("countries"), "sponsors": d.get("sponsors"),
        "registrations": [f"{r.get('registry')}:{r.get('trial_id')}" for r in _items(d, "registrations")],
        "dois": [p["doi"] for p in pubs if p.get("doi")], "pmids": [p["pmid"] for p in pubs if p.get("pmid")],
        "pmcids": [p["pmcid"] for p in pubs if p.get("pmcid")],
        "follow_up_duration": d.get("follow_up_duration"), "follow_up_of": d.get("follow_up_of"),
        "arm_count": len(_items(d, "arms")), "outcome_count": len(_items(d, "outcomes")),
        "notes": d.get("notes"), **_curation(d),
    }
    for arm in _items(d, "arms"):
        yield "arms.tsv", {
            "study_id": sid, "arm_id": arm.get("id"), "label": arm.get("label"), "role": arm.get("role"),
            "cell_source": arm.get("cell_source"), "intervention": arm.get("intervention"),
            "dose_value": _get(arm, "dose", "value"), "dose_value_max": _get(arm, "dose", "value_max"),
            "dose_unit": _get(arm, "dose", "unit"), "dose_count": arm.get("dose_count"),
            "dose_interval": arm.get("dose_interval"), "route": arm.get("route"),
            "participants": arm.get("participants"),
        }
    for index, outcome in enumerate(_items(d, "outcomes")):
        result = outcome["result"] if isinstance(outcome.get("result"), dict) else {}
        yield "outcomes.tsv", {
            "study_id": sid, "outcome_index": index,
            **{k: outcome.get(k) for k in ("name", "category", "role", "timepoint", "source")},
            **{k: result.get(k) for k in ("direction", "comparison", "estimate", "estimate_type", "estimate_unit",
                                          "ci_lower", "ci_upper", "ci_level", "p_value", "p_value_qualifier",
                                          "summary")},
        }
    for condition in d.get("conditions") or []:
        yield "study_conditions.tsv", {"study_id": sid, "condition_id": condition}


def _condition_rows(record: RecordFile) -> Iterator[tuple[str, Row]]:
    d = record.data
    yield "conditions.tsv", {
        "id": d["id"], "iri": record_iri("Condition", d["id"]), "name": d.get("name"),
        "term_id": _get(d, "term", "id"), "term_label": _get(d, "term", "label"), "synonyms": d.get("synonyms"),
        "category": d.get("category"), "notes": d.get("notes"), **_curation(d),
    }


def _cell_source_rows(record: RecordFile) -> Iterator[tuple[str, Row]]:
    d = record.data
    yield "cell_sources.tsv", {
        "id": d["id"], "iri": record_iri("CellSource", d["id"]), "name": d.get("name"),
        **{f"{term}_{part}": _get(d, term, part) for term in ("cell_type", "tissue") for part in ("id", "label")},
        "donor": d.get("donor"), "product_form": d.get("product_form"),
        "vesicle_type_id": _get(d, "vesicle_type", "id"), "vesicle_type_label": _get(d, "vesicle_type", "label"),
        "derivation": d.get("derivation"), "culture_expanded": d.get("culture_expanded"),
        "product_name": d.get("product_name"), "manufacturer": d.get("manufacturer"), "notes": d.get("notes"),
        **_curation(d),
    }


_ROWS: dict[str, Callable[[RecordFile], Iterator[tuple[str, Row]]]] = {
    "Study": _study_rows, "Condition": _condition_rows, "CellSource": _cell_source_rows}
#: Columns rows are sorted by (numbers compare as numbers).
_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "studies.tsv": ("id",), "arms.tsv": ("study_id", "arm_id"), "outcomes.tsv": ("study_id", "outcome_index"),
    "conditions.tsv": ("id",), "cell_sources.tsv": ("id",), "study_conditions.tsv": ("study_id", "condition_id"),
}


def cell(value: Any) -> str:
    """One value as TSV text (see the module docstring for the conventions)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(cell(v) for v in value)
    return str(value)


def build_tables(records: list[RecordFile]) -> dict[str, str]:
    """File name -> TSV text for every table in COLUMNS (header only when there are no rows)."""
    rows: dict[str, list[Row]] = {name: [] for name in COLUMNS}
    for record in records:
        if record.kind not in _ROWS or not isinstance(record.data, dict) or not record.record_id:
            raise ValueError(f"{record.display}: not a parsed study, cell source or condition record")
        for table, row in _ROWS[record.kind](record):
            if list(row) != list(COLUMNS[table]):  # a programming error: COLUMNS is the contract
                raise AssertionError(f"{table}: row columns {list(row)} differ from COLUMNS")
            rows[table].append(row)
    out: dict[str, str] = {}
    for table, columns in COLUMNS.items():
        keys = _SORT_KEYS[table]
        ordered = sorted(rows[table], key=lambda r: tuple((0, v) if isinstance(v, int) else (1, cell(v))
                                                          for v in (r[k] for k in keys)))
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([cell(row[c]) for c in columns] for row in ordered)
        out[table] = buffer.getvalue()
    return out
