"""JSON-LD literals: each value typed as the schema's range says (dates, partial dates,
durations, numbers, booleans), written as plain JSON where the context's coercion already
gives the right datatype, so the document stays readable as JSON."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any

from .. import package_data


@cache
def context() -> dict[str, Any]:
    """The generated JSON-LD context's term definitions (for their type coercions)."""
    return json.loads(package_data.read_text("_generated/context.jsonld"))["@context"]  # type: ignore[no-any-return]

XSD_STRING = "xsd:string"
_WEEKS = re.compile(r"([0-9]+)W")


def alternative_type(slot: dict[str, Any], value: str) -> str:
    """The XSD datatype of the first ``any_of`` form whose pattern ``value`` matches: a date as
    YYYY-MM-DD, YYYY-MM or YYYY becomes xsd:date, xsd:gYearMonth or xsd:gYear, so SPARQL can
    compare and sort partial dates as dates."""
    for alt in slot["any_of"]:
        if alt.get("pattern") is None or re.fullmatch(alt["pattern"], value):
            return str(alt.get("type_uri") or XSD_STRING)
    raise ValueError(f"'{value}' matches none of the forms of {slot['range']}")


def xsd_duration(value: str) -> str:
    """ISO 8601 duration -> xsd:duration lexical form.

    The schema allows weeks (P2W) but xsd:duration has no W designator, so weeks become days
    (P2W -> P14D, P1W3D -> P10D); the value is unchanged.
    """
    match = _WEEKS.search(value)
    if match is None:
        return value
    days = 7 * int(match.group(1))
    rest = value[:match.start()] + value[match.end():]
    day_match = re.search(r"([0-9]+)D", rest)
    if day_match:
        return rest[:day_match.start()] + f"{days + int(day_match.group(1))}D" + rest[day_match.end():]
    head, t, tail = rest.partition("T")
    return f"{head}{days}D" + (t + tail if t else "")


def coerced_type(term: str) -> str | None:
    definition = context().get(term)
    return definition.get("@type") if isinstance(definition, dict) else None


def literal(term: str, slot: dict[str, Any], value: Any) -> Any:
    """A typed JSON-LD value. Plain JSON where the context's coercion already gives the right
    datatype (so the document stays readable as JSON); a value object otherwise."""
    base, datatype = slot.get("base"), slot.get("type_uri") or XSD_STRING
    if base == "Bool" or isinstance(value, bool):
        if base != "Bool" or not isinstance(value, bool):
            raise ValueError(f"{term}: {value!r} does not fit a field of type {slot['range']}")
        return value
    if base == "int":
        if not isinstance(value, int):
            raise ValueError(f"{term}: expected an integer, not {value!r}")
    elif base == "float":
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{term}: expected a finite number, not {value!r}")
        value = float(value)  # 3 and 3.0 are the same xsd:double; write them alike
    elif not isinstance(value, str):
        raise ValueError(f"{term}: expected text, not {value!r}")
    if slot.get("any_of"):
        datatype = alternative_type(slot, value)
    elif datatype == "xsd:duration":
        value = xsd_duration(value)
    if datatype == XSD_STRING or coerced_type(term) == datatype:
        return value
    return {"@value": value, "@type": datatype}
