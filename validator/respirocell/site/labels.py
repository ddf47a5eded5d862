"""Words for codes: enum values, units and identifiers as a reader of the site sees them.

Enum values, their order (the schema's own, so "phase 1" sorts before "phase 2") and their
labels ("Phase 1/2", "FEV1", "ClinicalTrials.gov") come from ``respirocell.schema``: the RDF
exports give the same labels.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

from .. import schema
from ..identifiers import country_name

#: Registries by the name readers know them by (their labels in the schema).
REGISTRY_NAMES: dict[str, str] = {name: schema.value_label(name) for name in schema.enum_values("TrialRegistry")}

#: Where a trial id can be looked up when Bioregistry knows no page for its registry.
WHO_ICTRP = "https://trialsearch.who.int/Trial2.aspx?TrialID="

label = schema.value_label
country = country_name


def missing(data: Any, field: str) -> str:
    """What a study page says for a field the record leaves out: the curator's finding that no
    cited source reports it (``not_reported``), or only that it is not recorded."""
    listed = data.get("not_reported") if isinstance(data, dict) else None
    return "not reported in the sources read" if field in (listed or []) else "not recorded"


def unit(value: Any) -> str:
    """A dose unit as written after a number: ``cells_per_kg`` -> "cells/kg", ``cells`` -> "cells"."""
    known = schema.enum_values("DoseUnit").get(str(value))
    return (known.label if known else None) or str(value).replace("_", " ")


def number(value: Any) -> str:
    """A number as people write it: integers without ``.0``, at most 4 significant digits
    beyond the integer part."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def quantity(value: Any) -> Markup:
    """A dose: 2.0e7 -> "2 (times sign) 10<sup>7</sup>"; small numbers as they are."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value == 0 or abs(value) < 1e5:
        return escape(number(value))
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    return Markup(f"{escape(number(round(mantissa, 3)))} \N{MULTIPLICATION SIGN} 10<sup>{exponent}</sup>")


def year_of(date: Any) -> str | None:
    """The year of a YYYY, YYYY-MM or YYYY-MM-DD date."""
    return str(date)[:4] if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit() else None
