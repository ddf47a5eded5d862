"""Turtle and N-Triples: the JSON-LD document read by rdflib, so every format holds one graph.

rdflib is imported inside the functions: ``respirocell validate`` and ``--help`` never pay for it.
rdflib reads typed literals into their canonical form, so a value can be spelled differently
from the JSON-LD (P12M becomes P1Y, 1.0e6 becomes 1000000.0); the values are equal.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .jsonld import DCAT, dumps, prefixes

if TYPE_CHECKING:
    import rdflib

#: --format name -> rdflib serializer name.
SERIALIZERS = {"turtle": "turtle", "ntriples": "nt"}


def to_graph(document: dict[str, Any]) -> rdflib.Graph:
    """The RDF graph of a JSON-LD document, with the context's prefixes bound for Turtle."""
    import rdflib

    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser builds a ConjunctiveGraph internally (rdflib 7.1+);
        # the deprecation is rdflib's business, not the caller's.
        warnings.filterwarnings("ignore", message="ConjunctiveGraph is deprecated", category=DeprecationWarning)
        parsed = rdflib.Graph().parse(data=dumps(document), format="json-ld")
    # A fresh graph: the parser binds rdflib's default prefixes (schema: -> https://schema.org/),
    # which would clash with the schema's http://schema.org/.
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in sorted({**prefixes(), "dcat": DCAT}.items()):
        graph.bind(prefix, namespace, override=True, replace=True)
    for triple in parsed:
        graph.add(triple)
    return graph


def serialize(document: dict[str, Any], fmt: str) -> str:
    """``fmt`` is turtle or ntriples. N-Triples lines are sorted, so equal graphs give equal files
    (rdflib's Turtle writer already sorts subjects and predicates)."""
    graph = to_graph(document)
    text = graph.serialize(format=SERIALIZERS[fmt])
    if fmt == "ntriples":
        lines = sorted({line for line in text.splitlines() if line.strip()})
        return "\n".join(lines) + "\n" if lines else ""
    return text
