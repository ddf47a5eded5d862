"""Plain JSON for people who do not want RDF: the records as validated, grouped by kind, with
every reference to another record resolved to that record's id, name and ontology term.

    jq '.studies[] | select(.phase == "phase_2") | .id' build/respirocell.json
"""

from __future__ import annotations

import copy
from typing import Any

import orjson

from .. import schema
from ..loading import RecordFile

FORMAT_VERSION = 1


def _summary(data: dict[str, Any] | None, rid: str) -> dict[str, Any]:
    if data is None:
        return {"id": rid}
    found = {"id": rid, "name": data.get("name") or data.get("product_name") or data.get("title")}
    if isinstance(data.get("term"), dict):
        found["term"] = data["term"]
    if data.get("product_form"):
        found["product_form"] = data["product_form"]
    return {k: v for k, v in found.items() if v is not None}


def plain_document(records: list[RecordFile]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        if record.kind and record.record_id:
            by_kind.setdefault(record.kind, {})[record.record_id] = record.data
    conditions, sources = by_kind.get("Condition", {}), by_kind.get("CellSource", {})
    out: dict[str, Any] = {"format": "respirocell-json", "version": FORMAT_VERSION,
                           "base": "https://w3id.org/respirocell/", "schema_version": schema.meta()["version"]}
    for kind in schema.kinds():
        items = []
        for rid, data in sorted(by_kind.get(kind.name, {}).items()):
            item = copy.deepcopy(data)
            if kind.name == "Study":
                item["conditions"] = [_summary(conditions.get(c), c) for c in data.get("conditions", [])]
                for arm in item.get("arms", []):
                    if isinstance(arm.get("cell_source"), str):
                        arm["cell_source"] = _summary(sources.get(arm["cell_source"]), arm["cell_source"])
                    if isinstance(arm.get("additional_cell_sources"), list):
                        arm["additional_cell_sources"] = [_summary(sources.get(s), s)
                                                          for s in arm["additional_cell_sources"]]
            item["iri"] = f"{out['base']}{kind.iri_segment}/{rid}"
            items.append(item)
        out[kind.folder] = items
    return out


def dump_plain(records: list[RecordFile]) -> bytes:
    return orjson.dumps(plain_document(records), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
