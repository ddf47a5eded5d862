"""Semantic and cross-record rules. Each module holds the rules for one concern.

Record rules ``(record) -> Iterator[Issue]`` read one record and nothing else. Link rules
``(record, corpus) -> Iterator[Issue]`` check one record against others; corpus rules
``(corpus) -> Iterator[Issue]`` see every record. A rule that reads or reports about a record
after its file was parsed declares those paths in ``ANCHORS``: their positions are kept from
the one parse, and a validation run keeps only their values (the rest of a record is never
sent between processes). Rules read data defensively (a record may also have schema errors)
and never raise on odd input.
"""

from __future__ import annotations

from . import consistency, identifiers, layout, references, terms, text

RECORD_RULES = [
    layout.check_layout,
    identifiers.check_identifiers,
    terms.check_terms,
    consistency.check_consistency,
    consistency.check_sponsors,
    text.check_comment_in_text,
    text.check_control_characters,
    text.check_list_separator,
]
LINK_RULES = [
    consistency.check_dose_units,
    references.check_references,
]
CORPUS_RULES = [
    layout.check_duplicate_ids,
    references.check_shared_identifiers,
    identifiers.check_orcid_names,
]
ANCHORS = [
    layout.anchors,
    references.anchors,
    consistency.dose_anchors,
    identifiers.orcid_anchors,
]
