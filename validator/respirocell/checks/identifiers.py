"""Identifiers: trial-registry ids, DOIs/PMIDs in sources, ORCID checksums, countries, dates.

Prefix patterns come from Bioregistry through the generated ``identifiers.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from .. import package_data, schema
from ..corpus import Corpus
from ..identifiers import parse_source, pattern, registries, registry_for
from ..issues import Issue, Severity
from ..loading import RecordFile
from ._util import Anchor, issue, items, text

_ORCID_FORM = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]")
_ALPHA_2 = re.compile(r"[A-Z]{2}")
_DOI = re.compile(r"^10\.[0-9]{4,9}/[!-~]+$")
#: The forms the schema's date types allow (a month 01-12, a day 01-31): what else they refuse
#: is the schema pass's finding, and this rule's only the dates no calendar has (2019-02-29).
_DATE_FORM = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?")
#: How a literature identifier is written, for the hint on a malformed one.
_SOURCE_FORMS = {"doi": "a DOI is 10., a registrant number, a slash and a suffix, as in doi:10.1000/182",
                 "pmid": "a PubMed id is digits only, as in pmid:23172343",
                 "pmcid": "a PubMed Central id is PMC and digits, as in pmcid:PMC3531190"}


def orcid_ok(orcid: str) -> bool:
    """ISO 7064 11,2 check digit, as ORCID specifies."""
    digits = orcid.replace("-", "")
    if not re.fullmatch(r"[0-9]{15}[0-9X]", digits):
        return False
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def parse_date(value: str) -> tuple[dt.date, dt.date] | None:
    """Earliest and latest day a (partial) date can mean; None if it is not a real date."""
    parts = value.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
            return dt.date(year, month, 1), last
        day = dt.date(year, month, int(parts[2]))
        return day, day
    except (ValueError, IndexError):
        return None


def check_identifiers(record: RecordFile) -> Iterator[Issue]:
    data = record.data
    for i, reg in items(data, "registrations"):
        registry, trial_id = text(reg, "registry"), text(reg, "trial_id")
        if not registry or not trial_id or registry not in registries():
            continue
        form = pattern(registry)
        if form is not None and not form.match(trial_id):
            fits = [r for r in registry_for(trial_id) if r != registry]
            name, example = registry_description(registry)
            hint = (f"the id has the form {fits[0]} uses: set registry: {fits[0]}" if fits
                    else f"{registry} ids look like {example}; copy the id exactly from the registry page")
            yield issue(record, "invalid-identifier", f"'{trial_id}' is not a valid {registry} id ({name})",
                        ("registrations", i, "trial_id"), suggestion=hint)
    for i, curator in items(data.get("curation"), "curators"):
        orcid = text(curator, "orcid")
        if orcid and _ORCID_FORM.fullmatch(orcid) and not orcid_ok(orcid):
            yield issue(record, "invalid-orcid", f"'{orcid}' fails the ORCID checksum (last character)",
                        ("curation", "curators", i, "orcid"), suggestion="copy the ORCID iD from orcid.org")
    for i, use in items(data.get("curation"), "sources"):
        source = text(use, "source")
        if source:
            yield from _check_source(record, source, ("curation", "sources", i, "source"))
    for i, outcome in items(data, "outcomes"):
        source = text(outcome, "source")
        if source:
            yield from _check_source(record, source, ("outcomes", i, "source"))
    countries = data.get("countries")
    if isinstance(countries, list):
        for i, code in enumerate(countries):
            if isinstance(code, str) and _ALPHA_2.fullmatch(code) and not _is_country(code):
                yield issue(record, "unknown-country", f"'{code}' is not an ISO 3166-1 alpha-2 country code",
                            ("countries", i), suggestion=_country_hint(code))
    yield from _check_dates(record)


def _check_source(record: RecordFile, source: str, path: tuple[Any, ...]) -> Iterator[Issue]:
    kind = parse_source(source)
    if kind is None:
        yield issue(record, "invalid-identifier", f"'{source}' is not a recognised source identifier", path,
                    suggestion="write a registry id (NCT01234567), doi:10.xxxx/..., pmid:12345678, or an ontology "
                    "CURIE such as MONDO:0005002")
        return
    key, local = kind
    if key in ("doi", "pmid", "pmcid") or key.isupper():
        form = _DOI if key == "doi" else pattern(key)
        if form is not None and not form.match(local):
            yield issue(record, "invalid-identifier", f"'{source}' is not a valid {key} identifier", path,
                        suggestion=_SOURCE_FORMS.get(key, f"{key} local ids match {form.pattern}"))


def registry_description(registry: str) -> tuple[str, str]:
    """The registry's name and example id, from its description in the schema:
    "ISRCTN registry (ISRCTN12345678)." -> ("ISRCTN registry", "ISRCTN12345678")."""
    description = schema.enum_values("TrialRegistry")[registry].description or registry
    name, _, example = description.partition(" (")
    return name, example.rstrip(").") or "the registry shows"


@cache
def _countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, written from pycountry by tools/generate.py."""
    return frozenset(json.loads(package_data.read_text("_generated/countries.json"))["alpha_2"])


def _is_country(code: str) -> bool:
    return code in _countries()


def _country_hint(code: str) -> str:
    known = {"UK": "GB", "EL": "GR"}
    if code in known:
        return f"use '{known[code]}' (the ISO code)"
    return "look the code up at https://www.iso.org/obp/ui/#search/code/"


def _check_dates(record: RecordFile) -> Iterator[Issue]:
    data = record.data
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for key, path in [("start_date", ("start_date",)), ("completion_date", ("completion_date",)),
                      ("created", ("curation", "created")), ("modified", ("curation", "modified"))]:
        holder = data.get("curation") if path[0] == "curation" else data
        value = text(holder, key)
        if not value or not _DATE_FORM.fullmatch(value):
            continue  # the schema pass reports the form
        span = parse_date(value)
        if span is None:
            yield issue(record, "invalid-date", f"'{value}' is not a real calendar date", path,
                        suggestion="check the day and month")
        else:
            spans[key] = span
    if "start_date" in spans and "completion_date" in spans and spans["completion_date"][1] < spans["start_date"][0]:
        yield issue(record, "date-order", f"completion_date {data['completion_date']} is before start_date "
                    f"{data['start_date']}", ("completion_date",), suggestion="check both dates against the source")
    if "created" in spans and "modified" in spans and spans["modified"][1] < spans["created"][0]:
        yield issue(record, "date-order", "curation.modified is before curation.created", ("curation", "modified"),
                    suggestion="modified is the day of the last change, on or after created")
    today = dt.date.today()
    for key in ("created", "modified"):
        if key in spans and spans[key][0] > today:
            yield issue(record, "invalid-date", f"curation.{key} is in the future", ("curation", key),
                        severity=Severity.ERROR, suggestion=f"use today's date, {today.isoformat()}")


def orcid_anchors(record: RecordFile) -> Iterator[Anchor]:
    for i, _ in items(record.data.get("curation"), "curators"):
        yield ("curation", "curators", i, "name"), False
        yield ("curation", "curators", i, "orcid"), False


def check_orcid_names(corpus: Corpus) -> Iterator[Issue]:
    """One ORCID iD is one person: the same iD under two names means one of them is a typo
    (and would give one agent two names in the exported graph)."""
    uses: dict[str, list[tuple[RecordFile, tuple[Any, ...], str]]] = {}

    def collect(record: RecordFile) -> None:
        for i, curator in items(record.data.get("curation"), "curators"):
            orcid, name = text(curator, "orcid"), text(curator, "name")
            if orcid and name:
                uses.setdefault(orcid, []).append((record, ("curation", "curators", i, "name"), name))

    targets = [r for r in corpus.targets if r.parsed]
    for record in targets:
        collect(record)
    if corpus.has_others and uses:
        for other in corpus.others_mentioning(list(uses)):
            collect(other)
    target_ids = {id(r) for r in targets}
    for orcid, places in sorted(uses.items()):
        if len({name for _, _, name in places}) < 2:
            continue
        for record, path, name in places:
            if id(record) not in target_ids:
                continue
            others = sorted({f"'{n}' in {r.display}" for r, _, n in places if n != name})
            yield issue(record, "orcid-conflict", f"ORCID {orcid} is '{name}' here but {', '.join(others)}", path,
                        suggestion="use the same name for one ORCID iD everywhere")
