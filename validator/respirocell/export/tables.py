"""TSV tables for spreadsheets, R and pandas, with a Frictionless ``datapackage.json``.

The tables are derived from the schema, never described by hand: one table per record kind
(studies, cell_sources, conditions) and one per list of objects inside a study (arms,
outcomes, registrations, publications) or of references (study_conditions). A nested single
object becomes columns named after its path (``design_allocation``, ``result_p_value``,
``term_id``); a list of plain values is one cell joined with ``|``, and its column's
description says so. What every record may hold besides its facts has tables of its own, keyed
by record_type (the table that holds the record) and record_id: ``not_reported`` (the fields
its sources do not report) and ``curation_sources`` (which source gave which field); their
foreign key is the index ``records``. Column descriptions, types and allowed values come from
the schema, and the data package declares primary and foreign keys: an item with an id (an
arm, an outcome) is keyed by it, so reordering a list changes only its position column.
Conventions: tab-separated, UTF-8, LF, one header row; rows sorted by their keys; an empty
cell means the record does not give the value (or, if not_reported lists the field, that its
sources do not); true/false for booleans; a cell holding a tab, newline or double quote is
quoted as in CSV.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from typing import Any

from .. import schema
from ..loading import RecordFile
from .jsonld import record_iri

_TYPES = {"integer": "integer", "float": "number", "double": "number", "decimal": "number", "boolean": "boolean"}
#: Ends the description of every column holding a list of plain values in one cell.
JOINED = "The values are separated by |."
#: Where in a record are the lists the tables of the same name hold (with record_type, record_id).
NOT_REPORTED = "not_reported"
CURATION_SOURCES = ("curation", "sources")
CURATION_SOURCES_TABLE = "_".join(CURATION_SOURCES)


@dataclass
class Column:
    name: str
    path: tuple[str, ...]
    description: str
    type: str = "string"
    enum: list[str] | None = None
    joined: bool = False  # a list of values in one cell, separated by |


@dataclass
class Table:
    name: str
    columns: list[Column]
    key: list[str]
    #: (column or columns, table, its column or columns)
    foreign: list[tuple[str | list[str], str, str | list[str]]] = field(default_factory=list)
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
        column = Column(name, path, description, joined=slot.multivalued)
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
    curation = [*_columns("Curation", ("curation",)),  # created, modified: the lists are summarised or tables
                Column("curation_curators", ("curation", "curators"), "The names of the people who curated the "
                       "record.", joined=True)]
    out: list[Table] = []
    studies, sources, conditions = (schema.kind(k).folder for k in ("Study", "CellSource", "Condition"))
    for kind in schema.kinds():
        cols = _columns(kind.name)
        cols.insert(1, Column("iri", (), "The record's IRI in the RDF exports."))
        out.append(Table(kind.folder, cols + curation, ["id"]))
    for slot_name in child_tables():
        item_cls = schema.slots("Study")[slot_name].range
        keyed = "id" in schema.slots(item_cls)  # an arm, an outcome; registrations and publications have no id
        order = "The item's position in the study record's list, from 0: the order in the record" + \
            ("." if keyed else "; with study_id the row's key, as the items have no id.")
        cols = [Column("study_id", (), "The id of the study the row belongs to."),
                Column("position", (), order, "integer"),
                *_columns(item_cls)]
        foreign: list[tuple[str | list[str], str, str | list[str]]] = [("study_id", studies, "id")]
        if slot_name == "arms":
            foreign.append(("cell_source", sources, "id"))
        out.append(Table(slot_name, cols, ["study_id", "id" if keyed else "position"], foreign))
    out.append(Table("study_conditions", [Column("study_id", (), "The study's id."),
                                          Column("condition_id", (), "A condition the study names.")],
                     ["study_id", "condition_id"], [("study_id", studies, "id"), ("condition_id", conditions, "id")]))
    return out + _bookkeeping_tables()


def _bookkeeping_tables() -> list[Table]:
    """``records`` (every record's kind and id), and what any record may hold besides its facts,
    one row per record and field: ``not_reported`` and ``curation_sources``. A record_id names a
    row of the table record_type names; no foreign key can say that, so the two columns refer to
    ``records`` together."""
    kinds = schema.kinds()
    folders = [k.folder for k in kinds]
    record, use = schema.slots("Record"), schema.slots(schema.slots("Curation")[CURATION_SOURCES[1]].range)
    facts = list(dict.fromkeys(n for k in kinds for n in schema.slots(k.name) if n in schema.fact_fields(k.name)))

    def record_type() -> Column:
        return Column("record_type", (), f"The table that holds the record: {', '.join(folders)}.", enum=folders)

    record_id = Column("record_id", (), "The record's id (its id in the table record_type names).")
    key = ["record_type", "record_id"]
    foreign: list[tuple[str | list[str], str, str | list[str]]] = [(key, "records", ["record_type", "id"])]
    return [
        Table("records", [record_type(), Column("id", (), record["id"].description or "")], ["record_type", "id"]),
        Table(NOT_REPORTED, [record_type(), record_id,
                             Column("field", (), "A field of the record that was looked for and that no cited "
                                    "source reports: its empty cells mean the sources do not give it.",
                                    enum=list(schema.enum_values(record[NOT_REPORTED].range)))],
              [*key, "field"], foreign),
        Table(CURATION_SOURCES_TABLE, [record_type(), record_id,
                                           Column("source", (), use["source"].description or ""),
                                           Column("field", (), "A field of the record whose facts came from the "
                                                  "source; one row per source and field.", enum=facts)],
              [*key, "source", "field"], foreign)]


@functools.cache
def _joined_lists() -> dict[str, frozenset[tuple[str, ...]]]:
    """Per record kind, the lists its tables write into one cell: their field names from the
    record's top (``("arms", "additional_cell_sources")``), without positions."""
    tables = {t.name: t for t in tables_of_schema()}
    out = {}
    for kind in schema.kinds():
        paths = {c.path for c in tables[kind.folder].columns if c.joined}
        if kind.name == "Study":
            paths |= {(name, *c.path) for name in child_tables() for c in tables[name].columns if c.joined}
        out[kind.name] = frozenset(paths)
    return out


def joined_item(kind: str | None, path: tuple[str | int, ...]) -> bool:
    """Whether the value at ``path`` in a record of ``kind`` is an item of a list the tables
    join with '|' into one cell, or the name or id that stands for an object item there (``cell``)."""
    if len(path) >= 2 and isinstance(path[-2], int) and path[-1] in ("name", "id"):
        path = path[:-1]
    if kind is None or not path or not isinstance(path[-1], int):
        return False
    return tuple(e for e in path if isinstance(e, str)) in _joined_lists().get(kind, frozenset())


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
        ident = {"record_type": kind.folder, "record_id": data["id"]}
        tables["records"].rows.append({"record_type": kind.folder, "id": data["id"]})
        for name in data.get(NOT_REPORTED) or []:
            tables[NOT_REPORTED].rows.append({**ident, "field": cell(name)})
        for use in _get(data, CURATION_SOURCES) or []:
            for name in use.get("fields") or [] if isinstance(use, dict) else []:
                tables[CURATION_SOURCES_TABLE].rows.append({**ident, "source": cell(use.get("source")),
                                                                "field": cell(name)})
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
        unique = {tuple(r.values()): r for r in table.rows}  # a value listed twice says it once
        table.rows = sorted(unique.values(), key=lambda r: tuple(
            (int(r[k]) if r[k].isascii() and r[k].isdigit() else 0, r[k]) for k in table.key))
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
            description = " ".join(filter(None, [c.description, JOINED if c.joined else ""]))
            spec: dict[str, Any] = {"name": c.name, "type": c.type, "description": description}
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
