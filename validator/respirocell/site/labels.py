"""Words for codes: enum values, units and identifiers as a reader of the site sees them.

Enum values and their order come from ``respirocell.schema`` (the schema's own order, so
"phase 1" sorts before "phase 2"); only the few values whose plain spelling reads badly
(``phase_1_2``, ``fev1``) are spelled out here.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

#: Values whose humanised spelling ("Phase 1 2", "Fev1") would mislead.
_SPELLED: dict[str, str] = {
    "early_phase_1": "Early phase 1", "phase_1_2": "Phase 1/2", "phase_2_3": "Phase 2/3",
    "fev1": "FEV1", "fvc": "FVC", "dlco": "DLCO", "crp": "CRP", "pao2_fio2": "PaO2/FiO2",
    "six_minute_walk_distance": "6-minute walk distance", "cells_per_kg": "cells/kg",
    "particles_per_kg": "particles/kg", "microgram_protein": "µg protein", "milliliter": "mL",
    "ipsc_derived": "iPSC-derived", "esc_derived": "ESC-derived", "non_randomized": "Non-randomised",
    "randomized": "Randomised", "extracellular_vesicles": "Extracellular vesicles",
    "equal": "=", "less_than": "<", "greater_than": ">", "none": "None",
}
#: Registries by the name readers know them by.
REGISTRY_NAMES: dict[str, str] = {
    "clinicaltrials": "ClinicalTrials.gov", "isrctn": "ISRCTN", "anzctr": "ANZCTR", "chictr": "ChiCTR",
    "euclinicaltrials": "EU Clinical Trials Register", "ctis": "EU CTIS", "irct": "IRCT", "jrct": "jRCT",
    "ctri": "CTRI", "drks": "DRKS", "pactr": "PACTR", "rebec": "ReBEC", "tctr": "TCTR",
}
#: Where a trial id can be looked up when Bioregistry knows no page for its registry.
WHO_ICTRP = "https://trialsearch.who.int/Trial2.aspx?TrialID="


def label(value: Any) -> str:
    """An enum value (or any code) as words: ``phase_1_2`` -> "Phase 1/2"."""
    text = str(value)
    if text in _SPELLED:
        return _SPELLED[text]
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


def unit(value: Any) -> str:
    """A dose unit as written after a number: ``cells_per_kg`` -> "cells/kg"."""
    return _SPELLED.get(str(value), str(value).replace("_", " "))


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
