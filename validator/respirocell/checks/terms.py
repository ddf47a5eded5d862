"""Ontology terms: every {id, label} is checked against the pinned term table.

The table (``data/terms.json``) holds only the terms the project uses, read from the
ontologies' own files by ``tools/add_term.py``; it is the reason no network is needed.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from .. import package_data, schema
from ..issues import Issue
from ..loading import RecordFile
from ._util import issue, text

ADD_TERM = "python tools/add_term.py"


@cache
def term_table() -> dict[str, dict[str, Any]]:
    raw = package_data.read_text("data/terms.json")
    return json.loads(raw)["terms"]  # type: ignore[no-any-return]


def _norm(label: str) -> str:
    return " ".join(label.lower().split())


def check_terms(record: RecordFile) -> Iterator[Issue]:
    """Each ontology term of the record against the table, in the ontology its slot names in
    the schema (``annotations: {ontology: CL}``)."""
    for slot in schema.slots(record.kind or "Record").values():
        term = record.data.get(slot.name)
        if slot.ontology is None or not isinstance(term, dict):
            continue
        curie, label = text(term, "id"), text(term, "label")
        if curie:
            yield from _check_term(record, (slot.name,), curie, label, slot.ontology)


def _check_term(record: RecordFile, path: tuple[str, ...], curie: str, label: str | None,
                ontology: str) -> Iterator[Issue]:
    table = term_table()
    prefix = curie.split(":", 1)[0]
    if prefix != ontology:
        yield issue(record, "wrong-ontology", f"'{path[-1]}' takes a {ontology} term, not {curie}", (*path, "id"),
                    suggestion=_by_label(label, ontology) or f"choose a {ontology} term from "
                    "validator/respirocell/data/terms.json")
        return
    entry = table.get(curie)
    if entry is None:
        import re

        from ..identifiers import prefix_table

        pattern = prefix_table().get(prefix, {}).get("pattern")
        if pattern and not re.match(pattern, curie.split(":", 1)[1]):
            yield issue(record, "invalid-identifier", f"'{curie}' is not a well-formed {prefix} id", (*path, "id"),
                        suggestion=f"{prefix} local ids match {pattern}")
            return
        hint = _by_label(label, ontology)
        yield issue(record, "unknown-term", f"{curie} is not in respirocell's term table", (*path, "id"),
                    suggestion=hint or f"check the id in the ontology, then add it with: {ADD_TERM} {curie}")
        return
    if entry.get("obsolete"):
        new = entry.get("replaced_by")
        new_label = table.get(new, {}).get("label") if new else None
        yield issue(record, "obsolete-term", f"{curie} ('{entry['label']}') is obsolete", (*path, "id"),
                    suggestion=(f"use {new} ('{new_label}')" if new_label else f"use {new}") if new else
                    "find the current term in the ontology")
        return
    if label is not None and label != entry["label"]:
        synonyms = [s for s in entry.get("synonyms", []) if _norm(s) == _norm(label)]
        why = f"'{label}' is a synonym; the label is '{entry['label']}'" if synonyms else \
            f"the label of {curie} is '{entry['label']}', not '{label}'"
        yield issue(record, "label-mismatch", why, (*path, "label"), suggestion=f"write label: {entry['label']}")


def _by_label(label: str | None, ontology: str) -> str | None:
    """Suggest the table's term whose label or synonym best matches ``label``."""
    if not label:
        return None
    choices: dict[str, str] = {}
    for curie, entry in term_table().items():
        if curie.startswith(ontology + ":") and not entry.get("obsolete"):
            for name in [entry["label"], *entry.get("synonyms", [])]:
                choices.setdefault(_norm(name), curie)
    match = difflib.get_close_matches(_norm(label), list(choices), n=1, cutoff=0.75)
    if not match:
        return None
    curie = choices[match[0]]
    return f"did you mean {curie} ('{term_table()[curie]['label']}')?"
