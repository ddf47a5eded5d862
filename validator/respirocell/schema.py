"""The one typed view of the schema: record kinds, slots, enums and their meanings.

Everything that needs to know the schema (templates, fmt, the checks, the exports, the
tables) asks here. It reads ``_generated/schema_map.json``, which ``tools/generate.py`` writes
from ``schema/respirocell.yaml`` with linkml, so the runtime never imports linkml.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import package_data

#: A record's own bookkeeping, placed around its facts in the canonical order.
LEADING_FIELDS = ("id",)
TRAILING_FIELDS = ("notes", "not_reported", "curation")


@dataclass(frozen=True)
class Kind:
    """A kind of record: a schema class with its own folder of one-record files."""

    name: str  # schema class: Study
    folder: str  # folder under records/: studies
    cli_name: str  # respirocell new <cli_name>: study, cell-source
    iri_segment: str  # https://w3id.org/respirocell/<iri_segment>/<id>
    label: str  # in messages: "cell source"


@dataclass(frozen=True)
class Slot:
    name: str
    range: str
    kind: str  # "type" | "enum" | "object" | "reference"
    multivalued: bool
    required: bool
    recommended: bool
    description: str | None
    slot_uri: str | None
    #: The type that gives the slot its pattern (RecordId, Duration, IsoDate for a date of
    #: several forms), or None: what a hint for a value of the wrong form is chosen by.
    pattern_type: str | None
    #: The ontology an OntologyTerm slot takes its terms from (MONDO, CL, UBERON, GO), or None.
    ontology: str | None = None


@dataclass(frozen=True)
class EnumValue:
    name: str
    description: str | None
    meaning: str | None
    label: str | None = None


@cache
def _doc() -> dict[str, Any]:
    return json.loads(package_data.read_text("_generated/schema_map.json"))  # type: ignore[no-any-return]


@cache
def kinds() -> tuple[Kind, ...]:
    return tuple(Kind(name=k["name"], folder=k["folder"], cli_name=k["cli_name"], iri_segment=k["iri_segment"],
                      label=k["label"]) for k in _doc()["kinds"])


def kind(name: str) -> Kind:
    """The kind of schema class ``name`` (Study, CellSource, Condition)."""
    return next(k for k in kinds() if k.name == name)


def kind_of_folder(folder: str) -> Kind | None:
    return next((k for k in kinds() if k.folder == folder), None)


def kind_of_cli_name(cli_name: str) -> Kind | None:
    return next((k for k in kinds() if k.cli_name == cli_name), None)


@cache
def slots(cls: str) -> dict[str, Slot]:
    """The slots of class ``cls`` in canonical order (a record's id first, its bookkeeping last)."""
    spec = _doc()["classes"][cls]["slots"]
    names = list(spec)
    if cls in {k.name for k in kinds()}:
        lead = [n for n in LEADING_FIELDS if n in names]
        trail = [n for n in TRAILING_FIELDS if n in names]
        names = lead + [n for n in names if n not in lead and n not in trail] + trail
    return {n: _slot(n, spec[n]) for n in names}


def _slot(name: str, info: dict[str, Any]) -> Slot:
    pattern_type = info["range"] if info.get("pattern") else \
        next((a["range"] for a in info.get("any_of", []) if a.get("pattern")), None)
    return Slot(name=name, range=info["range"], kind=info["kind"], multivalued=info["multivalued"],
                required=info["required"], recommended=info["recommended"], description=info.get("description"),
                slot_uri=info.get("slot_uri"), pattern_type=pattern_type, ontology=info.get("ontology"))


def slot(cls: str, name: str) -> Slot | None:
    return slots(cls).get(name)


def nested_class(cls: str | None, name: str) -> str | None:
    """The class of the objects slot ``name`` of ``cls`` holds, if it holds objects."""
    found = slots(cls).get(name) if cls in _doc()["classes"] else None
    return found.range if found is not None and found.kind == "object" else None


def class_info(cls: str) -> dict[str, Any]:
    """The raw generated entry of ``cls`` (type URIs and alternative forms, for the exports)."""
    return _doc()["classes"][cls]  # type: ignore[no-any-return]


def enums() -> tuple[str, ...]:
    return tuple(_doc()["enums"])


@cache
def enum_values(enum: str) -> dict[str, EnumValue]:
    values = _doc()["enums"][enum]["values"]
    return {v: EnumValue(v, info.get("description"), info.get("meaning"), info.get("label"))
            for v, info in values.items()}


@cache
def _labels() -> dict[str, str]:
    return {value: info["label"] for enum in _doc()["enums"].values() for value, info in enum["values"].items()
            if info.get("label")}


def value_label(value: object) -> str:
    """An enum value as a reader sees it: its ``label`` annotation in the schema ("Phase 1/2", "FEV1",
    "ClinicalTrials.gov"), else its words ("not_stated" -> "Not stated"). One label for the site
    and the RDF exports' skos:prefLabel."""
    text = str(value)
    label = _labels().get(text)
    if label is not None:
        return label
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


def recommended(cls: str) -> list[str]:
    return [s.name for s in slots(cls).values() if s.recommended]


def fact_fields(cls: str) -> frozenset[str]:
    """The fields of a record whose facts a cited source must be named for (not bookkeeping)."""
    return frozenset(slots(cls)) - {"id", "curation", "notes", "not_reported"}


def meta() -> dict[str, Any]:
    """The schema's id, title and version."""
    doc = _doc()
    return {"id": doc["id"], "title": doc["title"], "version": doc["version"]}
