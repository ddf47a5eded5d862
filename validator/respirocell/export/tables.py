"""TSV tables for spreadsheets, R and pandas, with a Frictionless ``datapackage.json``.

The tables are derived from the schema, never described by hand: one table per record kind
(studies, cell_sources, conditions) and one per list of objects inside a study (arms,
outcomes, registrations, publications) or of references (study_conditions). A nested single
object becomes columns named after its path (``design_allocation``, ``result_p_value``,
``term_id``); a list of plain values is one cell joined with ``|``. Column descriptions,
types and allowed values come from the schema, and the data package declares primary and
foreign keys. Conventions: tab-separated, UTF-8, LF, one header row; rows sorted by their keys;
an empty cell means the record does not give the value; true/false for booleans; a cell
holding a tab, newline or double quote is quoted as in CSV.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from .. import schema
from ..loading import RecordFile
from .jsonld import record_iri

_TYPES = {"integer": "integer", "float": "number", "double": "number", "decimal": "number", "boolean": "boolean"}


@dataclass
class Column:
    name: str
    path: tuple[str, ...]
    description: str
    type: str = "string"
    enum: list[str] | None = None


@dataclass
class Table:
    name: str
    columns: list[Column]
    key: list[str]
    foreign: list[tuple[str, str, str]] = field(default_factory=list)  # (column, table, column)
    rows: list[dict[str, str]] = field(default_factory=list)


def _columns(cls: str, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The flat columns of class ``cls``: its plain slots, and those of its single nested objects."""
    out: list[Column] = []
    for slot in schema.slots(cls).values():
        if not prefix and slot.name in ("curation", "not_reported"):
            continue
        path = (*prefix, slot.name)
        name = "_".join(path)
        description = slot.description or ""
        if slot.kind == "object":
            if slot.multivalued:
                continue  # a table of its own (or, for curation, summarised below)
            out += _columns(slot.range, path)
            continue
        column = Column(name, path, description)
        if slot.kind == "enum":
            column.enum = None if slot.multivalued else list(schema.enum_values(slot.range))
        elif slot.kind == "type" and not slot.multivalued:
            column.type = _TYPES.get(slot.range, "string")
        out.append(column)
    return out


def child_tables() -> list[str]:
    """The lists of objects in a study, each a table of its own (arms, outcomes ...), in schema order."""
    return [s.name for s in schema.slots("Study").values() if s.kind == "object" and s.multivalued]


def tables_of_schema() -> list[Table]:
    """The tables and their columns, from the schema alone."""
    curation = [Column("curation_created", ("curation", "created"), "When the record was first written."),
                Column("curation_modified", ("curation", "modified"), "When the record was last changed."),
                Column("curation_curators", ("curation", "curators"), "Curators' names, |-separated.")]
    out: list[Table] = []
    studies, sources, conditions = (schema.kind(k).folder for k in ("Study", "CellSource", "Condition"))
    for kind in schema.kinds():
        cols = _columns(kind.name)
        cols.insert(1, Column("iri", (), "The record's IRI in the RDF exports."))
        out.append(Table(kind.folder, cols + curation, ["id"]))
    for slot_name in child_tables():
        item_cls = schema.slots("Study")[slot_name].range
        cols = [Column("study_id", (), "The id of the study the row belongs to."),
                Column("position", (), "Position of the item in the study record, from 0.", "integer"),
                *_columns(item_cls)]
        foreign = [("study_id", studies, "id")]
        if slot_name == "arms":
            foreign.append(("cell_source", sources, "id"))
        out.append(Table(slot_name, cols, ["study_id", "position"], foreign))
    out.append(Table("study_conditions", [Column("study_id", (), "The study's id."),
                                          Column("condition_id", (), "A condition the study names.")],
                     ["study_id", "condition_id"], [("study_id", studies, "id"), ("condition_id", conditions, "id")]))
    return out


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    return str(value)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _row(table: Table, data: dict[str, Any], extra: dict[str, Any]) -> dict[str, str]:
    return {c.name: cell(extra[c.name] if c.name in extra else _get(data, c.path)) for c in table.columns}


def build_tables(records: list[RecordFile]) -> dict[str, str]:
    """File name -> text for every table, and ``datapackage.json`` describing them."""
    tables = {t.name: t for t in tables_of_schema()}
    children = child_tables()
    for record in records:
        data = record.data
        if record.kind is None or not isinstance(data, dict) or not record.record_id:
            raise ValueError(f"{record.display}: not a parsed study, cell source or condition record")
        kind = schema.kind(record.kind)
        tables[kind.folder].rows.append(_row(tables[kind.folder], data, {"iri": record_iri(kind.name, data["id"])}))
        if kind.name != "Study":
            continue
        for slot_name in children:
            for position, item in enumerate(v for v in data.get(slot_name) or [] if isinstance(v, dict)):
                tables[slot_name].rows.append(_row(tables[slot_name], item,
                                                   {"study_id": data["id"], "position": position}))
        for condition in data.get("conditions") or []:
            tables["study_conditions"].rows.append({"study_id": data["id"], "condition_id": cell(condition)})
    out: dict[str, str] = {}
    for table in tables.values():
        table.rows.sort(key=lambda r: tuple((int(r[k]) if r[k].isascii() and r[k].isdigit() else 0, r[k])
                                            for k in table.key))
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow([c.name for c in table.columns])
        writer.writerows([row[c.name] for c in table.columns] for row in table.rows)
        out[f"{table.name}.tsv"] = buffer.getvalue()
    out["datapackage.json"] = json.dumps(datapackage(list(tables.values())), indent=2, sort_keys=True) + "\n"
    return out


def datapackage(tables: list[Table]) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the tables."""
    meta = schema.meta()
    resources = []
    for table in tables:
        fields = []
        for c in table.columns:
            spec: dict[str, Any] = {"name": c.name, "type": c.type, "description": c.description}
            if c.enum:
                spec["constraints"] = {"enum": c.enum}
            fields.append(spec)
        resources.append({
            "name": table.name.replace("_", "-"), "path": f"{table.name}.tsv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/tab-separated-values", "encoding": "utf-8",
            "dialect": {"delimiter": "\t", "header": True},
            "schema": {"fields": fields, "primaryKey": table.key, "missingValues": [""],
                       "foreignKeys": [{"fields": col, "reference": {"resource": ref.replace("_", "-"), "fields": rcol}}
                                       for col, ref, rcol in table.foreign]}})
    return {"name": "respirocell", "title": meta["title"], "version": meta["version"],
            "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
            "profile": "tabular-data-package", "resources": resources}
