"""respirocell query: SPARQL over the corpus in pyoxigraph, checked against rdflib on the same export."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from respirocell.cli import cli
from respirocell.export import render_bytes
from respirocell.loading import discover, parse_text
from respirocell.query import MAX_QUERY_LENGTH, corpus_store, prologue, run_query

REPO = Path(__file__).resolve().parent.parent
RECORDS = REPO / "records"
QUERIES = sorted((REPO / "queries").glob("*.rq"))

#: The CLI tests read the two-study corpus of the export tests: each call validates and exports it.
SMALL = REPO / "tests" / "data" / "export" / "corpus"


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    return corpus_store([RECORDS])


@pytest.fixture(scope="module")
def rdflib_graph(real_records: list) -> rdflib.Graph:
    text = render_bytes(real_records, "jsonld").decode("utf-8")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
        return rdflib.Graph().parse(data=text, format="json-ld")


def _plain(value: object) -> str:
    if isinstance(value, rdflib.Literal):
        return str(value.toPython()) if value.datatype in (rdflib.XSD.double, rdflib.XSD.integer) else str(value)
    return "" if value is None else str(value)


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_example_query_matches_rdflib(path: Path, store, rdflib_graph: rdflib.Graph) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    ours = run_query(store, text)
    theirs = rdflib_graph.query(prologue() + text)
    assert ours.variables == [str(v) for v in theirs.vars]
    assert len(ours.rows) > 0
    normal = [[_plain(row[i]) for i in range(len(ours.variables))] for row in theirs]

    def number(cell: str) -> str:
        try:
            return str(float(cell))
        except ValueError:
            return cell

    def canon(rows: list[list[str]]) -> Counter[tuple[str, ...]]:
        return Counter(tuple(number(c) for c in row) for row in rows)

    assert canon(ours.rows) == canon(normal)


def test_studies_per_condition_add_up_to_the_records(store) -> None:  # type: ignore[no-untyped-def]
    text = (REPO / "queries" / "studies-per-condition-and-phase.rq").read_text(encoding="utf-8")
    total = sum(int(row[2]) for row in run_query(store, text).rows)
    studies = [parse_text(p.read_bytes()) for p in discover([RECORDS / "studies"])]
    assert total == sum(len(set(s["conditions"])) for s in studies)


def test_completed_trials_without_results_leave_out_those_citing_a_results_paper(store) -> None:  # type: ignore[no-untyped-def]
    """A study citing a primary_results paper is not "without results", even when the curators
    could not read the paper (evidence_basis registry_only): four such studies were listed."""
    text = (REPO / "queries" / "completed-trials-without-results.rq").read_text(encoding="utf-8")
    found = {row[0] for row in run_query(store, text).rows}
    studies = [parse_text(p.read_bytes()) for p in discover([RECORDS / "studies"])]
    assert found == {s["id"] for s in studies if s["status"] == "completed" and s["evidence_basis"] == "registry_only"
                     and not any(pub["role"] == "primary_results" for pub in s.get("publications", []))}


def test_products_count_the_studies_of_any_arm_that_gives_them(store) -> None:  # type: ignore[no-untyped-def]
    """A product co-infused in an arm (additional_cell_sources) counts for its study as much as
    the arm's cell_source: neurogen-uc-placenta-msc-covid-phase-1-india's placenta product was missed."""
    text = (REPO / "queries" / "products-by-tissue-and-donor.rq").read_text(encoding="utf-8")
    found = {(tissue, donor, form): int(n) for tissue, donor, form, n in run_query(store, text).rows}
    sources = {s["id"]: s for s in (parse_text(p.read_bytes()) for p in discover([RECORDS / "cell_sources"]))}
    studies_of: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
    for study in (parse_text(p.read_bytes()) for p in discover([RECORDS / "studies"])):
        for arm in study.get("arms", []):
            for ref in [arm.get("cell_source"), *arm.get("additional_cell_sources", [])]:
                if ref is not None:
                    source = sources[ref]
                    key = (source["tissue"]["label"], source.get("donor", "not stated"), source["product_form"])
                    studies_of[key].add(study["id"])
    assert found == {key: len(ids) for key, ids in studies_of.items()}


def test_effect_estimates_come_with_their_unit_and_confidence_level(store) -> None:  # type: ignore[no-untyped-def]
    """A reviewer pools numbers only with their unit (18 %, not a ratio of 18) and the interval's
    level; either is empty where the record does not give it."""
    answer = run_query(store, (REPO / "queries" / "outcomes-with-effect-estimates.rq").read_text(encoding="utf-8"))
    assert {"estimate_unit", "ci_level"} <= set(answer.variables)
    column = {name: answer.variables.index(name) for name in ("study", "outcome", "estimate_unit", "ci_level")}

    def level(value: str | float | None) -> float | None:
        return None if value is None or value == "" else float(value)

    found = {(row[column["study"]], row[column["outcome"]], row[column["estimate_unit"]],
              level(row[column["ci_level"]])) for row in answer.rows}
    expected = set()
    for study in (parse_text(p.read_bytes()) for p in discover([RECORDS / "studies"])):
        for outcome in study.get("outcomes", []):
            result = outcome.get("result") or {}
            if {"estimate", "ci_lower", "ci_upper"} <= result.keys():
                expected.add((study["id"], outcome["name"], result.get("estimate_unit", ""),
                              level(result.get("ci_level"))))
    assert found == expected and len(answer.rows) == len(expected)


def _date_filter() -> tuple[str, str]:
    """The query of queries/README.md's date section, and its FILTER."""
    readme = (REPO / "queries" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Filtering by date\n.*?```sparql\n(.*?)```", readme, re.S)
    assert block, "queries/README.md lost its date filter example"
    condition = re.search(r"^\s*(FILTER\(.*\))$", block.group(1), re.M)
    assert condition, "the date filter example has no FILTER line"
    return block.group(1), condition.group(1)


def test_the_readme_date_filter_counts_every_study_that_started_in_2020_or_later(store) -> None:  # type: ignore[no-untyped-def]
    """A start date has the record's precision (gYear, gYearMonth or date); comparing it with an
    xsd:date, as the README warns, drops those without a day."""
    studies = [parse_text(p.read_bytes()) for p in discover([RECORDS / "studies"])]
    since_2020 = [s for s in studies if s.get("start_date") and s["start_date"][:4] >= "2020"]
    assert any(len(s["start_date"]) < len("2020-01-01") for s in since_2020)  # else the test proves nothing
    query, condition = _date_filter()
    assert run_query(store, query).rows == [[str(len(since_2020))]]
    naive = query.replace(condition, 'FILTER(?start >= "2020-01-01"^^xsd:date)')
    assert run_query(store, naive).rows == [[str(sum(len(s["start_date"]) == len("2020-01-01") for s in since_2020))]]


def test_the_readme_date_filter_keeps_each_precision(store) -> None:  # type: ignore[no-untyped-def]
    _, condition = _date_filter()
    dates = ('"2019"^^xsd:gYear "2020"^^xsd:gYear "2019-12"^^xsd:gYearMonth "2020-01"^^xsd:gYearMonth '
             '"2019-12-31"^^xsd:date "2020-01-01"^^xsd:date')
    kept = run_query(store, f"SELECT ?start WHERE {{ VALUES ?start {{ {dates} }} {condition} }}").rows
    assert sorted(row[0] for row in kept) == ["2020", "2020-01", "2020-01-01"]


def test_every_registry_id_doi_and_pmid_of_the_corpus_is_an_iri(store) -> None:  # type: ignore[no-untyped-def]
    """Each registration, DOI and PMID of every study is linked to its resolver by IRI."""
    linked = {row[0] for row in run_query(store, "SELECT DISTINCT ?o WHERE { ?s schema:sameAs ?o }").rows}
    studies = [parse_text(p.read_bytes()) for p in discover([RECORDS / "studies"])]
    missing = []
    for study in studies:
        for reg in study.get("registrations", []):
            if not any(iri.endswith(reg["trial_id"]) or reg["trial_id"].replace("/", "%2F") in iri for iri in linked):
                missing.append(reg["trial_id"])
        for pub in study.get("publications", []):
            if pub.get("doi") and f"https://doi.org/{pub['doi']}" not in linked:
                missing.append(pub["doi"])
            if pub.get("pmid") and f"https://pubmed.ncbi.nlm.nih.gov/{pub['pmid']}" not in linked:
                missing.append(pub["pmid"])
    assert missing == []


def test_cli_formats(tmp_path: Path) -> None:
    query = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a schema:MedicalTrial }"
    studies = len(discover([SMALL / "studies"]))
    runner = CliRunner()
    table = runner.invoke(cli, ["query", query, "--records", str(SMALL)])
    assert table.exit_code == 0 and table.output.split("\n")[2].strip() == str(studies)
    doc = json.loads(runner.invoke(cli, ["query", query, "--records", str(SMALL), "--format", "json"]).output)
    assert doc["head"]["vars"] == ["n"] and doc["results"]["bindings"][0]["n"]["value"] == str(studies)
    csv = runner.invoke(cli, ["query", query, "--records", str(SMALL), "--format", "csv"]).output
    assert csv.replace("\r", "").split("\n")[:2] == ["n", str(studies)]


def test_a_bad_query_is_a_usage_error_with_its_position(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "SELECT ?s WHERE {\n  ?s ?p }", "--records", str(SMALL)])
    assert result.exit_code == 2
    assert "the query does not parse" in result.output and "(line 2, column" in result.output
    both = CliRunner().invoke(cli, ["query", "--records", str(SMALL)])
    assert both.exit_code == 2


@pytest.mark.parametrize(("text", "message"), [
    ("", "the query is empty: write a SELECT or ASK query (see queries/ for examples)"),
    ("  # only a comment\n", "the query is empty: write a SELECT or ASK query (see queries/ for examples)"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE is a SPARQL update: respirocell query only reads the corpus (SELECT or "
     "ASK); records change through their YAML files"),
    ("PREFIX ex: <http://example.org/>\n insert data { ex:a ex:b ex:c }", "INSERT is a SPARQL update: respirocell "
     "query only reads the corpus (SELECT or ASK); records change through their YAML files"),
])
def test_an_empty_query_or_an_update_is_a_usage_error_that_says_so(text: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["query", text, "--records", str(SMALL)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"


def test_a_federated_query_is_refused_before_any_request() -> None:
    """SERVICE would make pyoxigraph send HTTP requests; a query in queries/ runs in CI."""
    runner = CliRunner()
    for text in ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                 "select * where { service silent <http://x/> { ?s ?p ?o } }"):
        result = runner.invoke(cli, ["query", text, "--records", str(SMALL)])
        assert result.exit_code == 2 and "SERVICE" in result.output
    words = 'SELECT (COUNT(?t) AS ?n) WHERE { ?s dcterms:title ?t FILTER(CONTAINS(?t, "service")) } # no'
    assert runner.invoke(cli, ["query", words, "--records", str(SMALL)]).exit_code == 0
    # In a comment the word is refused too: a comment misread would otherwise hide what follows it.
    assert runner.invoke(cli, ["query", words + " SERVICE", "--records", str(SMALL)]).exit_code == 2


def test_a_function_pyoxigraph_does_not_know_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["query", "SELECT (<http://127.0.0.1:9/fn>(1) AS ?x) {}", "--records", str(SMALL)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == ("Error: the query cannot be run: The custom function "
                                              "<http://127.0.0.1:9/fn> is not supported")


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { BIND(schema:x\\# AS ?z) SERVICE <{url}> { ?a ?b ?c } }",  # \# is no comment
    'SELECT * WHERE { BIND("""a\\""" # """ AS ?x) SERVICE <{url}> { ?a ?b ?c } }',  # nor one in a string
    "SELECT * WHERE { # a comment ends at CR\rSERVICE <{url}> { ?a ?b ?c } }",
    "SELECT*WHERE{BIND(<{url}>AS?e)FILTER(1<2)SERVICE?e{?a?b?c}FILTER(3>2)}",  # '<2)...>' is no IRI
    "SELECT * WHERE { BIND(<http://x/\\u0041#> AS ?z) SERVICE <{url}> { ?a ?b ?c } }",  # \u in an IRI
])
def test_service_cannot_hide_from_the_check(text: str) -> None:
    """Each of these once slipped SERVICE past the check (pyoxigraph then sent a POST): a local
    listener counts the requests that arrive."""
    import http.server
    import threading

    hits: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        result = CliRunner().invoke(cli, ["query", text.replace("{url}", url), "--records", str(SMALL)])
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    assert result.exit_code == 2 and "SERVICE (a federated query) is not allowed" in result.output


def test_a_refused_construct_leaves_no_stray_error(tmp_path: Path) -> None:
    """The query's results belong to the query thread; dropped on the main thread they printed a
    RuntimeError ('unsendable') after the usage error."""
    done = subprocess.run([sys.executable, "-m", "respirocell.cli", "query", "CONSTRUCT {?s ?p ?o} WHERE {?s ?p ?o}",
                           "--records", str(SMALL)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith("Error: only SELECT and ASK queries are supported"), done.stderr
    assert "RuntimeError" not in done.stderr and "unsendable" not in done.stderr


def test_a_deeply_nested_query_answers_and_a_huge_one_is_refused(tmp_path: Path) -> None:
    """pyoxigraph recurses once per nesting level, in Rust: STR( nested 2,000 deep was a
    segmentation fault on the main thread's stack (run in a child process, so a regression
    fails here instead of killing the test run). The cap keeps any query under what the query
    thread's stack holds."""
    deep = tmp_path / "deep.rq"
    deep.write_text("SELECT ?x WHERE { BIND((" + "STR(" * 2000 + "1" + ")" * 2000 + ") AS ?x) }", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "respirocell.cli", "query", "--file", str(deep), "--records",
                           str(SMALL), "--format", "csv"], capture_output=True, text=True, cwd=tmp_path)
    assert (done.returncode, done.stdout.split()) == (0, ["x", "1"]), done.stderr[-500:]
    huge = "SELECT * WHERE { ?s ?p ?o }" + " " * MAX_QUERY_LENGTH
    result = CliRunner().invoke(cli, ["query", huge, "--records", str(SMALL)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (f"Error: the query is {len(huge):,} characters long; respirocell query "
                                              "takes up to 65,536")


def test_a_query_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_bytes(b"\xff\xfeSELECT * WHERE { ?s ?p ?o }")
    result = CliRunner().invoke(cli, ["query", "--file", str(query), "--records", str(SMALL)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '--file': cannot read the query: it is not "
                                              "UTF-8 text")
