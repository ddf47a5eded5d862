"""Semantic and cross-record rules. Each module holds the rules for one concern.

Record rules ``(record) -> Iterator[Issue]`` read one record and nothing else, so they run
wherever the record was parsed (in a worker process, for large runs). Link rules
``(record, corpus) -> Iterator[Issue]`` check one record against others; corpus rules
``(corpus) -> Iterator[Issue]`` see every record. Rules read data defensively (a record may
also have schema errors) and never raise on odd input.
"""

from __future__ import annotations

from . import consistency, identifiers, layout, references, terms

RECORD_RULES = [
    layout.check_layout,
    identifiers.check_identifiers,
    terms.check_terms,
    consistency.check_consistency,
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

#: Every field a link or corpus rule reads of a record (its own, or another's), as nested
#: mappings: ``...`` keeps the whole value, a mapping keeps those keys of the value (or of each
#: mapping in a list of them). ``validate_paths`` keeps only these fields of a record once its
#: record rules have run, which is what lets 100,000 records fit in memory. A rule that reads
#: another field must add it here; tests/test_parallel.py fails until it does.
SHARED_FIELDS: dict[str, object] = {
    "id": ...,
    "follow_up_of": ...,
    "conditions": ...,
    "product_form": ...,
    "arms": {"cell_source": ..., "additional_cell_sources": ..., "dose": {"unit": ...}},
    "registrations": {"trial_id": ...},
    "publications": {"doi": ..., "pmid": ...},
    "curation": {"curators": {"orcid": ..., "name": ...}},
}
