"""The corpus as one JSON-LD 1.1 document: the generated context plus a ``@graph`` of records.

Everything the mapping needs comes from the schema (``respirocell.schema``: slot ranges, enum
meanings, kinds) and the generated context, so a schema change flows through
``tools/generate.py`` without touching this module.

* Every node has a stable IRI (no blank nodes): records live under
  ``https://w3id.org/respirocell/<kind>/<id>``; arms and outcomes under their study by their
  ``id``, publications by their DOI (else PMID), registrations by their registry id, sources
  by what was read. Reordering a list changes nothing.
* Every enumeration value is an IRI: its ``meaning`` (an NCIT, LOINC, GO or Bioregistry term,
  or a concept of respirocell's own scheme ``https://w3id.org/respirocell/vocab/``); each
  value used is published as a ``skos:Concept`` with its label, notation and scheme.
* Registrations, DOIs, PMIDs and sources are linked to their resolvers by IRI
  (``schema:sameAs`` / ``prov:entity``; URI formats from Bioregistry through ``curies``);
  the literal identifier stays as well.
* A curator with an ORCID iD is that ORCID IRI; one without is one agent per name across
  the corpus.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import quote

from .. import __version__, identifiers, package_data, schema
from ..loading import RecordFile
from .literals import literal

SKOS = "http://www.w3.org/2004/02/skos/core#"
#: The WHO trial search portal: every primary registry's entries, for registries with no URI format.
ICTRP = "https://trialsearch.who.int/Trial2.aspx?TrialID="
SAME_AS = "schema:sameAs"
PROV_ENTITY = "prov:entity"
#: The data's licence; the registry is published as CC0.
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
DCAT = "http://www.w3.org/ns/dcat#"

JsonNode = dict[str, Any]


# -- generated artifacts ----------------------------------------------------------------
def _generated(name: str) -> Any:
    return json.loads(package_data.read_text(f"_generated/{name}"))


@cache
def context() -> dict[str, Any]:
    """The inner ``@context`` object of the generated context, exactly as generated."""
    return _generated("context.jsonld")["@context"]  # type: ignore[no-any-return]


@cache
def base_iri() -> str:
    """The namespace of respirocell's own terms and nodes (the context's ``@vocab``)."""
    return str(context()["@vocab"])


@cache
def _vocab_prefix() -> str:
    return next(term for term, iri in sorted(identifiers.schema_prefixes().items()) if iri == base_iri())


@cache
def expand(curie: str) -> str:
    """CURIE -> IRI with the context's prefixes, then Bioregistry's (through ``curies``)."""
    iri = identifiers.converter().expand(curie)
    if iri is None:
        raise ValueError(f"no IRI is known for the prefix of '{curie}'; add the prefix to the schema's prefixes")
    return iri


def class_curie(name: str) -> str:
    """The class_uri of schema class ``name``, from its term in the generated context."""
    iri = context()[name]["@id"]
    return iri if ":" in iri else f"{_vocab_prefix()}:{iri}"


def record_iri(kind: str, record_id: str) -> str:
    return f"{base_iri()}{schema.kind(kind).iri_segment}/{record_id}"


def orcid_iri(orcid: str) -> str:
    return f"{identifiers.prefix_table()['orcid']['uri_prefix']}{orcid}"


def agent_iri(name: str) -> str:
    """A curator without an ORCID iD: one agent per name across the corpus."""
    return f"{base_iri()}agent/{identifiers.slug(name) or 'unnamed'}"


#: What an IRI may not hold as it is (RFC 3987): spaces, controls and <>"{}|\^` - which a valid
#: DOI may (old Wiley SICI DOIs hold <>). They are percent-encoded; nothing else is touched.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def _iri_safe(iri: str) -> str:
    return _NOT_IN_IRI.sub(lambda m: f"%{ord(m.group()):02X}", iri)


@cache
def source_iri(source: str) -> str | None:
    """The IRI of what a source names: doi.org, PubMed, a registry page, an ontology term."""
    parsed = identifiers.parse_source(source)
    if parsed is None:
        return None
    key, local = parsed
    if key == "pmid":  # PubMed itself, not Bioregistry's redirect
        return _iri_safe(f"https://pubmed.ncbi.nlm.nih.gov/{local}")
    if key == "doi":
        return _iri_safe(f"https://doi.org/{local}")
    found = identifiers.iri(key, local)
    if found is None and key in identifiers.registries():  # Bioregistry knows no page (IRCT, PACTR)
        return f"{ICTRP}{quote(local, safe='')}"
    return _iri_safe(found) if found is not None else None


# -- nodes --------------------------------------------------------------------------------
@cache
def concept_iri(enum: str, value: str) -> str:
    meaning = schema.enum_values(enum)[value].meaning
    if meaning is None:
        raise ValueError(f"{enum}.{value} has no meaning in the schema")
    return expand(meaning)


def concept_node(enum: str, value: str) -> JsonNode:
    """The SKOS description of one enumeration value: what a graph reader needs to show it."""
    info = schema.enum_values(enum)[value]
    node: JsonNode = {"@id": concept_iri(enum, value), "@type": f"{SKOS}Concept",
                      f"{SKOS}prefLabel": schema.value_label(value), f"{SKOS}notation": value,
                      "http://www.w3.org/2000/01/rdf-schema#label": schema.value_label(value),
                      f"{SKOS}inScheme": {"@id": f"{base_iri()}vocab/{enum}"}}
    if info.description:
        node[f"{SKOS}definition"] = info.description
    return node


def _curie_identifier(cls: str) -> str | None:
    """The identifier slot of a class identified by a CURIE (OntologyTerm's id), if it is one."""
    spec = schema.class_info(cls)
    ident = spec["identifier"]
    return ident if ident and spec["slots"][ident].get("base") == "URIorCURIE" else None


def _key(cls: str, data: dict[str, Any]) -> str | None:
    """The stable key of a list item under its parent: its id, DOI, PMID, registry id or source."""
    for field in ("id", "doi", "pmid", "trial_id", "source", "name"):
        value = data.get(field)
        if isinstance(value, str) and value and field in schema.class_info(cls)["slots"]:
            return quote(value.lower() if field == "doi" else value, safe="-._~")
    return None


def _item_iri(parent: str, slot: dict[str, Any], slot_name: str, index: int | None, data: dict[str, Any]) -> str:
    """The IRI of a nested object: its own when it has one (an ontology term, a curator), else
    its parent's IRI plus the slot (single objects) or the slot's item segment (the schema's
    ``iri_segment`` annotation) and the item's stable key (never its position)."""
    cls = slot["range"]
    if cls == "Curator":
        return orcid_iri(data["orcid"]) if isinstance(data.get("orcid"), str) else agent_iri(str(data.get("name")))
    if (ident := _curie_identifier(cls)) is not None:
        return expand(str(data[ident]))
    if index is None:
        return f"{parent}/{slot_name}"
    return f"{parent}/{slot.get('iri_segment') or slot_name}/{_key(cls, data) or index}"


def _links(cls: str, data: dict[str, Any]) -> dict[str, Any]:
    """IRIs of what a node's identifiers name, beside the literal identifiers."""
    same: list[str] = []
    if cls == "Registration" and isinstance(data.get("trial_id"), str):
        same.append(source_iri(data["trial_id"]) or "")
    if cls == "Publication":
        for key in ("doi", "pmid", "pmcid"):
            if isinstance(data.get(key), str):
                same.append(source_iri(f"{key}:{data[key]}") or "")
    links: dict[str, Any] = {}
    if any(same):
        links[SAME_AS] = [{"@id": iri} for iri in same if iri]
    if cls in ("SourceUse", "Outcome") and isinstance(data.get("source"), str):
        iri = source_iri(data["source"])
        if iri:
            links[PROV_ENTITY] = {"@id": iri}
    return links


def _node(cls: str, data: dict[str, Any], iri: str, concepts: set[tuple[str, str]]) -> JsonNode:
    """``data`` of schema class ``cls`` as a node object with IRI ``iri``; recursive. Enum
    values used are added to ``concepts``."""
    spec = schema.class_info(cls)
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
            out = [_node(rng, item, _item_iri(iri, slot, name, i if slot["multivalued"] else None, item), concepts)
                   for i, item in enumerate(values)]
        elif kind == "reference":
            out = [{"@id": record_iri(rng, item)} for item in values]
        elif kind == "enum":
            concepts.update((rng, item) for item in values)
            out = [{"@id": concept_iri(rng, item)} for item in values]
        else:
            out = [literal(name, slot, item) for item in values]
        node[key] = out if slot["multivalued"] else out[0]
    node.update(_links(cls, data))
    return node


def record_node(record: RecordFile, concepts: set[tuple[str, str]] | None = None) -> JsonNode:
    if record.kind is None or not isinstance(record.data, dict) or not record.record_id:
        raise ValueError(f"{record.display}: not a parsed study, cell source or condition record")
    try:
        return _node(record.kind, record.data, record_iri(record.kind, record.record_id),
                     concepts if concepts is not None else set())
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{record.display}: cannot export: {exc}") from exc


def latest_curation_date(records: Iterable[RecordFile]) -> str | None:
    """The newest curation.created/modified - the dataset's dateModified, so that exporting
    the same corpus twice gives the same bytes (today's date would not)."""
    dates = [d for r in records if isinstance(r.data, dict) and isinstance(cur := r.data.get("curation"), dict)
             for d in (cur.get("created"), cur.get("modified")) if isinstance(d, str)]
    return max(dates, default=None)


def dataset_node(records: list[RecordFile], parts: list[str]) -> JsonNode:
    meta = schema.meta()
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
    concepts: set[tuple[str, str]] = set()
    nodes = sorted((record_node(r, concepts) for r in records), key=lambda n: str(n["@id"]))
    iris = [str(n["@id"]) for n in nodes]
    duplicates = sorted(iri for iri, n in Counter(iris).items() if n > 1)
    if duplicates:
        raise ValueError(f"two records share the IRI {duplicates[0]}; record ids must be unique")
    vocabulary = merge_concepts(concept_node(enum, value) for enum, value in sorted(concepts))
    terms = set(_term_iris(nodes))
    for node in vocabulary:  # an ontology term used as an enum meaning keeps its one ontology label
        if node["@id"] in terms:
            node.pop("http://www.w3.org/2000/01/rdf-schema#label", None)
    return {"@context": context(), "@graph": [dataset_node(records, iris), *nodes, *vocabulary]}


def _term_iris(node: Any) -> Iterable[str]:
    """IRIs of the ontology-term nodes (OntologyTerm) inside ``node``."""
    if isinstance(node, list):
        for item in node:
            yield from _term_iris(item)
    elif isinstance(node, dict):
        if node.get("@type") == class_curie("OntologyTerm"):
            yield str(node["@id"])
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _term_iris(value)


def merge_concepts(nodes: Iterable[JsonNode]) -> list[JsonNode]:
    """One node per concept IRI (two enum values may share a meaning), sorted by IRI."""
    merged: dict[str, JsonNode] = {}
    for node in nodes:
        merged.setdefault(str(node["@id"]), node)
    schemes = {str(n[f"{SKOS}inScheme"]["@id"]) for n in merged.values()}
    out = [merged[k] for k in sorted(merged)]
    out += [{"@id": s, "@type": f"{SKOS}ConceptScheme", f"{SKOS}prefLabel": s.rsplit("/", 1)[-1]}
            for s in sorted(schemes)]
    return out


def dumps(document: dict[str, Any]) -> str:
    """Canonical text: sorted keys, two-space indent, UTF-8 as is, one trailing newline."""
    return dump_bytes(document).decode("utf-8")


def dump_bytes(document: dict[str, Any]) -> bytes:
    """``dumps`` as the UTF-8 bytes that are written (a 76 MB export need not become text).

    Keys are in a fixed order - ``@context`` first, then ``@type``, then the others sorted -
    so the same corpus gives the same bytes, and the text follows JSON-LD's streaming profile,
    which lets pyoxigraph read it as a stream for the RDF exports (a third of the time, and no
    memory for a JSON tree). Written by orjson; the standard library's encoder is kept for what
    orjson refuses (integers beyond 64 bits); non-finite numbers never get here (``_literal``
    refuses them)."""
    import orjson

    ordered = _in_order(document)
    try:
        return orjson.dumps(ordered, option=orjson.OPT_INDENT_2) + b"\n"
    except orjson.JSONEncodeError:
        text = json.dumps(ordered, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        return text.encode("utf-8")


def _key_order(key: str) -> tuple[int, str]:
    return (0 if key == "@context" else 1 if key == "@type" else 2, key)


def _in_order(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _in_order(value[k]) for k in sorted(value, key=_key_order)}
    if isinstance(value, list):
        return [_in_order(v) for v in value]
    return value
