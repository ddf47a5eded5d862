"""Turtle and N-Triples: the JSON-LD document parsed and written by pyoxigraph (in Rust), so
every format holds one graph and large corpora serialise in seconds. rdflib stays the
independent reader in the tests.

Output is deterministic: the triples are streamed out as N-Triples lines, which are sorted as
bytes (with duplicates dropped); Turtle is written from those sorted lines, so equal graphs
give equal files. No Python object is kept per triple.
"""

from __future__ import annotations

import itertools

from ..identifiers import schema_prefixes
from .jsonld import DCAT

HEADER = b"# respirocell export: https://w3id.org/respirocell/ (CC0 1.0)\n"


def sorted_ntriples(jsonld: bytes) -> bytes:
    """The graph of a JSON-LD text as sorted, unique N-Triples lines. ``jsonld.dump_bytes``
    writes the streaming profile, so pyoxigraph reads it as a stream: only the text and the
    lines are held, never a tree or a Python object per triple."""
    import pyoxigraph as ox

    quads = ox.parse(jsonld, format=ox.RdfFormat.STREAMING_JSON_LD)  # all in the default graph
    body = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b""
    lines = body.split(b"\n")
    del body  # the lines hold the same bytes; keep one copy
    lines.sort()
    unique = [line for line, _ in itertools.groupby(lines) if line]
    del lines
    return b"\n".join(unique) + (b"\n" if unique else b"")


def serialize(jsonld: bytes, fmt: str) -> bytes:
    """The JSON-LD text ``jsonld`` as ``fmt``: turtle or ntriples."""
    import pyoxigraph as ox

    lines = sorted_ntriples(jsonld)
    if fmt == "ntriples":
        return HEADER + lines
    names = dict(sorted({**schema_prefixes(), "dcat": DCAT}.items()))
    triples = ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
    return HEADER + (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=names) or b"")
