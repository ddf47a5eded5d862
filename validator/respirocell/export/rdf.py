"""Turtle and N-Triples: the JSON-LD document parsed and written by pyoxigraph (in Rust), so
every format holds one graph and large corpora serialise in seconds. rdflib stays the
independent reader in the tests. Triples are written sorted, so equal graphs give equal files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .jsonld import DCAT, dump_bytes, prefixes

if TYPE_CHECKING:
    import pyoxigraph

HEADER = b"# respirocell export: https://w3id.org/respirocell/ (CC0 1.0)\n"


def triples(document: dict[str, Any]) -> list[pyoxigraph.Triple]:
    """The triples of a JSON-LD document, in a stable order."""
    import pyoxigraph as ox

    parsed = ox.parse(dump_bytes(document), format=ox.RdfFormat.JSON_LD)
    found = {ox.Triple(q.subject, q.predicate, q.object) for q in parsed}
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def serialize(document: dict[str, Any], fmt: str) -> bytes:
    """``fmt`` is turtle or ntriples."""
    import pyoxigraph as ox

    found = triples(document)
    if fmt == "ntriples":
        body = ox.serialize(found, format=ox.RdfFormat.N_TRIPLES) or b""
        lines = sorted({line for line in body.split(b"\n") if line.strip()})
        return HEADER + b"\n".join(lines) + (b"\n" if lines else b"")
    names = dict(sorted({**prefixes(), "dcat": DCAT}.items()))
    return HEADER + (ox.serialize(found, format=ox.RdfFormat.TURTLE, prefixes=names) or b"")
