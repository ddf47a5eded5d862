"""SPARQL 1.1 over the corpus without a triple store: the export's graph in pyoxigraph's
embedded store, queried in process.

    respirocell query 'SELECT ?s WHERE { ?s a schema:MedicalTrial }'
    respirocell query --file queries/studies-per-condition-and-phase.rq --format csv

The schema's prefixes (schema:, MONDO:, NCIT: ...) are declared for every query, so queries
can use them without PREFIX lines. Results are written by pyoxigraph's own serialisers
(W3C SPARQL results JSON, CSV, TSV); ``table`` aligns the plain values for reading.

pyoxigraph parses and evaluates a query recursively, in Rust, where running out of stack is a
segmentation fault rather than an exception: ``STR(`` nested about 1,000 deep crashed the process
on the main thread's 8 MiB stack. So a query is at most ``MAX_QUERY_LENGTH`` characters, and it
is parsed, evaluated and read out on a thread with a ``STACK``-byte stack, where that nesting
needs about 62,000 levels: more than such a query can hold.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .export.jsonld import DCAT, SKOS, build_document, dump_bytes
from .identifiers import schema_prefixes
from .validation import valid_records

if TYPE_CHECKING:
    import pyoxigraph

FORMATS = ("table", "csv", "tsv", "json")
#: Characters in a query (the examples in queries/ are under 2,000); see the module doc.
MAX_QUERY_LENGTH = 65_536
STACK = 512 * 2**20  # address space, taken only as the recursion goes deep
T = TypeVar("T")


class QueryError(Exception):
    """The query does not parse (a usage error); ``line`` and ``column`` point into it."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass
class Answer:
    """A query's result: column names and rows of plain values, or a yes/no for ASK."""

    variables: list[str]
    rows: list[list[str]]
    boolean: bool | None


def prologue() -> str:
    names = {**schema_prefixes(), "dcat": DCAT, "skos": SKOS}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(names.items()) if re.fullmatch(r"[A-Za-z_]\w*", p))


def corpus_store(paths: list[Path]) -> pyoxigraph.Store:
    """The valid corpus under ``paths`` as an in-memory store (InvalidCorpusError otherwise)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(dump_bytes(build_document(valid_records(paths))), format=ox.RdfFormat.JSON_LD)
    return store


#: Strings, IRIs and comments as SPARQL's grammar writes them, read left to right: a match never
#: reaches past the end of the token it stands for, so no keyword can hide in one. Long strings
#: end at the first unescaped triple quote; IRIs take only IRIREF's characters and its \u and \U
#: escapes (no space, no ``{}|^`\``); a comment ends at CR or LF; and ``\#`` (an escape in a
#: prefixed name, ``ex:a\#b``) is code, not a comment. Strings and IRIs may hold the word SERVICE
#: without it being the keyword; a comment's text is kept, so a misread one hides nothing.
_NOT_CODE = re.compile("|".join([
    r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""',
    r"'(?:[^'\\\n\r]|\\.)*'", r'"(?:[^"\\\n\r]|\\.)*"',
    r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>', r"\\.", r"#[^\r\n]*",
]))


#: The first keyword of a SPARQL Update request (after any PREFIX and BASE lines).
_UPDATE = re.compile(r"(?i)^(?:\s|#[^\n]*+|PREFIX\s+[^\s<]*+\s*<[^>]*+>|BASE\s*<[^>]*+>)*+"
                     r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")


def _on_a_deep_stack(work: Callable[[], T]) -> T:
    """``work()``, run on a thread with a ``STACK``-byte stack; its exception is raised here."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed back to the calling thread, without its frames: they hold
            box["error"] = exc        # pyoxigraph's results, which may only be dropped on this thread
            chained: BaseException | None = exc
            while chained is not None:
                chained.__traceback__, chained = None, chained.__context__

    previous = threading.stack_size(STACK)
    try:
        thread = threading.Thread(target=run, name="respirocell-query")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _execute(store: pyoxigraph.Store, text: str) -> object:
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(text):,} characters long; respirocell query takes up to "
                         f"{MAX_QUERY_LENGTH:,}")
    if not re.sub(r"#[^\n]*", "", text).strip():
        raise QueryError("the query is empty: write a SELECT or ASK query (see queries/ for examples)")
    if (update := _UPDATE.match(text)) is not None:
        raise QueryError(f"{update.group(1).upper()} is a SPARQL update: respirocell query only reads the corpus "
                         "(SELECT or ASK); records change through their YAML files")
    code = _NOT_CODE.sub(lambda m: m.group() if m.group().startswith("#") else " ", text)
    if re.search(r"(?i)\bSERVICE\b", code):
        raise QueryError("SERVICE (a federated query) is not allowed, nor the word in a comment: respirocell query "
                         "reads only the corpus and never sends a request")
    head = prologue()
    try:
        return store.query(head + text)
    except SyntaxError as exc:
        match = re.search(r"error at ([0-9]+):([0-9]+)", str(exc))
        line = int(match.group(1)) - head.count("\n") if match else None
        column = int(match.group(2)) if match else None
        message = re.sub(r"error at [0-9]+:[0-9]+: ?", "", str(exc))
        raise QueryError(f"the query does not parse: {message}", line, column) from None


def run_query(store: pyoxigraph.Store, text: str) -> Answer:
    """Rows of plain values (IRIs and literal values as text)."""
    return _on_a_deep_stack(lambda: _evaluated(lambda: _answer(store, text)))


def _evaluated(work: Callable[[], T]) -> T:
    """pyoxigraph's refusals while it evaluates (a call of a function it does not know) are
    RuntimeErrors: a usage error of the query, not a traceback."""
    try:
        return work()
    except RuntimeError as exc:
        reason = str(exc).splitlines()[0].strip("'\"") if str(exc) else repr(exc)  # pyoxigraph quotes it
        raise QueryError(f"the query cannot be run: {reason}") from None


def _answer(store: pyoxigraph.Store, text: str) -> Answer:
    import pyoxigraph as ox

    result = _execute(store, text)
    if isinstance(result, ox.QueryBoolean):
        return Answer(["ask"], [[str(bool(result)).lower()]], bool(result))
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT and ASK queries are supported (CONSTRUCT a graph from the export instead)")
    variables = [v.value for v in result.variables]
    rows = [[_plain(solution[v]) if solution[v] is not None else "" for v in variables] for solution in result]
    return Answer(variables, rows, None)


def _plain(term: object) -> str:
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def render(store: pyoxigraph.Store, text: str, fmt: str) -> bytes:
    """The answer in ``fmt``: json (W3C SPARQL results), csv and tsv by pyoxigraph, or a table."""
    if fmt != "table":
        return _on_a_deep_stack(lambda: _evaluated(lambda: _serialized(store, text, fmt)))
    from .reporters import clean, no_command

    answer = run_query(store, text)  # a table is for a terminal: values are shown escaped, one line each
    answer.variables = [clean(v, 10_000) for v in answer.variables]
    answer.rows = [[clean(cell, 10_000) for cell in row] for row in answer.rows]
    widths = [max([len(v), *(len(r[i]) for r in answer.rows)]) for i, v in enumerate(answer.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(answer.variables, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += [no_command("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
              for row in answer.rows]
    count = "" if answer.boolean is not None else f"({len(answer.rows)} row{'s' * (len(answer.rows) != 1)})"
    return ("\n".join(lines + ([count] if count else [])) + "\n").encode("utf-8")


def _serialized(store: pyoxigraph.Store, text: str, fmt: str) -> bytes:
    import pyoxigraph as ox

    result = _execute(store, text)
    if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        raise QueryError("only SELECT and ASK queries are supported (CONSTRUCT a graph from the export instead)")
    return result.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper())) or b""
