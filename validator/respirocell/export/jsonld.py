"""The corpus as one JSON-LD 1.1 document: the generated context plus a ``@graph`` of records.

Everything the mapping needs is read from generated artifacts, so a schema change flows
through ``tools/generate.py`` without touching this module:

* ``context.jsonld`` - the context embedded in the document, the prefixes used to turn
  CURIEs into IRIs, and each class's ``class_uri`` (its term definition);
* ``schema_map.json`` - every slot's range (object, reference, enum or type) and each enum
  value's ``meaning``;
* ``identifiers.json`` - Bioregistry's URI prefix for ORCID iDs.

Every node gets an IRI (no blank nodes), so the graph is stable, mergeable and diffable:
records live under ``https://w3id.org/respirocell/<kind>/<id>`` and nested objects under
their parent's IRI (``.../arm/<arm id>``, ``.../outcome/<index>``, ``.../curation`` ...).
Indexes count from 0, as the validator's paths do (``outcomes[0]``); they follow the order
in the record, so reordering a list renames its nodes.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from .. import __version__, package_data
from ..loading import RecordFile

#: Record kind -> the IRI path segment its records live under.
SEGMENTS: dict[str, str] = {"Study": "study", "CellSource": "cell-source", "Condition": "condition"}
#: Multivalued object slot -> the path segment of one item's IRI (the item's index follows).
ITEM_SEGMENTS: dict[str, str] = {"arms": "arm", "outcomes": "outcome", "publications": "publication",
                                 "registrations": "registration", "curators": "curator", "sources": "source"}
#: The data's licence; the registry is published as CC0.
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
DCAT = "http://www.w3.org/ns/dcat#"
XSD_STRING = "xsd:string"

JsonNode = dict[str, Any]


# -- generated artifacts ----------------------------------------------------------------
def _generated(name: str) -> Any:
    return json.loads(package_data.read_text(f"_generated/{name}"))


@cache
def context() -> dict[str, Any]:
    """The inner ``@context`` object of the generated context, exactly as generated."""
    return _generated("context.jsonld")["@context"]  # type: ignore[no-any-return]


@cache
def schema_map() -> dict[str, Any]:
    return _generated("schema_map.json")  # type: ignore[no-any-return]


@cache
def prefixes() -> dict[str, str]:
    """Prefix -> namespace IRI for every context term usable as a CURIE prefix."""
    out: dict[str, str] = {}
    for term, value in context().items():
        if term.startswith("@"):
            continue
        if isinstance(value, str) and value.endswith(("/", "#", ":", "?", "[", "]", "@")):
            out[term] = value
        elif isinstance(value, dict) and value.get("@prefix") is True and isinstance(value.get("@id"), str):
            out[term] = value["@id"]
    return out


@cache
def base_iri() -> str:
    """The namespace of respirocell's own terms and nodes (the context's ``@vocab``)."""
    return str(context()["@vocab"])


@cache
def _vocab_prefix() -> str:
    return next(term for term, iri in sorted(prefixes().items()) if iri == base_iri())


def expand(curie: str) -> str:
    """CURIE -> IRI with the context's prefixes; Bioregistry's table is the fallback."""
    prefix, sep, local = curie.partition(":")
    if not sep:
        raise ValueError(f"'{curie}' is not a CURIE")
    if prefix in prefixes():
        return prefixes()[prefix] + local
    from ..checks.identifiers import prefix_table

    entry = prefix_table().get(prefix)
    if entry and entry.get("uri_prefix"):
        return str(entry["uri_prefix"]) + local
    raise ValueError(f"no IRI is known for the prefix of '{curie}'; add the prefix to the schema's prefixes")


def class_curie(name: str) -> str:
    """The class_uri of schema class ``name``, from its term in the generated context."""
    iri = context()[name]["@id"]
    return iri if ":" in iri else f"{_vocab_prefix()}:{iri}"


def record_iri(kind: str, record_id: str) -> str:
    return f"{base_iri()}{SEGMENTS[kind]}/{record_id}"


def orcid_iri(orcid: str) -> str:
    from ..checks.identifiers import prefix_table

    return f"{prefix_table()['orcid']['uri_prefix']}{orcid}"


# -- literals -----------------------------------------------------------------------------
_WEEKS = re.compile(r"(\d+)W")


def alternative_type(slot: dict[str, Any], value: str) -> str:
    """The XSD datatype of the first ``any_of`` form whose pattern ``value`` matches: a date as
    YYYY-MM-DD, YYYY-MM or YYYY becomes xsd:date, xsd:gYearMonth or xsd:gYear, so SPARQL can
    compare and sort partial dates as dates."""
    for alt in slot["any_of"]:
        if alt.get("pattern") is None or re.fullmatch(alt["pattern"], value):
            return str(alt.get("type_uri") or XSD_STRING)
    raise ValueError(f"'{value}' matches none of the forms of {slot['range']}")


def xsd_duration(value: str) -> str:
    """ISO 8601 duration -> xsd:duration lexical form.

    The schema allows weeks (P2W) but xsd:duration has no W designator, so weeks become days
    (P2W -> P14D, P1W3D -> P10D); the value is unchanged.
    """
    match = _WEEKS.search(value)
    if match is None:
        return value
    days = 7 * int(match.group(1))
    rest = value[:match.start()] + value[match.end():]
    day_match = re.search(r"(\d+)D", rest)
    if day_match:
        return rest[:day_match.start()] + f"{days + int(day_match.group(1))}D" + rest[day_match.end():]
    head, t, tail = rest.partition("T")
    return f"{head}{days}D" + (t + tail if t else "")


def _coerced_type(term: str) -> str | None:
    definition = context().get(term)
    return definition.get("@type") if isinstance(definition, dict) else None


def _literal(term: str, slot: dict[str, Any], value: Any) -> Any:
    """A typed JSON-LD value. Plain JSON where the context's coercion already gives the right
    datatype (so the document stays readable as JSON); a value object otherwise."""
    base, datatype = slot.get("base"), slot.get("type_uri") or XSD_STRING
    if base == "Bool" or isinstance(value, bool):
        if base != "Bool" or not isinstance(value, bool):
            raise ValueError(f"{term}: {value!r} does not fit a field of type {slot['range']}")
        return value
    if base == "int":
        if not isinstance(value, int):
            raise ValueError(f"{term}: expected an integer, not {value!r}")
    elif base == "float":
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{term}: expected a finite number, not {value!r}")
        value = float(value)  # 3 and 3.0 are the same xsd:double; write them alike
    elif not isinstance(value, str):
        raise ValueError(f"{term}: expected text, not {value!r}")
    if slot.get("any_of"):
        datatype = alternative_type(slot, value)
    elif datatype == "xsd:duration":
        value = xsd_duration(value)
    if datatype == XSD_STRING or _coerced_type(term) == datatype:
        return value
    return {"@value": value, "@type": datatype}


# -- nodes --------------------------------------------------------------------------------
def _enum_value(enum: str, value: Any) -> Any:
    """An enum value whose permissible value has a meaning becomes that IRI; others stay text."""
    meaning = schema_map()["enum_meanings"].get(enum, {}).get(value) if isinstance(value, str) else None
    return {"@id": expand(meaning)} if meaning else value


def _curie_identifier(cls: str) -> str | None:
    """The identifier slot of a class identified by a CURIE (OntologyTerm's id), if it is one."""
    spec = schema_map()["classes"][cls]
    ident = spec["identifier"]
    return ident if ident and spec["slots"][ident].get("base") == "URIorCURIE" else None


def _item_iri(parent: str, slot_name: str, cls: str, index: int | None, data: dict[str, Any]) -> str:
    """The IRI of a nested object: its own when it has one (an ontology term, a curator's ORCID),
    else its parent's IRI plus the slot (single objects) or the slot's item segment and the
    item's local id (arms) or index (everything else)."""
    if cls == "Curator" and isinstance(data.get("orcid"), str):
        return orcid_iri(data["orcid"])
    if (ident := _curie_identifier(cls)) is not None:
        return expand(str(data[ident]))
    if index is None:
        return f"{parent}/{slot_name}"
    segment = ITEM_SEGMENTS.get(slot_name, slot_name)
    local_id = data.get("id") if "id" in schema_map()["classes"][cls]["slots"] else None
    return f"{parent}/{segment}/{local_id if isinstance(local_id, str) else index}"


def _node(cls: str, data: dict[str, Any], iri: str) -> JsonNode:
    """``data`` of schema class ``cls`` as a node object with IRI ``iri``; recursive."""
    spec = schema_map()["classes"][cls]
    node: JsonNode = {"@id": iri, "@type": class_curie(cls)}
    for name, value in data.items():
        slot = spec["slots"].get(name)
        if slot is None:
            raise ValueError(f"'{name}' is not a field of {cls}")
        if value is None:
            continue
        if slot["multivalued"] and not isinstance(value, list):
            raise ValueError(f"{cls}.{name}: expected a list")
        values = value if slot["multivalued"] else [value]
        key = name
        if context().get(name) == "@id":  # `id` is aliased to @id in the context
            if _curie_identifier(cls) == name:
                continue  # an ontology term: the id is the node's IRI already
            key = f"{_vocab_prefix()}:{name}"  # keep the literal id too (the shapes allow it)
        kind, rng = slot["kind"], slot["range"]
        if kind == "object":
            out = [_node(rng, item, _item_iri(iri, name, rng, i if slot["multivalued"] else None, item))
                   for i, item in enumerate(values)]
        elif kind == "reference":
            out = [{"@id": record_iri(rng, item)} for item in values]
        elif kind == "enum":
            out = [_enum_value(rng, item) for item in values]
        else:
            out = [_literal(name, slot, item) for item in values]
        node[key] = out if slot["multivalued"] else out[0]
    return node


def record_node(record: RecordFile) -> JsonNode:
    if record.kind not in SEGMENTS or not isinstance(record.data, dict) or not record.record_id:
        raise ValueError(f"{record.display}: not a parsed study, cell source or condition record")
    try:
        return _node(record.kind, record.data, record_iri(record.kind, record.record_id))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{record.display}: cannot export: {exc}") from exc


def latest_curation_date(records: Iterable[RecordFile]) -> str | None:
    """The newest curation.created/modified - the dataset's dateModified, so that exporting
    the same corpus twice gives the same bytes (today's date would not)."""
    dates = [d for r in records if isinstance(r.data, dict) and isinstance(cur := r.data.get("curation"), dict)
             for d in (cur.get("created"), cur.get("modified")) if isinstance(d, str)]
    return max(dates, default=None)


def dataset_node(records: list[RecordFile], parts: list[str]) -> JsonNode:
    meta = schema_map()
    node: JsonNode = {
        "@id": f"{base_iri()}dataset",
        "@type": ["schema:Dataset", f"{DCAT}Dataset"],
        "title": meta["title"],
        "schema:name": meta["title"],
        "schema:version": __version__,
        f"{DCAT}version": __version__,
        "schema:license": {"@id": LICENSE},
        "dcterms:license": {"@id": LICENSE},
        "schema:schemaVersion": meta["version"],
        "dcterms:conformsTo": {"@id": meta["id"]},
        "schema:hasPart": [{"@id": iri} for iri in parts],
    }
    latest = latest_curation_date(records)
    if latest is not None:
        node["schema:dateModified"] = {"@value": latest, "@type": "xsd:date"}
        node["modified"] = latest  # dcterms:modified, typed xsd:date by the context
    return node


def build_document(records: list[RecordFile]) -> dict[str, Any]:
    """The JSON-LD document for ``records``: deterministic (records sorted by IRI)."""
    nodes = sorted((record_node(r) for r in records), key=lambda n: str(n["@id"]))
    iris = [str(n["@id"]) for n in nodes]
    duplicates = sorted(iri for iri, n in Counter(iris).items() if n > 1)
    if duplicates:
        raise ValueError(f"two records share the IRI {duplicates[0]}; record ids must be unique")
    return {"@context": context(), "@graph": [dataset_node(records, iris), *nodes]}


def dumps(document: dict[str, Any]) -> str:
    """Canonical text: sorted keys, two-space indent, UTF-8 as is, one trailing newline."""
    return dump_bytes(document).decode("utf-8")


def dump_bytes(document: dict[str, Any]) -> bytes:
    """``dumps`` as the UTF-8 bytes that are written (a 76 MB export need not become text).

    Written by orjson: the standard library's encoder runs in pure Python whenever it indents
    (2.2 s for 10,000 records, against 0.1 s). The two texts differ only in how a float with a
    small exponent is spelled (1e-7 against 1e-07: the same number). The standard encoder is
    kept for what orjson refuses (integers beyond 64 bits); non-finite numbers never get here
    (``_literal`` refuses them)."""
    import orjson

    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    except orjson.JSONEncodeError:
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        return text.encode("utf-8")
