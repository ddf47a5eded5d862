"""Structure pass: each record against the JSON Schema generated from the LinkML schema.

One engine, jsonschema-rs, gives both the verdict and the findings: its structured errors
(kind, instance path, schema path) are turned here into positioned, friendly findings, so no
record can pass because two engines disagree. Numbers JSON cannot hold (.nan, .inf, 1e400)
are findings of their own, with a line.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from . import package_data
from .issues import Issue
from .loading import PathElem, RecordFile, format_path, leaves
from .schema import nested_class as schema_nested_class
from .schema import slot as schema_slot
from .yaml_core import shown

JSON_TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
              "array": "a list", "object": "a mapping of field: value", "null": "nothing"}


@cache
def json_schema() -> dict[str, Any]:
    text = package_data.read_text("_generated/respirocell.schema.json")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def _validator(kind: str) -> Any:
    import jsonschema_rs

    doc = json_schema()
    return jsonschema_rs.validator_for({"$schema": doc["$schema"], "$defs": doc["$defs"], "$ref": f"#/$defs/{kind}"})


def _subschema(schema_path: list[Any]) -> dict[str, Any]:
    """The schema object that holds the failing keyword (schema paths are absolute here)."""
    node: Any = json_schema()
    for elem in schema_path[:-1]:
        if isinstance(node, dict) and elem in node:
            node = node[elem]
        elif isinstance(node, list) and isinstance(elem, int) and elem < len(node):
            node = node[elem]
        else:
            return {}
    return node if isinstance(node, dict) else {}


def _finite(value: Any) -> bool:
    """False if a number JSON cannot hold (.nan, .inf, 1e400) is anywhere in ``value``."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def non_finite(data: Any) -> Iterator[tuple[tuple[PathElem, ...], float]]:
    return ((path, value) for path, value in leaves(data) if isinstance(value, float) and not math.isfinite(value))


def check_record(record: RecordFile) -> list[Issue]:
    """Schema findings for one parsed record whose kind is known."""
    assert record.kind is not None and record.parsed
    bad = {} if _finite(record.data) else dict(non_finite(record.data))
    issues = [_issue(record, "non-finite-number", f"{value} is not a finite number", path,
                     suggestion="write the number as the source prints it") for path, value in bad.items()]
    validator = _validator(record.kind)
    if not validator.is_valid(record.data):
        for error in validator.iter_errors(record.data):
            if tuple(error.instance_path) not in bad:
                issues.extend(_translate(record, error))
    return issues


def _issue(record: RecordFile, code: str, message: str, path: tuple[Any, ...], *, at_key: bool = False,
           suggestion: str | None = None, locate_path: tuple[Any, ...] | None = None) -> Issue:
    line, column = record.locate(locate_path if locate_path is not None else path, at_key=at_key)
    return Issue(code=code, message=message, file=record.display, line=line, column=column,
                 path=format_path(path), record_id=record.record_id, suggestion=suggestion)


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


@lru_cache(maxsize=4096)
def _closest(word: str, options: tuple[str, ...]) -> str | None:
    """The allowed value a mistyped one most likely meant (cached: one typo, copied into a
    thousand records after a schema change, is looked up once)."""
    wanted = _norm(word)
    for option in options:
        if wanted == _norm(option):
            return option
    matches = difflib.get_close_matches(wanted, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _field_name(path: tuple[Any, ...]) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "the record"


def _translate(record: RecordFile, error: Any) -> Iterator[Issue]:
    path = tuple(error.instance_path)
    kind, detail = error.kind.name, error.kind.as_dict()
    schema_path = list(error.schema_path)
    schema = _subschema(schema_path)
    instance = error.instance
    description = schema.get("description")
    expected = f" Expected: {description}" if description else ""

    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for name in sorted(detail.get("unexpected", [])):
            guess = _closest(name, tuple(allowed))
            yield _issue(
                record, "unknown-field", f"'{shown(name)}' is not a field of {_where(path)}", (*path, name),
                at_key=True,
                suggestion=(f"did you mean '{guess}'?" if guess else f"allowed fields here: {', '.join(allowed)}"))
    elif kind == "required" and isinstance(instance, dict):
        name = detail["property"]
        hint = schema.get("properties", {}).get(name, {}).get("description")
        yield _issue(record, "missing-required", f"required field '{name}' is missing from {_where(path)}",
                     (*path, name), locate_path=path, suggestion=f"add '{name}:'" + (f" - {hint}" if hint else ""))
    elif kind == "enum":
        options = [str(o) for o in detail.get("options", [])]
        guess = _closest(str(instance), tuple(options)) if isinstance(instance, str) else None
        listed = ", ".join(options) if len(options) <= 16 else ", ".join(options[:16]) + ", ..."
        yield _issue(record, "invalid-enum", f"{shown(repr(instance))} is not an allowed value of "
                     f"'{_field_name(path)}'", path,
                     suggestion=(f"did you mean '{guess}'?" if guess else f"use one of: {listed}"))
    elif kind == "type":
        yield _type_issue(record, path, instance, detail.get("types", []), description)
    elif kind == "pattern":
        yield _issue(record, "invalid-format",
                     f"{shown(repr(instance))} does not have the form '{_field_name(path)}' needs.{expected}",
                     path, suggestion=_pattern_hint(instance, _form_of(schema_path)))
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = "at least" if "inimum" in kind else "at most"
        yield _issue(record, "out-of-range",
                     f"{shown(repr(instance))} is out of range for '{_field_name(path)}': it must be {bound} "
                     f"{detail.get('limit')}", path, suggestion=description)
    elif kind == "anyOf" and _all_text_patterns(schema.get("anyOf")):
        # Several accepted forms of one text value (a date as YYYY-MM-DD, YYYY-MM or YYYY).
        if isinstance(instance, str):
            yield _issue(record, "invalid-format", f"{shown(repr(instance))} does not have the form "
                         f"'{_field_name(path)}' needs.{expected}", path,
                         suggestion=_pattern_hint(instance, _form_of(schema_path)))
        else:
            yield _type_issue(record, path, instance, ["string"], description)
    elif kind == "minItems":
        yield _issue(record, "missing-required", f"'{_field_name(path)}' is an empty list but needs at least "
                     f"{detail.get('limit')} item(s)", path, suggestion=f"add an item.{expected}")
    else:
        yield _issue(record, "schema-violation", shown(error.message, 200), path)


def _all_text_patterns(branches: Any) -> bool:
    return isinstance(branches, list) and bool(branches) and all(
        isinstance(b, dict) and b.get("type") == "string" and "pattern" in b for b in branches)


def _where(path: tuple[Any, ...]) -> str:
    return f"'{format_path(path)}'" if path else "the record"


def _type_issue(record: RecordFile, path: tuple[Any, ...], instance: Any, types: list[str],
                description: str | None) -> Issue:
    wanted = " or ".join(JSON_TYPES.get(str(t), str(t)) for t in types)
    name = _field_name(path)
    if instance is None:
        optional = "fill it in, or delete the line if the source does not give it"
        return _issue(record, "empty-value", f"'{name}' has no value; expected {wanted}", path,
                      suggestion="fill it in (it is required here)" if _required(record, path) else optional)
    got = _describe(instance)
    suggestion = None
    if "string" in types and isinstance(instance, (int, float)) and not isinstance(instance, bool):
        suggestion = f"put the value in quotes: {name}: \"{instance}\""
    elif "string" in types and isinstance(instance, bool):
        suggestion = f"put the value in quotes: {name}: \"{str(instance).lower()}\""
    elif types[0] in ("number", "integer") and isinstance(instance, str):
        suggestion = _number_hint(instance)
    elif "boolean" in types and isinstance(instance, str) and instance.lower() in ("yes", "no", "on", "off", "y", "n"):
        word = "true" if instance.lower() in ("yes", "on", "y") else "false"
        suggestion = f"write {word} (respirocell reads YAML 1.2: only true/false are booleans)"
    elif "array" in types and not isinstance(instance, (list, dict)):
        suggestion = f"write it as a list: {name}: [{str(instance).strip('[] ')}]"
    elif "object" in types and description:
        suggestion = description
    return _issue(record, "wrong-type", f"'{name}' should be {wanted}, not {got}", path, suggestion=suggestion)


def _required(record: RecordFile, path: tuple[Any, ...]) -> bool:
    """Whether the field at ``path`` is a required one of the class that holds it."""
    cls: str | None = record.kind
    for elem in path[:-1]:
        if isinstance(elem, str):
            cls = schema_nested_class(cls, elem)
    found = schema_slot(cls, str(path[-1])) if cls and path and isinstance(path[-1], str) else None
    return bool(found and found.required)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {shown(repr(value))}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _number_hint(text: str) -> str | None:
    cleaned = text.replace(",", "").replace(" ", "").replace("_", "")
    sci = re.fullmatch(r"([0-9.]+)[x\u00d7*]10\^?([0-9]+)", cleaned)  # 2x10^6, 2*10^6, or with a multiplication sign
    if sci:
        return f"write it as {sci.group(1)}e{sci.group(2)} (a number, without quotes)"
    try:
        float(cleaned)
    except ValueError:
        return "write a plain number; put units and comments in the fields meant for them"
    return f"write it as {cleaned} (without quotes, commas or spaces)"


def _form_of(schema_path: list[Any]) -> str:
    """What a failing pattern belongs to, by its name in the schema: the slot's type when the
    type carries the pattern (RecordId, Duration, IsoDate ...), else the slot (doi, pmid, orcid).
    Schema paths here are absolute: $defs / class / properties / slot / ..."""
    if len(schema_path) < 4 or schema_path[0] != "$defs" or schema_path[2] != "properties":
        return ""
    slot = schema_slot(str(schema_path[1]), str(schema_path[3]))
    return (slot.pattern_type or slot.name) if slot is not None else ""


def _pattern_hint(value: Any, form: str) -> str | None:
    """How to write ``value`` in the form the schema names ``form``."""
    if not isinstance(value, str):
        return None
    if form == "doi" and "doi.org/" in value:
        return f"drop the link prefix: {value.split('doi.org/', 1)[1]}"
    if form == "doi" and value.lower().startswith("doi:"):
        return f"drop the 'doi:' prefix: {value[4:].strip()}"
    if form == "RecordId":
        from .templates import suggest_id

        found = suggest_id(value)
        return f"use lower-case letters, digits and hyphens, e.g. '{found}'" if found else None
    if form == "CountryCode":
        from .identifiers import country_code

        code = country_code(value)
        return f"use the two-letter ISO 3166-1 code in capitals: '{code}'" if code else \
            "use the two-letter ISO 3166-1 code of the country in capitals, such as 'GB' for the United Kingdom"
    if form == "Duration":
        return "write durations like P28D (28 days), P6M (6 months), P1Y (1 year), PT48H (48 hours)"
    if form in ("IsoDate", "YearMonth", "Year"):
        return "write dates as YYYY-MM-DD (or YYYY-MM / YYYY where allowed), e.g. 2013-05-01"
    if form == "orcid":
        bare = value.rsplit("/", 1)[-1]
        return f"write only the iD, e.g. {bare}" if bare != value else "write the iD as 0000-0002-1825-0097"
    if form == "pmcid":
        return f"write it as PMC followed by digits, e.g. PMC{re.sub(r'[^0-9]', '', value) or '3747729'}"
    if form == "pmid":
        digits = re.sub(r"[^0-9]", "", value)
        return f"give only the digits: \"{digits}\"" if digits else None
    return None
