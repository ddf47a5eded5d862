"""Trial registries: turn a ClinicalTrials.gov entry into a draft record, and notice when an entry moves on.

``client`` fetches (politely, with typed errors), ``draft`` maps an API v2 study to a draft record,
``drift`` compares a curated record with the registry's current entry, ``command`` is the CLI.
"""
