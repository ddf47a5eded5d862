"""The exports: JSON-LD, Turtle, N-Triples and TSV tables of a small fictional corpus.

The fixture corpus is tests/data/export/corpus/ (two studies, two cell sources, two
conditions; every record is marked FICTIONAL, only the ontology terms are real). The
expected JSON-LD is tests/data/export/snapshot.jsonld; after an intended change to the
export, regenerate it and review the diff:

    UPDATE_SNAPSHOTS=1 python -m pytest tests/test_export.py -k snapshot

Independent tools check the output: pyld (a second JSON-LD processor), rdflib and pySHACL
with the shapes generated from the schema.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
import yaml
from click.testing import CliRunner, Result
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from respirocell.cli import cli
from respirocell.export import rdf as rdf_module
from respirocell.export import write_export
from respirocell.loading import discover, leaves, load_file, parse_text

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "export"
CORPUS = DATA / "corpus"
SNAPSHOT = DATA / "snapshot.jsonld"
SHAPES = REPO / "validator" / "respirocell" / "_generated" / "shapes.shacl.ttl"
CONTEXT = REPO / "validator" / "respirocell" / "_generated" / "context.jsonld"

BASE = "https://w3id.org/respirocell/"
SCHEMA = rdflib.Namespace("http://schema.org/")
RC = rdflib.Namespace(BASE)
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
ALPHA = URIRef(f"{BASE}study/test-study-alpha")
BETA = URIRef(f"{BASE}study/test-study-beta")
ORCID = URIRef("https://orcid.org/0000-0002-1825-0097")
SINGLE_FILE_FORMATS = ("jsonld", "turtle", "ntriples")

# rdflib's JSON-LD parser builds a ConjunctiveGraph internally and rdflib >= 7.1 deprecates
# that class; the warning is about rdflib's own code, not ours, so only it is silenced.
RDFLIB_JSONLD_WARNING = "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"


# -- helpers ------------------------------------------------------------------------------
def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def export_file(tmp: Path, fmt: str, corpus: Path = CORPUS) -> Path:
    out = tmp / f"export.{fmt}"
    result = invoke("export", "--format", fmt, "--output", out, corpus)
    assert result.exit_code == 0, result.output
    return out


def parse_jsonld_with_rdflib(text: str) -> rdflib.Graph:
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
        return rdflib.Graph().parse(data=text, format="json-ld")


def records() -> list[dict[str, Any]]:
    return [parse_text(p.read_bytes()) for p in discover([CORPUS])]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format exported once from the fixture corpus (tests that modify outputs make their own)."""
    tmp = tmp_path_factory.mktemp("export")
    out = {fmt: export_file(tmp, fmt) for fmt in SINGLE_FILE_FORMATS}
    out["tsv"] = tmp / "tables"
    result = invoke("export", "--format", "tsv", "--output", out["tsv"], CORPUS)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def graph(exported: dict[str, Path]) -> rdflib.Graph:
    return parse_jsonld_with_rdflib(exported["jsonld"].read_text(encoding="utf-8"))


# -- the fixture corpus -------------------------------------------------------------------
def test_fixture_corpus_is_valid() -> None:
    result = invoke("validate", CORPUS)
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 6 files, 0 errors, 0 warnings\n"


def test_cli_reports_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "folder" / "corpus.jsonld"  # missing parents are created
    result = invoke("export", "--format", "jsonld", "--output", out, CORPUS)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (JSON-LD, 6 records, {out.stat().st_size:,} bytes)\n"


# -- JSON-LD ------------------------------------------------------------------------------
def test_jsonld_snapshot(exported: dict[str, Path]) -> None:
    text = exported["jsonld"].read_text(encoding="utf-8")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), \
        "the JSON-LD export changed; if intended, run: UPDATE_SNAPSHOTS=1 python -m pytest tests/test_export.py " \
        "-k snapshot"


def test_jsonld_text_is_in_the_streaming_order(exported: dict[str, Path]) -> None:
    """Keys in a fixed order - @context, then @type, then the rest sorted - in every object, as
    the JSON-LD streaming profile wants; the standard encoder takes over where orjson refuses
    (integers beyond 64 bits)."""
    import pyoxigraph as ox

    from respirocell.export.jsonld import dumps

    text = exported["jsonld"].read_text(encoding="utf-8")

    def check(value: Any) -> None:
        if isinstance(value, dict):
            keys = list(value)
            rank = [(0 if k == "@context" else 1 if k == "@type" else 2, k) for k in keys]
            assert rank == sorted(rank), keys
            for item in value.values():
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)

    check(json.loads(text))
    streamed = list(ox.parse(text.encode(), format=ox.RdfFormat.STREAMING_JSON_LD))
    assert len(streamed) == len(list(ox.parse(text.encode(), format=ox.RdfFormat.JSON_LD)))
    big = {"b": 10**30, "a": ["é", 1.5, {}, []]}
    assert dumps(big) == json.dumps(big, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_jsonld_embeds_the_generated_context(exported: dict[str, Path]) -> None:
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    generated = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == generated
    assert document["@context"]["MONDO"] == {"@id": "http://purl.obolibrary.org/obo/MONDO_", "@prefix": True}
    assert set(document) == {"@context", "@graph"}


def test_jsonld_nodes_have_iris_and_types(exported: dict[str, Path]) -> None:
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    graph_ids = [node["@id"] for node in document["@graph"] if "/vocab/" not in node["@id"]
                 and node.get("@type") != "http://www.w3.org/2004/02/skos/core#Concept"]
    assert graph_ids == [
        f"{BASE}dataset",
        f"{BASE}cell-source/test-ev-umbilical-cord",
        f"{BASE}cell-source/test-msc-bone-marrow",
        f"{BASE}condition/test-condition-ards",
        f"{BASE}condition/test-condition-copd",
        f"{BASE}study/test-study-alpha",
        f"{BASE}study/test-study-beta",
    ]

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "@value" not in node:
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for node in walk(document["@graph"]):
        assert "@id" in node, node
        if set(node) != {"@id"}:  # a bare {"@id"} is a link to a node described elsewhere
            assert "@type" in node, node


def test_jsonld_values(exported: dict[str, Path]) -> None:
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    alpha = next(n for n in document["@graph"] if n["@id"] == str(ALPHA))
    assert alpha["@type"] == "schema:MedicalTrial"
    assert alpha["respirocell:id"] == "test-study-alpha"
    assert alpha["start_date"] == {"@value": "2021-03", "@type": "xsd:gYearMonth"}
    assert alpha["completion_date"] == {"@value": "2023-11-30", "@type": "xsd:date"}
    assert alpha["conditions"] == [{"@id": f"{BASE}condition/test-condition-copd"},
                                   {"@id": f"{BASE}condition/test-condition-ards"}]
    assert alpha["registrations"][0] == {
        "@id": f"{ALPHA}/registration/NCT09000001", "@type": "respirocell:Registration",
        "registry": {"@id": "https://bioregistry.io/registry/clinicaltrials"}, "trial_id": "NCT09000001",
        "schema:sameAs": [{"@id": "https://www.clinicaltrials.gov/study/NCT09000001"}]}
    msc, inhaled, placebo = alpha["arms"]
    assert msc["@id"] == f"{ALPHA}/arm/msc"
    assert msc["cell_source"] == {"@id": f"{BASE}cell-source/test-msc-bone-marrow"}
    assert msc["dose"] == {"@id": f"{ALPHA}/arm/msc/dose", "@type": "respirocell:Dose",
                           "value": 1000000.0, "value_max": 2000000.0,
                           "unit": {"@id": f"{BASE}vocab/DoseUnit/cells_per_kg"}}
    assert msc["dose_interval"] == "P7D"  # P1W: xsd:duration has no weeks
    assert msc["route"] == {"@id": "http://purl.obolibrary.org/obo/NCIT_C38276"}
    assert inhaled["route"] == {"@id": "http://purl.obolibrary.org/obo/NCIT_C38216"}
    assert placebo["route"] == {"@id": f"{BASE}vocab/RouteOfAdministration/other"}  # the schema's own concept
    assert alpha["outcomes"][0]["category"] == {"@id": "https://loinc.org/20150-9"}
    assert alpha["outcomes"][0]["result"]["@id"] == f"{ALPHA}/outcome/outcome-1/result"
    assert alpha["outcomes"][1]["result"]["estimate"] == 3.0  # written 3, an xsd:double
    assert alpha["outcomes"][1]["category"] == {"@id": f"{BASE}vocab/OutcomeCategory/adverse_events"}
    curation = alpha["curation"]
    assert curation["@id"] == f"{ALPHA}/curation" and curation["@type"] == "prov:Activity"
    assert [c["@id"] for c in curation["curators"]] == [str(ORCID), f"{BASE}agent/second-fixture-curator"]
    source = curation["sources"][1]
    assert source["@id"] == f"{ALPHA}/curation/source/doi%3A10.5555%2Frespirocell.export.alpha"
    assert source["prov:entity"] == {"@id": "https://doi.org/10.5555/respirocell.export.alpha"}

    beta = next(n for n in document["@graph"] if n["@id"] == str(BETA))
    assert beta["start_date"] == {"@value": "2024", "@type": "xsd:gYear"}
    assert beta["follow_up_of"] == {"@id": str(ALPHA)}
    assert beta["arms"][0]["dose"]["value"] == 50000000.0

    ev = next(n for n in document["@graph"] if n["@id"].endswith("test-ev-umbilical-cord"))
    assert ev["product_form"] == {"@id": "http://purl.obolibrary.org/obo/GO_1903561"}
    assert ev["vesicle_type"] == {"@id": "http://purl.obolibrary.org/obo/GO_1903561", "@type": "skos:Concept",
                                  "label": "extracellular vesicle"}
    copd = next(n for n in document["@graph"] if n["@id"].endswith("test-condition-copd"))
    assert copd["@type"] == "schema:MedicalCondition"
    assert copd["term"] == {"@id": "http://purl.obolibrary.org/obo/MONDO_0005002", "@type": "skos:Concept",
                            "label": "chronic obstructive pulmonary disease"}


def test_dataset_node(graph: rdflib.Graph) -> None:
    dataset = URIRef(f"{BASE}dataset")
    assert set(graph.objects(dataset, RDF.type)) == {SCHEMA.Dataset, URIRef("http://www.w3.org/ns/dcat#Dataset")}
    assert graph.value(dataset, SCHEMA.license) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert graph.value(dataset, SCHEMA.version) == Literal("0.1.0")
    assert graph.value(dataset, SCHEMA.schemaVersion) == Literal("0.1.0")
    assert graph.value(dataset, DCTERMS.conformsTo) == URIRef("https://w3id.org/respirocell")
    # The newest curation date in the corpus (beta's modified), not today: output is reproducible.
    assert graph.value(dataset, SCHEMA.dateModified) == Literal("2026-06-30", datatype=XSD.date)
    assert graph.value(dataset, DCTERMS.modified) == Literal("2026-06-30", datatype=XSD.date)
    parts = set(graph.objects(dataset, SCHEMA.hasPart))
    assert parts == {s for s in graph.subjects(RDF.type, None)
                     if str(s).count("/") == 5 and "/vocab/" not in str(s) and "/agent/" not in str(s)} - {dataset}
    assert len(parts) == 6


def test_graph_typing(graph: rdflib.Graph) -> None:
    assert graph.value(ALPHA, SCHEMA.startDate) == Literal("2021-03", datatype=XSD.gYearMonth)
    assert graph.value(BETA, SCHEMA.startDate) == Literal("2024", datatype=XSD.gYear)
    assert graph.value(ALPHA, SCHEMA.endDate) == Literal("2023-11-30", datatype=XSD.date)
    assert graph.value(ALPHA, RC.follow_up_duration) == Literal("P1Y6M", datatype=XSD.duration)
    assert graph.value(URIRef(f"{ALPHA}/enrollment"), RC["count"]) == Literal(40)
    result = URIRef(f"{ALPHA}/outcome/outcome-1/result")
    p_value = graph.value(result, RC.p_value)
    assert isinstance(p_value, Literal) and p_value.datatype == XSD.double and p_value.toPython() == 0.4
    assert graph.value(URIRef(f"{BASE}cell-source/test-msc-bone-marrow"), RC.culture_expanded) == Literal(True)
    assert graph.value(URIRef(f"{ALPHA}/curation"), DCTERMS.created) == Literal("2026-01-15", datatype=XSD.date)
    # Curators with an ORCID are one prov:Agent across records.
    assert set(graph.subjects(PROV.wasAssociatedWith, ORCID)) == {
        URIRef(f"{ALPHA}/curation"),
        URIRef(f"{BETA}/curation"),
        URIRef(f"{BASE}condition/test-condition-copd/curation"),
        URIRef(f"{BASE}cell-source/test-msc-bone-marrow/curation"),
    }
    assert graph.value(ORCID, RDF.type) == PROV.Agent
    assert graph.value(ORCID, DCTERMS.identifier) == Literal("0000-0002-1825-0097")
    # No blank nodes anywhere: every node is addressable.
    assert not [t for t in graph if any(isinstance(x, rdflib.BNode) for x in t)]


def test_every_enum_slot_holds_iris_with_labels(graph: rdflib.Graph) -> None:
    """No enumeration value is a literal: every enum slot's objects are IRIs, each described as a
    skos:Concept with a label, a notation and its scheme."""
    from respirocell import schema

    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    ctx = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    enum_predicates = set()
    for cls in ("Study", "Arm", "Dose", "Outcome", "OutcomeResult", "StudyDesign", "Enrollment", "CellSource",
                "Condition", "Registration", "Publication"):
        for slot in schema.slots(cls).values():
            if slot.kind == "enum":
                term = ctx.get(slot.name)
                iri = term["@id"] if isinstance(term, dict) else term if isinstance(term, str) else slot.name
                enum_predicates.add(URIRef(iri if "://" in iri else _expand(iri, ctx)))
    assert len(enum_predicates) > 15
    used = 0
    for predicate in enum_predicates:
        for obj in graph.objects(None, predicate):
            used += 1
            assert isinstance(obj, URIRef), (predicate, obj)
            assert graph.value(obj, skos.prefLabel) is not None and graph.value(obj, skos.notation) is not None, obj
            assert graph.value(obj, skos.inScheme) is not None, obj
    assert used > 20


def test_no_predicate_mixes_iris_and_literals(graph: rdflib.Graph) -> None:
    kinds: dict[URIRef, set[str]] = {}
    for _, predicate, obj in graph:
        kinds.setdefault(predicate, set()).add("literal" if isinstance(obj, Literal) else "iri")
    assert {str(p): k for p, k in kinds.items() if len(k) > 1} == {}


def _expand(curie: str, ctx: dict[str, Any]) -> str:
    prefix, _, local = curie.partition(":")
    value = ctx.get(prefix)
    namespace = value["@id"] if isinstance(value, dict) else value
    return f"{namespace}{local}" if local else f"{ctx['@vocab']}{curie}"


def test_identifiers_are_linked_as_iris(graph: rdflib.Graph) -> None:
    """Every registry id, DOI and PMID is also an IRI of its resolver (the literal stays)."""
    same = SCHEMA.sameAs
    assert (URIRef(f"{ALPHA}/registration/NCT09000001"), same,
            URIRef("https://www.clinicaltrials.gov/study/NCT09000001")) in graph
    targets = {str(o) for o in graph.objects(None, same)}
    assert "https://doi.org/10.5555/respirocell.export.alpha" in targets
    assert any(t.startswith("https://pubmed.ncbi.nlm.nih.gov/") for t in targets)
    assert (None, PROV.entity, URIRef("http://purl.obolibrary.org/obo/MONDO_0005002")) in graph


def test_reordering_lists_leaves_the_graph_unchanged(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    before = export_file(tmp_path / "a", "ntriples", corpus).read_bytes()
    for path in discover([corpus]):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("arms", "outcomes", "publications", "registrations", "conditions"):
            if isinstance(data.get(key), list):
                data[key].reverse()
        for key in ("curators", "sources"):
            data["curation"][key].reverse()
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert invoke("validate", corpus).exit_code == 0
    assert export_file(tmp_path / "b", "ntriples", corpus).read_bytes() == before


def test_a_curator_without_orcid_is_one_agent_across_the_corpus(graph: rdflib.Graph) -> None:
    agent = URIRef(f"{BASE}agent/second-fixture-curator")
    assert len(set(graph.subjects(PROV.wasAssociatedWith, agent))) >= 1
    assert not [o for o in graph.objects(None, PROV.wasAssociatedWith) if "/curator/" in str(o)]


def test_enum_values_with_a_meaning_use_it(graph: rdflib.Graph) -> None:
    for iri in ("http://purl.obolibrary.org/obo/NCIT_C38276", "http://purl.obolibrary.org/obo/NCIT_C38216",
                "http://purl.obolibrary.org/obo/NCIT_C38225", "https://loinc.org/20150-9", "https://loinc.org/64098-7",
                "http://purl.obolibrary.org/obo/GO_1903561", "https://bioregistry.io/registry/chictr"):
        assert (None, None, URIRef(iri)) in graph, iri


# -- one graph, two processors, three syntaxes ---------------------------------------------
def test_pyld_and_rdflib_read_the_same_triples(exported: dict[str, Path], graph: rdflib.Graph) -> None:
    from pyld import jsonld as pyld

    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    expanded = pyld.expand(document)
    nquads = pyld.to_rdf(expanded, {"format": "application/n-quads"})
    by_pyld = rdflib.Graph().parse(data=nquads, format="nt")
    assert len(by_pyld) == len(graph) > 500
    assert isomorphic(by_pyld, graph), _diff(by_pyld, graph)
    # rdflib reading pyld's expanded form agrees too, so the compact form hides nothing.
    assert isomorphic(parse_jsonld_with_rdflib(json.dumps(expanded)), graph)


def test_turtle_and_ntriples_hold_the_jsonld_graph(exported: dict[str, Path], graph: rdflib.Graph) -> None:
    turtle = rdflib.Graph().parse(exported["turtle"], format="turtle")
    ntriples = rdflib.Graph().parse(exported["ntriples"], format="nt")
    assert isomorphic(turtle, ntriples), _diff(turtle, ntriples)
    assert isomorphic(turtle, graph), _diff(turtle, graph)
    lines = [ln for ln in exported["ntriples"].read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    assert lines == sorted(lines) and len(lines) == len(graph)
    text = exported["turtle"].read_text(encoding="utf-8")
    assert "@prefix schema: <http://schema.org/> ." in text
    assert "@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> ." in text


def _diff(a: rdflib.Graph, b: rdflib.Graph) -> str:
    from rdflib.compare import graph_diff

    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return f"only in first: {sorted(only_a)[:5]}\nonly in second: {sorted(only_b)[:5]}"


# -- SHACL ----------------------------------------------------------------------------------
def _shacl(data: rdflib.Graph, shapes: rdflib.Graph) -> list[tuple[str, str, str]]:
    import pyshacl
    from rdflib.namespace import SH

    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    results = sorted((str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
                      str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1])
                     for r in report.subjects(RDF.type, SH.ValidationResult))
    assert conforms == (not results)
    return results


def test_export_conforms_to_the_generated_shapes(graph: rdflib.Graph) -> None:
    """The SHACL shapes generated from the schema, unchanged: closed shapes, sh:in enum lists
    with meaning IRIs, sh:class of references, cardinalities, patterns, and partial dates as
    xsd:date / xsd:gYearMonth / xsd:gYear (the schema's any_of of three date types)."""
    shapes = rdflib.Graph().parse(SHAPES)
    assert _shacl(graph, shapes) == []


def test_partial_dates_are_typed_as_dates(graph: rdflib.Graph) -> None:
    dates = {o.datatype for p in (SCHEMA.startDate, SCHEMA.endDate) for o in graph.objects(None, p)}
    assert dates <= {XSD.date, XSD.gYearMonth, XSD.gYear} and XSD.gYearMonth in dates


def test_shapes_catch_a_wrongly_typed_date(graph: rdflib.Graph) -> None:
    """The shapes test can fail: a start date typed as plain text violates them."""
    shapes = rdflib.Graph().parse(SHAPES)
    subject, value = next(iter(graph.subject_objects(SCHEMA.startDate)))
    broken = rdflib.Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((subject, SCHEMA.startDate, value))
    broken.add((subject, SCHEMA.startDate, Literal(str(value))))
    assert [(s, c) for s, _, c in _shacl(broken, shapes)] == [(str(subject), "OrConstraintComponent")]


# -- every fact survives --------------------------------------------------------------------
def _reachable(graph: rdflib.Graph, start: URIRef, records: set[URIRef]) -> set[URIRef]:
    """Nodes describing one record: itself, its nested objects, terms and curators it uses."""
    seen, todo = {start}, [start]
    while todo:
        for obj in graph.objects(todo.pop(), None):
            if isinstance(obj, URIRef) and obj not in seen and obj not in records:
                seen.add(obj)
                todo.append(obj)
    return seen


def _expected_iris(value: str, prefixes: dict[str, str], meanings: dict[str, str]) -> set[str]:
    """IRIs that carry ``value``: a CURIE expanded, an enum value's meaning."""
    out = set()
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes:
        out.add(prefixes[prefix] + local)
    if value in meanings:
        meaning_prefix, _, meaning_local = meanings[value].partition(":")
        out.add(prefixes[meaning_prefix] + meaning_local)
    return out


def test_every_scalar_of_every_record_is_in_the_graph(graph: rdflib.Graph) -> None:
    """Walks each record's YAML data and finds each scalar among the triples of that record's
    nodes: as a literal equal in value, or - text only - as an IRI (record and arm ids,
    references and ORCID iDs are an IRI's last segment, ontology terms their expanded CURIE,
    enum values their meaning). Numbers and booleans must be literals."""
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    prefixes = {k: (v if isinstance(v, str) else v["@id"]) for k, v in context.items()
                if not k.startswith("@") and (isinstance(v, str) or v.get("@prefix"))}
    schema = yaml.safe_load((REPO / "schema" / "respirocell.yaml").read_text(encoding="utf-8"))
    meanings = {value: pv["meaning"] for enum in schema["enums"].values()
                for value, pv in (enum["permissible_values"] or {}).items() if (pv or {}).get("meaning")}
    record_iris = {URIRef(str(o)) for o in graph.objects(URIRef(f"{BASE}dataset"), SCHEMA.hasPart)}
    segments = {"studies": "study", "cell_sources": "cell-source", "conditions": "condition"}
    checked = 0
    for path in discover([CORPUS]):
        data = parse_text(path.read_bytes())
        iri = URIRef(f"{BASE}{segments[path.parent.name]}/{data['id']}")
        nodes = _reachable(graph, iri, record_iris - {iri})
        triples = [t for s in nodes for t in graph.triples((s, None, None))]
        literals = [o for _, _, o in triples if isinstance(o, Literal)]
        iris = {str(x) for _, _, o in triples for x in (o,) if isinstance(x, URIRef)} | {str(n) for n in nodes}
        for where, value in leaves(data):
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            as_literal = any(str(o) == text or (o.datatype is not None and _value_equal(text, o)) for o in literals)
            as_iri = isinstance(value, str) and (bool(_expected_iris(text, prefixes, meanings) & iris) or
                                                 any(i.rsplit("/", 1)[-1] == text for i in iris))
            assert as_literal or as_iri, f"{path.name}: {where} = {value!r} is not in the graph"
            checked += 1
    assert checked > 250


def _value_equal(text: str, literal: Literal) -> bool:
    try:
        return bool(Literal(text, datatype=literal.datatype).eq(literal))
    except (TypeError, ValueError):
        return False


# -- determinism and atomicity ------------------------------------------------------------
@pytest.mark.parametrize("fmt", SINGLE_FILE_FORMATS)
def test_exports_are_byte_identical(fmt: str, tmp_path: Path, exported: dict[str, Path]) -> None:
    again = export_file(tmp_path, fmt)
    assert again.read_bytes() == exported[fmt].read_bytes()


def test_another_hash_seed_gives_the_same_bytes(tmp_path: Path, exported: dict[str, Path]) -> None:
    """A fresh process with another hash seed: set and dict order must not leak into the output."""
    code = ("import sys\nfrom pathlib import Path\nfrom respirocell.export import export_corpus\n"
            "for fmt in sys.argv[3:]:\n    export_corpus([Path(sys.argv[1])], fmt, Path(sys.argv[2]) / fmt)\n")
    done = subprocess.run([sys.executable, "-c", code, str(CORPUS), str(tmp_path), *SINGLE_FILE_FORMATS],
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=REPO)
    assert done.returncode == 0, done.stderr
    for fmt in SINGLE_FILE_FORMATS:
        assert (tmp_path / fmt).read_bytes() == exported[fmt].read_bytes(), fmt


def test_tsv_export_is_byte_identical(tmp_path: Path, exported: dict[str, Path]) -> None:
    result = invoke("export", "--format", "tsv", "--output", tmp_path / "t", CORPUS)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in exported["tsv"].iterdir())
    assert names == sorted(p.name for p in (tmp_path / "t").iterdir())
    for name in names:
        assert (tmp_path / "t" / name).read_bytes() == (exported["tsv"] / name).read_bytes()


def _boom(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("simulated failure")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_failing_serializer_leaves_previous_file(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = export_file(tmp_path, fmt)
    before = out.read_bytes()
    monkeypatch.setattr(rdf_module, "serialize", _boom)
    result = invoke("export", "--format", fmt, "--output", out, CORPUS)
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


@pytest.mark.parametrize("fmt", SINGLE_FILE_FORMATS)
def test_failure_mid_write_leaves_previous_file(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from respirocell import fsio

    out = export_file(tmp_path, fmt)
    before = out.read_bytes()
    real_fsync = os.fsync

    def fail(fd: int) -> None:
        real_fsync(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsio.os, "fsync", fail)
    corpus = [load_file(p) for p in discover([CORPUS])]
    with pytest.raises(OSError, match="No space left"):
        write_export(corpus, fmt, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


# -- writing only what the export owns (the hostile and the careless) ---------------------
@pytest.mark.parametrize("fmt", SINGLE_FILE_FORMATS)
def test_a_file_that_is_not_an_export_is_never_replaced(fmt: str, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# my notes\n", encoding="utf-8")
    result = invoke("export", "--format", fmt, "--output", readme, CORPUS)
    assert result.exit_code == 2
    assert "exists and is not a respirocell export" in result.output
    assert readme.read_text(encoding="utf-8") == "# my notes\n"
    # Naming respirocell's namespace is not enough: the schema and the README do (both were replaced).
    for text in ("id: https://w3id.org/respirocell/schema\n", "See https://w3id.org/respirocell/ for the data.\n"):
        readme.write_text(text, encoding="utf-8")
        assert invoke("export", "--format", fmt, "--output", readme, CORPUS).exit_code == 2
        assert readme.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("fmt", SINGLE_FILE_FORMATS)
def test_every_single_file_export_begins_with_a_signature_a_rerun_recognises(fmt: str, tmp_path: Path) -> None:
    from respirocell.export import SIGNATURES

    out = tmp_path / "out"
    assert invoke("export", "--format", fmt, "--output", out, CORPUS).exit_code == 0
    assert out.read_bytes().startswith(SIGNATURES)
    for other in SINGLE_FILE_FORMATS:  # an earlier export of any format may be replaced by another
        assert invoke("export", "--format", other, "--output", out, CORPUS).exit_code == 0


def test_a_file_format_refuses_a_folder(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "keep.yaml").write_text("id: keep\n", encoding="utf-8")
    for target in (tmp_path / "records", tmp_path):
        result = invoke("export", "--format", "jsonld", "--output", target, CORPUS)
        assert result.exit_code == 2 and "is a folder" in result.output
    assert (tmp_path / "records" / "keep.yaml").read_text(encoding="utf-8") == "id: keep\n"


def test_tsv_refuses_a_folder_with_foreign_files_and_deletes_nothing(tmp_path: Path) -> None:
    """--output build after a JSON-LD export, --output records, --output .: all refused."""
    build = tmp_path / "build"
    jsonld = export_file(build, "jsonld")
    for target in (build, tmp_path):
        result = invoke("export", "--format", "tsv", "--output", target, CORPUS)
        assert result.exit_code == 2, result.output
        assert "holds files respirocell did not write" in result.output
    assert jsonld.exists() and sorted(p.name for p in build.iterdir()) == [jsonld.name]


def test_tsv_replaces_only_its_own_previous_export(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    assert invoke("export", "--format", "tsv", "--output", out, CORPUS).exit_code == 0
    (out / "studies.tsv").write_text("an older export\n", encoding="utf-8")  # listed in the manifest: ours
    result = invoke("export", "--format", "tsv", "--output", out, CORPUS)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}/ (12 files, 6 records)\n"
    assert (out / "studies.tsv").read_text(encoding="utf-8") != "an older export\n"
    (out / "mine.txt").write_text("a user's file\n", encoding="utf-8")
    assert invoke("export", "--format", "tsv", "--output", out, CORPUS).exit_code == 2
    assert (out / "mine.txt").read_text(encoding="utf-8") == "a user's file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_a_killed_tsv_swap_is_recovered_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between its two renames, an export leaves no tables/ folder; the next run puts the
    old one back first, then replaces it, and leaves nothing behind."""
    from respirocell import fsio

    out = tmp_path / "tables"
    assert invoke("export", "--format", "tsv", "--output", out, CORPUS).exit_code == 0
    real_rename, calls = os.rename, []

    def killed_after_first(src: Any, dst: Any) -> None:
        calls.append(dst)
        real_rename(src, dst)
        if len(calls) == 1:
            raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(fsio.os, "rename", killed_after_first)
    corpus = [load_file(p) for p in discover([CORPUS])]
    with pytest.raises(KeyboardInterrupt):
        write_export(corpus, "tsv", out)
    monkeypatch.undo()
    assert not out.exists()
    assert invoke("export", "--format", "tsv", "--output", out, CORPUS).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_a_tsv_export_killed_while_writing_is_cleared_by_the_next(tmp_path: Path) -> None:
    """A process killed (SIGKILL: no clean-up runs) while it writes the tables leaves the folder it
    was filling beside the output; the next run removes it and succeeds. (The manifest used to
    be written last, so that folder was not known as ours, and every later export failed with
    'File exists'.)"""
    out = tmp_path / "tables"
    code = ("import os, signal, sys\nfrom pathlib import Path\nfrom respirocell import export\n"
            "from respirocell.loading import discover, load_file\nreal, calls = export.write_atomic, []\n"
            "def dying(path, data, **kw):\n    calls.append(path)\n"
            "    if len(calls) == 2:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return real(path, data, **kw)\n"
            "export.write_atomic = dying\n"
            "export.write_export([load_file(p) for p in discover([Path(sys.argv[1])])], 'tsv', Path(sys.argv[2]))\n")
    done = subprocess.run([sys.executable, "-c", code, str(CORPUS), str(out)], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == [".tables.respirocell-new"]
    assert invoke("export", "--format", "tsv", "--output", out, CORPUS).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_replacing_folder_keeps_the_old_one_on_an_error_and_refuses_a_link(tmp_path: Path) -> None:
    from respirocell.fsio import UnsafeTarget, replacing_folder

    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing_folder(target, lambda folder: True) as new:
        (new / "half.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("the build failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and (target / "old.txt").is_file()
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(UnsafeTarget, match="is a symbolic link"), replacing_folder(tmp_path / "link", lambda f: True):
        pass
    assert (tmp_path / "link").is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["link", "out"]
    (tmp_path / "file").write_text("a file", encoding="utf-8")
    with pytest.raises(UnsafeTarget, match="is not a folder"), replacing_folder(tmp_path / "file", lambda f: True):
        pass
    assert (tmp_path / "file").read_text(encoding="utf-8") == "a file"


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    out = export_file(tmp_path, "jsonld")
    leftover = tmp_path / f".{out.name}.abc123.respirocell-tmp"
    leftover.write_bytes(b"half")
    export_file(tmp_path, "jsonld")
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_a_symlinked_output_is_written_through(tmp_path: Path) -> None:
    real = export_file(tmp_path / "real", "jsonld")
    link = tmp_path / "link.jsonld"
    link.symlink_to(real)
    assert invoke("export", "--format", "jsonld", "--output", link, CORPUS).exit_code == 0
    assert link.is_symlink() and real.is_file()
    special = tmp_path / "stdout.jsonld"
    special.symlink_to("/dev/null")
    result = invoke("export", "--format", "jsonld", "--output", special, CORPUS)
    assert result.exit_code == 2 and special.is_symlink()


def test_wrong_kind_of_output_is_refused(tmp_path: Path) -> None:
    from respirocell.export import ExportError

    corpus = [load_file(p) for p in discover([CORPUS])]
    (tmp_path / "a-file").write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ExportError, match="is not a folder"):
        write_export(corpus, "tsv", tmp_path / "a-file")
    with pytest.raises(ExportError, match="is a folder"):
        write_export(corpus, "jsonld", tmp_path)
    with pytest.raises(ExportError, match="unknown export format 'xml'"):
        write_export(corpus, "xml", tmp_path / "x")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.parametrize(("fmt", "name"), [("jsonld", "studies/out.yaml"), ("json", "out.json"), ("tsv", "tables")])
def test_an_export_into_the_records_folder_is_refused(fmt: str, name: str, tmp_path: Path) -> None:
    """An export inside the records would be read as a record by every later run."""
    corpus = tmp_path / "records"
    shutil.copytree(CORPUS, corpus)
    before = sorted(p.relative_to(corpus) for p in corpus.rglob("*"))
    for given in (corpus, corpus / "studies" / "test-study-alpha.yaml"):
        result = invoke("export", "--format", fmt, "--output", corpus / name, given)
        assert result.exit_code == 2, result.output
        assert f"{corpus / name} is inside {corpus}, which holds the records" in result.output
    assert sorted(p.relative_to(corpus) for p in corpus.rglob("*")) == before


@pytest.mark.parametrize("fmt", [*SINGLE_FILE_FORMATS, "json"])
def test_an_export_to_standard_output_is_the_file_export(fmt: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--output", "-", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == export_file(tmp_path, fmt).read_bytes()
    assert not (Path.cwd() / "-").exists()
    tsv = invoke("export", "--format", "tsv", "--output", "-", CORPUS)
    assert tsv.exit_code == 2 and "the tsv export is a folder of tables" in tsv.output
    broken = tmp_path / "records"
    shutil.copytree(CORPUS, broken)
    (broken / "studies" / "test-study-beta.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    invalid = CliRunner().invoke(cli, ["export", "--format", fmt, "--output", "-", str(broken)])
    assert invalid.exit_code == 1 and invalid.stdout_bytes == b""  # the findings go to stderr, no half export
    assert invalid.stderr.endswith("Nothing exported: fix the errors above first.\n")


def test_standard_output_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    args = [sys.executable, "-m", "respirocell", "export", "--format", "jsonld", "--output", "-", str(CORPUS)]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "error: nothing exported: No space left on device\n")
    closed = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            pass_fds=(), preexec_fn=lambda: os.close(1))
    assert (closed.returncode, closed.stderr) == (1, "error: nothing exported: standard output is closed\n")


def test_where_an_export_may_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'./-' is a file of that name; a folder holding the records below it is not itself refused."""
    shutil.copytree(CORPUS, tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    assert invoke("export", "--format", "json", "--output", "./-", ".").exit_code == 0
    assert (tmp_path / "-").read_bytes().startswith(b'{\n  "base"')
    assert invoke("export", "--format", "json", "--output", "build/x.json", ".").exit_code == 0
    refused = invoke("export", "--format", "json", "--output", "records/x.json", ".")
    assert refused.exit_code == 2 and "records/x.json is inside records, which holds the records" in refused.output


def test_export_usage_errors_are_text_whatever_the_format(tmp_path: Path) -> None:
    """``--format json`` is export's output format, not a report format: its usage errors stay text."""
    notes = tmp_path / "notes.json"
    notes.write_text("{}\n", encoding="utf-8")
    result = invoke("export", "--format", "json", "--output", notes, CORPUS)
    assert result.exit_code == 2
    assert result.output.startswith("Usage: cli export") and "exists and is not a respirocell export" in \
        result.output
    validate = invoke("validate", "--format", "json", "--no-such-option")
    assert validate.exit_code == 2 and json.loads(validate.output)["status"] == "usage-error"


def test_a_failed_write_names_where_and_the_wrote_line_is_escaped(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    odd = tmp_path / "b\n::error::x.json"
    result = invoke("export", "--format", "json", "--output", odd, CORPUS)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {tmp_path}/b\\n::error::x.json (JSON, 6 records")
    assert "\n::" not in result.output

    from respirocell import fsio

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device", f"{tmp_path}/out/.c.json.x1{fsio.TMP_SUFFIX}")

    monkeypatch.setattr(fsio.os, "fsync", full)
    failed = invoke("export", "--format", "json", "--output", tmp_path / "out" / "c.json", CORPUS)
    assert failed.exit_code == 1
    assert failed.output == f"error: nothing exported: cannot write in {tmp_path}/out: No space left on device\n"


@pytest.mark.parametrize("fmt", [*SINGLE_FILE_FORMATS, "json", "tsv"])
def test_invalid_corpus_exports_nothing(fmt: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    beta = corpus / "studies" / "test-study-beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("follow_up_of: test-study-alpha",
                                                             "follow_up_of: test-study-gamma"), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("export", "--format", fmt, "--output", out, corpus)
    assert result.exit_code == 1
    assert "error [dangling-reference] no study has the id 'test-study-gamma'" in result.output
    assert result.output.endswith("Nothing exported: fix the errors above first.\n")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


# -- plain JSON -------------------------------------------------------------------------------
def test_plain_json_resolves_references(tmp_path: Path) -> None:
    doc = json.loads(export_file(tmp_path, "json").read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"]) == ("respirocell-json", 1)
    alpha = next(s for s in doc["studies"] if s["id"] == "test-study-alpha")
    assert alpha["iri"] == str(ALPHA)
    assert alpha["conditions"][0] == {"id": "test-condition-copd",
                                      "name": "Chronic obstructive pulmonary disease (test)",
                                      "term": {"id": "MONDO:0005002",
                                               "label": "chronic obstructive pulmonary disease"}}
    assert alpha["arms"][0]["cell_source"]["id"] == "test-msc-bone-marrow"
    assert alpha["arms"][0]["route"] == "intravenous"
    assert [c["id"] for c in doc["conditions"]] == ["test-condition-ards", "test-condition-copd"]


# -- TSV and its data package -------------------------------------------------------------------
def _table(folder: Path, name: str) -> list[dict[str, str]]:
    raw = (folder / name).read_bytes()
    assert b"\r" not in raw.replace(b'"', b"")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter="\t"))


def test_tsv_columns_come_from_the_schema(exported: dict[str, Path]) -> None:
    from respirocell import schema

    folder = exported["tsv"]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["path"] for r in package["resources"]}
    assert names | {"datapackage.json", ".respirocell-export.json"} == {p.name for p in folder.iterdir()}
    studies = next(r for r in package["resources"] if r["path"] == "studies.tsv")
    fields = {f["name"]: f for f in studies["schema"]["fields"]}
    assert fields["phase"]["description"] == schema.slots("Study")["phase"].description
    assert fields["phase"]["constraints"]["enum"] == list(schema.enum_values("StudyPhase"))
    assert fields["enrollment_count"]["type"] == "integer"
    assert studies["schema"]["primaryKey"] == ["id"]
    arms = next(r for r in package["resources"] if r["path"] == "arms.tsv")
    assert {"fields": "cell_source", "reference": {"resource": "cell-sources", "fields": "id"}} in \
        arms["schema"]["foreignKeys"]
    for resource in package["resources"]:
        header = (folder / resource["path"]).read_text(encoding="utf-8").split("\n", 1)[0].split("\t")
        assert header == [f["name"] for f in resource["schema"]["fields"]]


def test_frictionless_validates_the_data_package(exported: dict[str, Path]) -> None:
    from frictionless import validate

    report = validate(exported["tsv"] / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_tsv_values(exported: dict[str, Path]) -> None:
    folder = exported["tsv"]
    studies = _table(folder, "studies.tsv")
    assert [s["id"] for s in studies] == ["test-study-alpha", "test-study-beta"]
    alpha = studies[0]
    assert alpha["iri"] == str(ALPHA)
    assert alpha["conditions"] == "test-condition-copd|test-condition-ards"
    assert alpha["countries"] == "US|NO"
    assert (alpha["start_date"], alpha["enrollment_count"], alpha["design_allocation"]) == ("2021-03", "40",
                                                                                             "randomized")
    assert alpha["curation_curators"] == "Test Curator|Second Fixture Curator"
    assert (alpha["curation_created"], alpha["curation_modified"]) == ("2026-01-15", "2026-02-01")
    assert studies[1]["follow_up_of"] == "test-study-alpha" and studies[1]["start_date"] == "2024"
    registrations = _table(folder, "registrations.tsv")
    assert [(r["study_id"], r["registry"], r["trial_id"]) for r in registrations][:2] == [
        ("test-study-alpha", "clinicaltrials", "NCT09000001"), ("test-study-alpha", "chictr", "ChiCTR2600000001")]
    arms = _table(folder, "arms.tsv")
    msc = next(a for a in arms if a["id"] == "msc")
    assert (msc["dose_value"], msc["dose_value_max"], msc["dose_unit"], msc["dose_interval"], msc["route"]) == \
        ("1000000.0", "2000000.0", "cells_per_kg", "P1W", "intravenous")
    outcomes = _table(folder, "outcomes.tsv")
    first = outcomes[0]
    assert (first["study_id"], first["position"], first["id"]) == ("test-study-alpha", "0", "outcome-1")
    assert (first["result_estimate"], first["result_ci_lower"], first["result_p_value_qualifier"]) == \
        ("0.05", "-0.1", "equal")
    assert [(r["study_id"], r["condition_id"]) for r in _table(folder, "study_conditions.tsv")] == [
        ("test-study-alpha", "test-condition-ards"), ("test-study-alpha", "test-condition-copd"),
        ("test-study-beta", "test-condition-copd")]
    conditions = _table(folder, "conditions.tsv")
    assert conditions[1]["synonyms"] == "COPD|chronic obstructive lung disease"
    assert conditions[1]["term_id"] == "MONDO:0005002"
    sources = _table(folder, "cell_sources.tsv")
    assert sources[0]["notes"] == \
        "Fictional test record; the notes hold a tab\there and a line break\nto test TSV quoting."
    assert (sources[0]["vesicle_type_id"], sources[1]["culture_expanded"]) == ("GO:1903561", "true")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t"))


def _resources(folder: Path) -> dict[str, dict[str, Any]]:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"].removesuffix(".tsv"): r for r in package["resources"]}


@pytest.fixture(scope="module")
def real_tables() -> dict[str, list[dict[str, str]]]:
    """The tables of the registry's own records (records/), read without validating them."""
    from respirocell.export.tables import build_tables

    built = build_tables([load_file(p) for p in discover([REPO / "records"])])
    return {name.removesuffix(".tsv"): _rows(text) for name, text in built.items() if name.endswith(".tsv")}


def _bookkeeping(corpus: Path) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(record_type, record_id, field) of every not_reported entry and (record_type, record_id,
    source, field) of every field of curation.sources, read from the records themselves."""
    unreported: set[tuple[str, ...]] = set()
    used: set[tuple[str, ...]] = set()
    for path in discover([corpus]):
        data = parse_text(path.read_bytes())
        record = (path.parent.name, data["id"])
        unreported |= {(*record, name) for name in data.get("not_reported") or []}
        used |= {(*record, use["source"], name) for use in data["curation"]["sources"] for name in use["fields"]}
    return unreported, used


def test_tsv_not_reported_and_curation_sources_hold_every_entry(tmp_path: Path) -> None:
    """An empty cell is told from 'the sources do not report it', and every value from the source
    it came from; each record kind may say both (the condition's not_reported is only for the test)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    edits = {"studies/test-study-alpha.yaml": [("notes:", "not_reported: [status_reason]\nnotes:")],
             "cell_sources/test-msc-bone-marrow.yaml": [
                 ("culture_expanded: true\n", "not_reported: [culture_expanded]\n"),
                 ("derivation, culture_expanded,", "derivation,")],
             "conditions/test-condition-ards.yaml": [("curation:", "not_reported: [countries]\ncuration:")]}
    for name, changes in edits.items():
        text = (corpus / name).read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text
            text = text.replace(old, new, 1)
        (corpus / name).write_text(text, encoding="utf-8")
    out = tmp_path / "tables"
    result = invoke("export", "--format", "tsv", "--output", out, corpus)
    assert result.exit_code == 0, result.output
    unreported, used = _bookkeeping(corpus)
    rows = _table(out, "not_reported.tsv")
    assert [tuple(r.values()) for r in rows] == sorted(unreported) == [
        ("cell_sources", "test-msc-bone-marrow", "culture_expanded"),
        ("conditions", "test-condition-ards", "countries"), ("studies", "test-study-alpha", "status_reason")]
    msc = next(r for r in _table(out, "cell_sources.tsv") if r["id"] == "test-msc-bone-marrow")
    assert msc["culture_expanded"] == ""  # not_reported says why
    rows = _table(out, "curation_sources.tsv")
    assert [tuple(r.values()) for r in rows] == sorted(used)
    assert ("cell_sources", "test-msc-bone-marrow", "UBERON:0002371", "tissue") in used
    assert [(r["record_type"], r["id"]) for r in _table(out, "records.tsv")] == sorted(
        (p.parent.name, p.stem) for p in discover([corpus]))
    resources = _resources(out)
    for name, key in [("not_reported", ["record_type", "record_id", "field"]),
                      ("curation_sources", ["record_type", "record_id", "source", "field"])]:
        described = resources[name]["schema"]
        assert described["primaryKey"] == key
        assert described["foreignKeys"] == [{"fields": ["record_type", "record_id"],
                                             "reference": {"resource": "records", "fields": ["record_type", "id"]}}]
        assert all(f["description"] for f in described["fields"])
    assert resources["records"]["schema"]["primaryKey"] == ["record_type", "id"]
    from respirocell import schema

    fields = {f["name"]: f for f in resources["not_reported"]["schema"]["fields"]}
    assert fields["field"]["constraints"]["enum"] == list(schema.enum_values("RecommendedField"))
    assert fields["record_type"]["constraints"]["enum"] == [k.folder for k in schema.kinds()]
    from frictionless import validate

    report = validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_tsv_bookkeeping_tables_match_the_real_corpus(real_tables: dict[str, list[dict[str, str]]]) -> None:
    unreported, used = _bookkeeping(REPO / "records")
    assert unreported and used
    assert {tuple(r.values()) for r in real_tables["not_reported"]} == unreported
    assert {tuple(r.values()) for r in real_tables["curation_sources"]} == used
    assert len(real_tables["curation_sources"]) == len(used)


def test_tsv_items_with_an_id_are_keyed_by_it(exported: dict[str, Path],
                                              real_tables: dict[str, list[dict[str, str]]]) -> None:
    """Arms and outcomes are keyed by (study_id, id), as in the RDF; registrations and
    publications have no id and keep (study_id, position)."""
    from respirocell import schema
    from respirocell.export.tables import child_tables

    resources = _resources(exported["tsv"])
    assert resources["arms"]["schema"]["primaryKey"] == resources["outcomes"]["schema"]["primaryKey"] == \
        ["study_id", "id"]
    assert resources["registrations"]["schema"]["primaryKey"] == ["study_id", "position"]
    for name in child_tables():
        keyed = "id" in schema.slots(schema.slots("Study")[name].range)
        assert resources[name]["schema"]["primaryKey"] == ["study_id", "id" if keyed else "position"]
        assert [f["name"] for f in resources[name]["schema"]["fields"]][:2] == ["study_id", "position"]
    studies = {p.stem: parse_text(p.read_bytes()) for p in discover([REPO / "records" / "studies"])}
    for name in ("arms", "outcomes"):
        rows = real_tables[name]
        keys = [(r["study_id"], r["id"]) for r in rows]
        assert keys and len(keys) == len(set(keys)) == sum(len(s.get(name) or []) for s in studies.values())
        for row in rows:  # position is the order in the record
            assert studies[row["study_id"]][name][int(row["position"])]["id"] == row["id"]


def test_reordering_arms_and_outcomes_changes_only_their_position_column(tmp_path: Path,
                                                                         exported: dict[str, Path]) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in discover([corpus / "studies"]):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("arms", "outcomes"):
            data[key].reverse()
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "tables"
    assert invoke("export", "--format", "tsv", "--output", out, corpus).exit_code == 0
    for name in ("arms.tsv", "outcomes.tsv"):
        before, after = _table(exported["tsv"], name), _table(out, name)
        assert [r["position"] for r in after] != [r["position"] for r in before]
        assert [{**r, "position": ""} for r in after] == [{**r, "position": ""} for r in before]


def test_every_joined_column_says_its_values_are_separated_by_a_bar(exported: dict[str, Path]) -> None:
    """Every column holding a list of plain values (a multivalued slot of the schema) ends its
    description so, has no enum constraint, and is the only kind of column whose cells hold |."""
    from respirocell import schema
    from respirocell.export.tables import child_tables, tables_of_schema

    roots = {k.folder: k.name for k in schema.kinds()} | {n: schema.slots("Study")[n].range for n in child_tables()}
    joined: set[tuple[str, str]] = set()
    for table in tables_of_schema():
        for column in table.columns if table.name in roots else []:
            cls = roots[table.name]
            for step in column.path[:-1]:
                cls = schema.slots(cls)[step].range
            if column.path and schema.slots(cls)[column.path[-1]].multivalued:
                joined.add((table.name, column.name))
    assert {("studies", "sponsors"), ("studies", "countries"), ("studies", "conditions"), ("conditions", "synonyms"),
            ("arms", "additional_cell_sources"), ("cell_sources", "curation_curators")} <= joined
    for name, resource in _resources(exported["tsv"]).items():
        rows = _table(exported["tsv"], resource["path"])
        for spec in resource["schema"]["fields"]:
            is_joined = (name, spec["name"]) in joined
            assert spec["description"].endswith(". The values are separated by |.") == is_joined, (name, spec)
            assert not is_joined or ("constraints" not in spec and spec["type"] == "string")
            assert is_joined or not any("|" in r[spec["name"]] for r in rows), (name, spec["name"])
    studies = _resources(exported["tsv"])["studies"]["schema"]["fields"]
    assert next(f for f in studies if f["name"] == "sponsors")["description"] == \
        f"{schema.slots('Study')['sponsors'].description} The values are separated by |."


# -- Python API -----------------------------------------------------------------------------
def test_load_records_returns_pydantic_models() -> None:
    from respirocell import load_records
    from respirocell._generated import models

    loaded = load_records([CORPUS])
    assert [type(r).__name__ for r in loaded] == ["CellSource", "CellSource", "Condition", "Condition", "Study",
                                                  "Study"]
    alpha = next(r for r in loaded if isinstance(r, models.Study) and r.id == "test-study-alpha")
    assert alpha.arms is not None and alpha.arms[0].dose is not None
    assert alpha.arms[0].dose.value == 1_000_000.0
    assert alpha.curation.created == dt.date(2026, 1, 15)
    assert alpha.conditions == ["test-condition-copd", "test-condition-ards"]
    assert alpha.registrations is not None and alpha.registrations[1].registry == "chictr"


def test_load_records_takes_one_path_as_a_string_or_path() -> None:
    from respirocell import load_records

    expected = [r.id for r in load_records([CORPUS])]
    assert [r.id for r in load_records(str(CORPUS))] == expected
    assert [r.id for r in load_records(CORPUS)] == expected


def test_load_records_raises_a_typed_error_with_every_finding(tmp_path: Path) -> None:
    from respirocell.api import RecordsError, load_records

    corpus = tmp_path / "records"
    shutil.copytree(CORPUS, corpus)
    (corpus / "studies" / "test-study-beta.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    alpha = corpus / "studies" / "test-study-alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("count: 40", "count: many"), encoding="utf-8")
    with pytest.raises(RecordsError) as info:
        load_records([corpus])
    found = {(Path(i.file).name, i.code, i.line) for i in info.value.issues}
    assert ("test-study-alpha.yaml", "wrong-type", 32) in found
    assert ("test-study-beta.yaml", "yaml-syntax", 1) in found
    with pytest.raises(RecordsError) as missing:
        load_records([tmp_path / "missing"])
    assert [i.code for i in missing.value.issues] == ["unreadable-file"]


def test_a_doi_with_characters_an_iri_cannot_hold_is_percent_encoded(tmp_path: Path) -> None:
    """A valid DOI may hold <>"{}|\\^` (old SICI DOIs); written as they are, the JSON-LD held an
    invalid IRI and the RDF exports silently dropped the three triples that named it."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    study = corpus / "studies" / "test-study-alpha.yaml"
    odd = '10.5555/a>b<c"d{e}f|g\\h^i`j'
    text = study.read_text(encoding="utf-8").replace("doi: 10.5555/respirocell.export.alpha", f"doi: '{odd}'")
    study.write_text(text.replace("source: doi:10.5555/respirocell.export.alpha", f"source: 'doi:{odd}'"),
                     encoding="utf-8")
    out = {fmt: tmp_path / f"out.{fmt}" for fmt in ("jsonld", "ntriples")}
    for fmt, path in out.items():
        assert invoke("export", "--format", fmt, "--output", path, corpus).exit_code == 0
    iri = "https://doi.org/10.5555/a%3Eb%3Cc%22d%7Be%7Df%7Cg%5Ch%5Ei%60j"
    graph = parse_jsonld_with_rdflib(out["jsonld"].read_text(encoding="utf-8"))
    triples = [ln for ln in out["ntriples"].read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    assert len(triples) == len(graph)
    assert sum(f"<{iri}>" in ln for ln in triples) == 3  # schema:sameAs and two prov:entity


@pytest.mark.parametrize("fmt", ["turtle", "tsv"])
def test_an_output_under_a_file_is_a_usage_error(fmt: str, tmp_path: Path) -> None:
    """It was 'error: nothing exported: File exists', exit 1, naming no path."""
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = invoke("export", "--format", fmt, "--output", tmp_path / "notes.txt" / "x", CORPUS)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (f"Error: Invalid value for '--output': {tmp_path / 'notes.txt'} is not a "
                                              f"folder, so {tmp_path / 'notes.txt' / 'x'} cannot be made in it")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"
