"""Semantic and cross-record rules. Each module holds the rules for one concern.

Record rules have the signature ``(record, corpus) -> Iterator[Issue]``; corpus rules
``(corpus) -> Iterator[Issue]``. They read data defensively (a record may also have
schema errors) and never raise on odd input.
"""

from __future__ import annotations

from . import consistency, identifiers, layout, references, terms

RECORD_RULES = [
    layout.check_layout,
    identifiers.check_identifiers,
    terms.check_terms,
    consistency.check_consistency,
    references.check_references,
]
CORPUS_RULES = [
    layout.check_duplicate_ids,
    references.check_shared_identifiers,
    identifiers.check_orcid_names,
]
