"""Identifiers in one place: how sources are written, normalised, matched and turned into IRIs.

Prefix patterns and URI formats come from Bioregistry (through the generated
``identifiers.json``) and the schema's prefixes (through the generated JSON-LD context);
CURIE expansion is done by the ``curies`` library over both, never by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from . import package_data, schema

if TYPE_CHECKING:
    import curies

#: How curators write a literature source: prefix (any case) -> identifiers.json key.
LITERATURE = {"doi": "doi", "pmid": "pmid", "pmcid": "pmcid"}


@cache
def prefix_table() -> dict[str, dict[str, Any]]:
    return json.loads(package_data.read_text("_generated/identifiers.json"))["prefixes"]  # type: ignore[no-any-return]


@cache
def pattern(key: str) -> re.Pattern[str] | None:
    """Bioregistry's pattern for ``key``, matched ASCII-only (``\\d`` is 0-9, never other digits)."""
    entry = prefix_table().get(key)
    return re.compile(entry["pattern"], re.ASCII) if entry and entry.get("pattern") else None


@cache
def registries() -> tuple[str, ...]:
    return tuple(schema.enum_values("TrialRegistry"))


def registry_for(trial_id: str) -> list[str]:
    """Registries whose pattern matches ``trial_id``."""
    return [r for r in registries() if (p := pattern(r)) is not None and p.match(trial_id)]


def parse_source(source: str) -> tuple[str, str] | None:
    """('doi', '10.1/x') for 'doi:10.1/x'; ('clinicaltrials', 'NCT...') for a registry id;
    ('MONDO', '0005002') for an ontology CURIE; None for anything else."""
    head, sep, tail = source.partition(":")
    if sep and head.lower() in LITERATURE:
        return LITERATURE[head.lower()], tail.strip()
    if sep and head in prefix_table():
        return head, tail
    matches = registry_for(source)
    return (matches[0], source) if matches else None


def normal(key: str, local: str) -> str:
    """The one spelling of an identifier used for matching: DOIs are case-insensitive."""
    if key == "doi":
        return f"doi:{local.lower()}"
    if key in LITERATURE:
        return f"{key}:{local}"
    return local if key in registries() else f"{key}:{local}"


def normal_source(source: str) -> str:
    parsed = parse_source(source)
    return normal(*parsed) if parsed else source


def slug(text: str) -> str:
    """``text`` in lower-case letters, digits and single hyphens ('START Phase 2' -> 'start-phase-2');
    the form of record ids, and of a curator's name in an IRI."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def study_identifiers(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, normal form) of every registry id, DOI, PMID and PMCID a study cites."""
    for i, reg in _items(data, "registrations"):
        if isinstance(tid := reg.get("trial_id"), str) and tid:
            yield ("registrations", i, "trial_id"), tid
    for i, pub in _items(data, "publications"):
        for key in ("doi", "pmid", "pmcid"):
            if isinstance(value := pub.get(key), str) and value:
                yield ("publications", i, key), normal(key, value)


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


@cache
def schema_prefixes() -> dict[str, str]:
    """Prefix -> namespace IRI of the schema's prefixes, read by ``curies`` from the generated
    JSON-LD context (a keyword alias such as ``id: @id`` is not a prefix)."""
    import curies

    context = json.loads(package_data.read_text("_generated/context.jsonld"))
    return {prefix: uri for prefix, uri in curies.Converter.from_jsonld(context).prefix_map.items()
            if not uri.startswith("@")}


@cache
def converter() -> curies.Converter:
    """CURIE <-> IRI for the schema's prefixes, then Bioregistry's URI prefixes (one prefix per namespace)."""
    import curies

    records = dict(schema_prefixes())
    for prefix, entry in sorted(prefix_table().items()):
        uri = entry.get("uri_prefix")
        if uri and prefix not in records and uri not in records.values():
            records[prefix] = uri
    return curies.load_prefix_map(records)


@cache
def iri(key: str, local: str) -> str | None:
    """The resolvable IRI of an identifier (doi.org, PubMed, the registry's page), if known."""
    return converter().expand(f"{key}:{local}")


#: Names of countries pycountry does not know: older ISO short names ClinicalTrials.gov uses, and
#: common names curators write (Russia, UK, UAE).
COUNTRY_ALIASES = {
    "Turkey": "TR",
    "Macedonia, The Former Yugoslav Republic of": "MK",
    "Palestinian Territory, occupied": "PS",
    "Libyan Arab Jamahiriya": "LY",
    "UK": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Russia": "RU",
    "UAE": "AE",
    "Ivory Coast": "CI",
    "Macau": "MO",
    "Palestine": "PS",
    "Holland": "NL",
}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country written as a name, an alpha-3 code or an alias
    (any case): ``China`` -> CN, ``usa`` -> US; None if unknown."""
    import pycountry

    alias = {k.lower(): v for k, v in COUNTRY_ALIASES.items()}.get(name.strip().lower())
    if alias is not None:
        return alias
    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2)
    except LookupError:
        return None


def country_name(code: str) -> str:
    """The name readers know a country by: ``ID`` -> Indonesia, ``KR`` -> South Korea (ISO's
    common name where its short name is long); the code itself if it is none."""
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    return str(getattr(found, "common_name", None) or found.name) if found is not None else code
