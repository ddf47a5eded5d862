"""Regenerate every artifact derived from schema/respirocell.yaml.

    python tools/generate.py            # write validator/respirocell/_generated/
    python tools/generate.py --check    # exit 1 if the checked-in files differ

The runtime package never imports linkml; it reads only what this script writes.
Output is byte-identical on regeneration: no timestamps, sorted where the generator
allows, and a do-not-edit header on every file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "respirocell.yaml"
OUT = ROOT / "validator" / "respirocell" / "_generated"
NOTICE = "DO NOT EDIT. Generated from schema/respirocell.yaml by `python tools/generate.py`."


def _json_schema() -> str:
    from linkml.generators.jsonschemagen import JsonSchemaGenerator

    text = JsonSchemaGenerator(str(SCHEMA), include_null=False, mergeimports=True).serialize()
    doc = json.loads(text)
    return json.dumps({"$comment": NOTICE, **doc}, indent=2, sort_keys=True) + "\n"


def _pydantic_models() -> str:
    from linkml.generators.pydanticgen import PydanticGenerator

    code = PydanticGenerator(str(SCHEMA), metadata_mode=None).serialize()
    header = f'"""{NOTICE}\n\nPydantic v2 models of the respirocell records."""\n'
    return header + "# ruff: noqa\n# mypy: ignore-errors\n" + code


def _jsonld_context() -> str:
    from linkml.generators.jsonldcontextgen import ContextGenerator

    doc = json.loads(ContextGenerator(str(SCHEMA), mergeimports=True).serialize())
    doc.pop("comments", None)
    return json.dumps({"$comment": NOTICE, **doc}, indent=2, sort_keys=True) + "\n"


SKOS_TERMS = " ".join(f"<http://www.w3.org/2004/02/skos/core#{t}>" for t in ("prefLabel", "notation", "inScheme",
                                                                                "definition"))


def _shacl() -> str:
    from linkml.generators.shaclgen import ShaclGenerator

    text = ShaclGenerator(str(SCHEMA), mergeimports=True).serialize()
    # The export links each node to what identifies it elsewhere (schema:sameAs: the registry
    # page, doi.org, PubMed) and each provenance source to what was read (prov:entity), and
    # describes each enumeration value it uses as a SKOS concept (an ontology term may be one);
    # the closed shapes must allow these besides rdf:type.
    closed = "rdf:first rdf:type ;\n\trdf:rest rdf:nil ."
    assert closed in text, "shaclgen's ignoredProperties list changed form"
    allowed = f"<http://schema.org/sameAs> <http://www.w3.org/ns/prov#entity> {SKOS_TERMS}"
    text = text.replace(closed, f"rdf:first rdf:type ;\n\trdf:rest ( {allowed} ) .")
    return f"# {NOTICE}\n" + text


def _identifier_patterns() -> str:
    """Prefix table for the validator, taken from Bioregistry rather than written by hand."""
    import bioregistry
    import yaml

    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    registries = schema["enums"]["TrialRegistry"]["permissible_values"]
    prefixes = {name: value["meaning"].split(":", 1)[1] for name, value in registries.items()}
    # Ontology and literature prefixes used in records and in SourceUse.source.
    extra = {"MONDO": "mondo", "CL": "cl", "UBERON": "uberon", "GO": "go", "NCIT": "ncit",
             "LOINC": "loinc", "doi": "doi", "pmid": "pubmed", "pmcid": "pmc", "orcid": "orcid"}
    table: dict[str, dict[str, str | None]] = {}
    for key, prefix in sorted({**prefixes, **extra}.items()):
        resource = bioregistry.get_resource(prefix)
        if resource is None:
            raise SystemExit(f"Bioregistry has no prefix {prefix!r}")
        table[key] = {
            "bioregistry": resource.prefix,
            "name": resource.get_name(),
            "pattern": resource.get_pattern(),
            "uri_prefix": resource.get_uri_prefix(),
        }
    doc = {"comment": NOTICE, "prefixes": table}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _country_codes() -> str:
    """ISO 3166-1 alpha-2 codes, from pycountry (pinned in the dev dependencies), so the
    runtime need not import it: its import takes about 45 ms of every run."""
    from importlib.metadata import version

    import pycountry

    doc = {"$comment": f"DO NOT EDIT. ISO 3166-1 alpha-2 codes from pycountry {version('pycountry')}, written by "
                      "`python tools/generate.py`.",
           "alpha_2": sorted(country.alpha_2 for country in pycountry.countries)}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _schema_map() -> str:
    """The typed view of the schema that ``respirocell.schema`` reads at run time (which must
    not import linkml): record kinds, every class's slots in schema order with range, kind,
    cardinality, recommendation, description and URI, and every enum's values with their
    descriptions and meanings."""
    from linkml_runtime.utils.schemaview import SchemaView

    view = SchemaView(str(SCHEMA))
    enums, types = view.all_enums(), view.all_types()

    def type_info(name: str) -> dict[str, str | None]:
        chain = [types[name]]
        while chain[-1].typeof:
            chain.append(types[chain[-1].typeof])
        uri = next((t.uri for t in chain if t.uri), None)
        base = next((t.base for t in chain if t.base), None)
        pattern = next((t.pattern for t in chain if t.pattern), None)
        return {"type_uri": uri, "base": base, "pattern": pattern}

    classes: dict[str, dict[str, object]] = {}
    kinds: list[dict[str, str]] = []
    for cname in view.all_classes():  # schema file order
        cls = view.get_class(cname)
        slots: dict[str, dict[str, object]] = {}
        identifier = None
        for slot in view.class_induced_slots(cname):
            rng = slot.range or view.schema.default_range
            info: dict[str, object] = {
                "range": rng, "multivalued": bool(slot.multivalued), "required": bool(slot.required),
                "recommended": bool(slot.recommended), "description": slot.description,
                "slot_uri": view.get_uri(slot, expand=False) if slot.slot_uri else None,
            }
            for key in ("ontology", "iri_segment"):  # the slot annotations the runtime reads
                if slot.annotations and key in slot.annotations:
                    info[key] = str(slot.annotations[key].value)
            if slot.identifier:
                identifier = slot.name
            if slot.any_of:
                # One value, several accepted forms (a date as YYYY-MM-DD, YYYY-MM or YYYY).
                info.update(kind="type", any_of=[{"range": alt.range, **type_info(alt.range)} for alt in slot.any_of])
            elif rng in enums:
                info["kind"] = "enum"
            elif rng in types:
                info.update(kind="type", **type_info(rng))
            elif slot.inlined or slot.inlined_as_list or not view.get_identifier_slot(rng):
                info["kind"] = "object"
            else:
                info["kind"] = "reference"
            slots[slot.name] = info
        classes[cname] = {"abstract": bool(cls.abstract), "identifier": identifier, "slots": slots,
                          "class_uri": view.get_uri(cname, expand=False), "description": cls.description}
        if cls.annotations and "folder" in cls.annotations:
            kinds.append({"name": cname, **{k: str(v.value) for k, v in sorted(cls.annotations.items())}})
    enum_doc = {name: {"description": enum.description,
                       "values": {value: {"description": pv.description, "meaning": pv.meaning,
                                          **({"label": str(pv.annotations["label"].value)}
                                             if pv.annotations and "label" in pv.annotations else {})}
                                  for value, pv in enum.permissible_values.items()}}
                for name, enum in enums.items()}
    doc = {"$comment": NOTICE, "classes": classes, "enums": enum_doc, "kinds": kinds,
           "id": view.schema.id, "title": view.schema.title, "version": view.schema.version}
    return json.dumps(doc, indent=2) + "\n"


ARTIFACTS: dict[str, Callable[[], str]] = {
    "respirocell.schema.json": _json_schema,
    "models.py": _pydantic_models,
    "context.jsonld": _jsonld_context,
    "shapes.shacl.ttl": _shacl,
    "identifiers.json": _identifier_patterns,
    "countries.json": _country_codes,
    "schema_map.json": _schema_map,
}


def generate() -> dict[str, str]:
    return {name: make() for name, make in ARTIFACTS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report drift instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, text in generate().items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("Out of date: " + ", ".join(stale) + ". Run: python tools/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
