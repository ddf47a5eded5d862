"""Add or refresh ontology terms in the validator's pinned term table.

    python tools/add_term.py MONDO:0005002 CL:0000134
    python tools/add_term.py --replaced-by MONDO:0800504 MONDO:0008345
    python tools/add_term.py --sources DIR --table PATH CURIE [CURIE ...]

Why a pinned table: the validator must check ontology ids and labels offline and
reproducibly, so it ships ``validator/respirocell/data/terms.json`` instead of calling an
ontology service. Why this command: every label in that table must be the ontology's own
label, copied by a program from the ontology's own files, never typed by hand (third-party
files on GitHub carry stale and wrong labels, e.g. obsolete MONDO ids for IPF).

Term sources (a directory, by default ``../shared/reference/ontology-sources`` beside the
repository), tried in this order per prefix so that the ontology's own current file wins
over an older import file derived from it:

    MONDO   mondo_labels.tsv                      (labels only; obsolete = label starts "obsolete ")
    CL      cl-edit.owl, mondo_uberon_import.obo  (OWL functional syntax; OBO)
    UBERON  uberon-efo-slim.json, mondo_uberon_import.obo  (OBO Graphs JSON; OBO)
    GO      mondo_go_import.obo, mondo_uberon_import.obo

The table is all-or-nothing: every CURIE is looked up before anything is written, any
failure exits 1 with the table untouched, and the file is replaced atomically. Output is
``json.dumps(indent=2, sort_keys=True)`` plus a newline, so re-running is byte-identical.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = ROOT.parent / "shared" / "reference" / "ontology-sources"
DEFAULT_TABLE = ROOT / "validator" / "respirocell" / "data" / "terms.json"
COMMENT = "Pinned ontology terms used by respirocell records. Add terms with: python tools/add_term.py CURIE"

OBO_PURL = "http://purl.obolibrary.org/obo/"
OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
TERM_REPLACED_BY = OBO_PURL + "IAO_0100001"
# Exact and related synonyms only: narrow/broad synonyms name other concepts.
SYNONYM_PROPERTIES = frozenset({OBO_IN_OWL + "hasExactSynonym", OBO_IN_OWL + "hasRelatedSynonym"})
OBO_SYNONYM_SCOPES = frozenset({"EXACT", "RELATED"})

CURIE_RE = re.compile(r"^(MONDO|CL|UBERON|GO):[0-9]{7}$")
SOURCES_BY_PREFIX: dict[str, tuple[str, ...]] = {
    "MONDO": ("mondo_labels.tsv",),
    "CL": ("cl-edit.owl", "mondo_uberon_import.obo"),
    "UBERON": ("uberon-efo-slim.json", "mondo_uberon_import.obo"),
    "GO": ("mondo_go_import.obo", "mondo_uberon_import.obo"),
}


class TermError(Exception):
    """A problem the user must fix (unknown id, missing replacement, bad file); exits 1."""


@dataclass
class Term:
    """One ontology class as read from a source file, before it becomes a table entry."""

    label: str | None = None
    # A set because sources repeat a synonym with different xrefs or types.
    synonyms: set[str] = field(default_factory=set)
    obsolete: bool = False
    replaced_by: str | None = None


def iri_to_curie(iri: str) -> str:
    """Turn an OBO PURL (or an already-compact id) into a CURIE, the form the table uses."""
    if iri.startswith(OBO_PURL):
        local = iri[len(OBO_PURL) :]
        prefix, sep, rest = local.partition("_")
        if sep and "/" not in local:
            return f"{prefix}:{rest}"
    return iri


# --- MONDO label table ------------------------------------------------------------------


def parse_mondo_labels(path: Path) -> dict[str, Term]:
    """Read ``MONDO:id<TAB>label``; Mondo marks obsolete classes only by the label prefix."""
    terms: dict[str, Term] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n").rstrip("\r")
            if not line or line.startswith("#"):
                continue
            curie, _, label = line.partition("\t")
            if not label:
                continue
            terms[curie] = Term(label=label, obsolete=label.startswith("obsolete "))
    return terms


# --- OBO flat file ----------------------------------------------------------------------

OBO_SYNONYM_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+([A-Z]+)')
OBO_ESCAPE_RE = re.compile(r"\\(.)")


def _obo_unescape(text: str) -> str:
    """Undo OBO backslash escapes (``\\"`` and friends) in a quoted value."""
    return OBO_ESCAPE_RE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _obo_plain(value: str) -> str:
    """Strip trailing ``! comment`` and ``{qualifiers}`` from an unquoted OBO id value."""
    value = value.split(" !", 1)[0]
    value = re.sub(r"\s*\{[^}]*\}\s*$", "", value)
    return value.strip()


def parse_obo(path: Path) -> dict[str, Term]:
    """Read [Term] stanzas of an OBO 1.2/1.4 file: id, name, synonyms, is_obsolete, replaced_by."""
    terms: dict[str, Term] = {}
    current: Term | None = None
    in_term = False
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n").rstrip("\r")
            if line.startswith("["):
                in_term = line.strip() == "[Term]"
                current = None
                continue
            if not in_term or not line or line.startswith("!"):
                continue
            tag, sep, value = line.partition(":")
            if not sep:
                continue
            value = value.strip()
            if tag == "id":
                # A repeated id (OBO allows split stanzas) merges into the same record.
                current = terms.setdefault(_obo_plain(value), Term())
            elif current is None:
                continue
            elif tag == "name":
                current.label = value
            elif tag == "synonym":
                match = OBO_SYNONYM_RE.match(value)
                if match and match.group(2) in OBO_SYNONYM_SCOPES:
                    current.synonyms.add(_obo_unescape(match.group(1)))
            elif tag == "is_obsolete":
                current.obsolete = _obo_plain(value) == "true"
            elif tag == "replaced_by":
                current.replaced_by = iri_to_curie(_obo_plain(value))
    return terms


# --- OBO Graphs JSON --------------------------------------------------------------------


def parse_obographs(path: Path) -> dict[str, Term]:
    """Read nodes of an OBO Graphs JSON file (ids are IRIs; labels in ``lbl``)."""
    with path.open(encoding="utf-8") as handle:
        doc = json.load(handle)
    terms: dict[str, Term] = {}
    for graph in doc.get("graphs", []):
        for node in graph.get("nodes", []):
            node_id = node.get("id")
            if not isinstance(node_id, str):
                continue
            meta: dict[str, Any] = node.get("meta") or {}
            term = Term(label=node.get("lbl"), obsolete=bool(meta.get("deprecated", False)))
            for synonym in meta.get("synonyms", []):
                pred = str(synonym.get("pred", ""))
                if pred.rsplit("#", 1)[-1] in ("hasExactSynonym", "hasRelatedSynonym"):
                    term.synonyms.add(str(synonym["val"]))
            for value in meta.get("basicPropertyValues", []):
                if value.get("pred") == TERM_REPLACED_BY:
                    term.replaced_by = iri_to_curie(str(value["val"]))
            terms[iri_to_curie(node_id)] = term
    return terms


# --- OWL functional syntax --------------------------------------------------------------

# cl-edit.owl is OWL *functional syntax* (not RDF/XML), which rdflib cannot read; the few
# axioms needed here are AnnotationAssertion(...) so a tokenizer is enough. Strings may span
# lines and contain escaped quotes, so the whole file is tokenized, not line by line.
OFN_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)|(?P<comment>#[^\n]*)|(?P<open>\()|(?P<close>\))"
    r'|(?P<literal>"(?:[^"\\]|\\.)*"(?:\^\^(?:<[^>]*>|[^\s()]+)|@[A-Za-z0-9-]+)?)'
    r"|(?P<iri><[^>]*>)|(?P<name>[^\s()\"<>]+)",
    re.DOTALL,
)
OFN_STRING_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"', re.DOTALL)


@dataclass(frozen=True)
class _Literal:
    """A quoted OWL literal with its datatype/language suffix removed."""

    text: str


def _ofn_tokens(text: str) -> Iterator[tuple[str, str]]:
    """Yield (kind, value) tokens of an OWL functional-syntax document."""
    pos = 0
    for match in OFN_TOKEN_RE.finditer(text):
        if match.start() != pos:
            raise TermError(f"cannot tokenize OWL functional syntax at offset {pos}")
        pos = match.end()
        kind = match.lastgroup
        if kind in ("ws", "comment") or kind is None:
            continue
        yield kind, match.group()
    if pos != len(text):
        raise TermError(f"cannot tokenize OWL functional syntax at offset {pos}")


def _ofn_statements(text: str) -> Iterator[tuple[str, list[str | _Literal]]]:
    """Yield (keyword, top-level atomic arguments) of every axiom, nested groups skipped.

    For ``AnnotationAssertion(Annotation(...) prop subj value)`` this yields the three
    atoms ``prop subj value``, dropping axiom annotations; Prefix(...) yields its name and IRI.
    The Ontology(...) wrapper is transparent so its axioms come out as statements.
    """
    depth = 0  # nesting depth inside the statement being read (0 = between statements)
    keyword = ""
    args: list[str | _Literal] = []
    previous = ""  # the name token just before this one, if any: a "(" after it opens a call
    for kind, value in _ofn_tokens(text):
        if kind == "open":
            if depth == 0:
                if previous == "Ontology":
                    previous = ""
                    continue  # descend into the ontology body without counting it
                keyword, args = previous, []
            elif depth == 1 and previous:
                args.pop()  # "Annotation" etc. named a nested group, not an argument
            depth += 1
        elif kind == "close":
            if depth > 0:  # depth 0: the Ontology(...) closing paren
                depth -= 1
                if depth == 0:
                    yield keyword, args
        elif depth == 1:
            if kind == "literal":
                match = OFN_STRING_RE.match(value)
                assert match is not None
                args.append(_Literal(OBO_ESCAPE_RE.sub(r"\1", match.group(1))))
            else:
                args.append(value)
        previous = value if kind == "name" else ""


def parse_owl_functional(path: Path) -> dict[str, Term]:
    """Read labels, exact/related synonyms, owl:deprecated and IAO 'term replaced by'."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("<"):
        raise TermError(f"{path.name}: expected OWL functional syntax, found XML")
    prefixes: dict[str, str] = {}

    def expand(atom: str | _Literal) -> str:
        if isinstance(atom, _Literal):
            return atom.text
        if atom.startswith("<") and atom.endswith(">"):
            return atom[1:-1]
        prefix, sep, local = atom.partition(":")
        if sep and prefix + ":" in prefixes:
            return prefixes[prefix + ":"] + local
        return atom

    terms: dict[str, Term] = {}
    for keyword, args in _ofn_statements(text):
        if keyword == "Prefix" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], str):
            prefixes[args[0].rstrip("=")] = args[1][1:-1]
            continue
        if keyword != "AnnotationAssertion" or len(args) != 3:
            continue
        prop, subject, value = expand(args[0]), args[1], args[2]
        if isinstance(subject, _Literal):
            continue
        curie = iri_to_curie(expand(subject))
        if prop == RDFS_LABEL and isinstance(value, _Literal):
            terms.setdefault(curie, Term()).label = value.text
        elif prop in SYNONYM_PROPERTIES and isinstance(value, _Literal):
            terms.setdefault(curie, Term()).synonyms.add(value.text)
        elif prop == OWL_DEPRECATED:
            terms.setdefault(curie, Term()).obsolete = expand(value) == "true"
        elif prop == TERM_REPLACED_BY:
            terms.setdefault(curie, Term()).replaced_by = iri_to_curie(expand(value))
    return terms


# --- lookup -----------------------------------------------------------------------------

PARSERS: dict[str, Callable[[Path], dict[str, Term]]] = {
    ".tsv": parse_mondo_labels,
    ".obo": parse_obo,
    ".json": parse_obographs,
    ".owl": parse_owl_functional,
}


class Sources:
    """Source files of one directory, each parsed at most once and only when needed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, dict[str, Term]] = {}

    def _load(self, name: str) -> dict[str, Term] | None:
        if name not in self._cache:
            path = self.directory / name
            if not path.is_file():
                return None
            self._cache[name] = PARSERS[path.suffix](path)
        return self._cache[name]

    def find(self, curie: str) -> tuple[Term, str]:
        """Return the term and the file it came from; the first file that labels it wins."""
        prefix = curie.split(":", 1)[0]
        names = SOURCES_BY_PREFIX[prefix]
        available = [name for name in names if (self.directory / name).is_file()]
        if not available:
            raise TermError(f"{curie}: none of the source files {', '.join(names)} exist in {self.directory}")
        unlabelled = []
        for name in available:
            terms = self._load(name)
            term = terms.get(curie) if terms is not None else None
            if term is not None and term.label:
                return term, name
            if term is not None:
                unlabelled.append(name)
        hint = f"; present without a label in {', '.join(unlabelled)}" if unlabelled else ""
        raise TermError(f"{curie}: not found in {', '.join(available)} (in {self.directory}){hint}")


def build_entry(curie: str, sources: Sources, replaced_by: str | None) -> dict[str, Any]:
    """Make the table entry for one CURIE, enforcing that obsolete terms name a replacement."""
    term, source = sources.find(curie)
    label = term.label or ""
    replacement = term.replaced_by
    if replaced_by is not None:
        if not term.obsolete:
            raise TermError(f"{curie} ({label!r}) is not obsolete; --replaced-by applies only to obsolete terms")
        if replacement is not None and replacement != replaced_by:
            raise TermError(f"{curie}: {source} says replaced by {replacement}, but --replaced-by gave {replaced_by}")
        replacement = replaced_by
    if term.obsolete and replacement is None:
        raise TermError(f"{curie} ({label!r}) is obsolete and {source} names no replacement; pass --replaced-by CURIE")
    if not term.obsolete:
        replacement = None  # a stray replaced_by on a live term would mislead the validator
    if replacement is not None and CURIE_RE.match(replacement):
        # A hand-given replacement must exist; one named by the ontology file is trusted
        # even if that class is outside the files we have, but never if it is obsolete.
        try:
            target: Term | None = sources.find(replacement)[0]
        except TermError:
            if replaced_by is not None:
                raise
            target = None
        if target is not None and target.obsolete:
            raise TermError(f"{curie}: replacement {replacement} ({target.label!r}) is itself obsolete")
    synonyms = sorted(term.synonyms - {label})
    return {
        "label": label,
        "synonyms": synonyms,
        "obsolete": term.obsolete,
        "replaced_by": replacement,
        "source": source,
    }


def load_table(path: Path) -> dict[str, Any]:
    """Read the existing table (or start an empty one) and check its shape."""
    if not path.exists():
        return {"comment": COMMENT, "terms": {}}
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TermError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(table, dict) or not isinstance(table.get("terms"), dict):
        raise TermError(f"{path}: expected an object with a 'terms' object")
    return table


def dump_table(table: dict[str, Any]) -> str:
    """Serialise deterministically so that regeneration is byte-identical."""
    return json.dumps(table, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same directory and os.replace, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates 0600; keep the old file's mode (or a normal 0644) for a checked-in file.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line interface; see the module docstring."""
    parser = argparse.ArgumentParser(
        description="Add or refresh ontology terms (MONDO, CL, UBERON, GO) in the pinned term table.",
    )
    parser.add_argument("curies", nargs="+", metavar="CURIE", help="e.g. MONDO:0005002 CL:0000134")
    parser.add_argument(
        "--sources", type=Path, default=DEFAULT_SOURCES, help=f"ontology source files (default: {DEFAULT_SOURCES})"
    )
    parser.add_argument(
        "--table", type=Path, default=DEFAULT_TABLE, help=f"term table to update (default: {DEFAULT_TABLE})"
    )
    parser.add_argument(
        "--replaced-by",
        metavar="CURIE",
        help="replacement of an obsolete term whose source file names none (only with a single CURIE)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> list[str]:
    """Look every CURIE up, then write the table once; return one report line per CURIE."""
    curies: list[str] = list(dict.fromkeys(args.curies))
    bad = [c for c in [*curies, args.replaced_by] if c is not None and not CURIE_RE.match(c)]
    if bad:
        raise TermError(f"not a supported CURIE (MONDO|CL|UBERON|GO:NNNNNNN): {', '.join(bad)}")
    if args.replaced_by is not None and len(curies) != 1:
        raise TermError("--replaced-by names the replacement of one obsolete term; give exactly one CURIE")
    if not args.sources.is_dir():
        raise TermError(f"source directory not found: {args.sources}")

    table = load_table(args.table)
    sources = Sources(args.sources)
    entries = {curie: build_entry(curie, sources, args.replaced_by) for curie in curies}

    report = []
    for curie, entry in entries.items():
        old = table["terms"].get(curie)
        status = "added" if old is None else ("unchanged" if old == entry else "updated")
        table["terms"][curie] = entry
        note = f" -> replaced by {entry['replaced_by']}" if entry["obsolete"] else ""
        report.append(f"{status}: {curie} {entry['label']!r} ({entry['source']}){note}")
    table["comment"] = COMMENT
    text = dump_table(table)
    if not args.table.exists() or args.table.read_text(encoding="utf-8") != text:
        write_atomic(args.table, text)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (1 on any lookup or input error)."""
    args = parse_args(argv)
    try:
        report = run(args)
    except (TermError, OSError) as exc:
        print(f"add_term: error: {exc}", file=sys.stderr)
        print("add_term: table unchanged", file=sys.stderr)
        return 1
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
