"""Commented record templates for ``respirocell new``, built from the generated JSON Schema.

A template lists a record's fields - required ones first, then the rest, each in schema
order - and puts above each field the schema's description and, for a choice, the values
allowed. Nothing in a template passes validation until a curator fills it in:

* a field whose schema rejects the text ``TODO`` (a choice, a pattern, a number, a
  true/false) gets ``TODO`` as its placeholder, so the validator names the allowed form;
* any other field is left empty with a ``# TODO`` comment, which the validator reports as
  an empty value - a placeholder text would pass as a real title or name.

Only ``id`` (given) and ``curation.created`` (today) are filled in: they are bookkeeping,
not facts read in a source.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from . import schema
from .fsio import write_atomic
from .identifiers import slug

COMMENT_WIDTH = 90
PLACEHOLDER = "TODO"


class InvalidRecordId(ValueError):
    """The id cannot be a record id; ``suggestion`` is a slug that can, if there is one."""

    def __init__(self, record_id: str, suggestion: str | None, reason: str | None = None) -> None:
        from .reporters import clean  # the id comes from the command line: echoed escaped

        hint = f", for example '{suggestion}'" if suggestion else ""
        super().__init__(f"'{clean(record_id, 120)}' is not a valid record id: "
                         f"{reason or 'use lower-case letters, digits and single hyphens'}{hint}")
        self.record_id, self.suggestion = record_id, suggestion


#: Longest record id: it is a file name too, and file names are limited (255 bytes on most systems).
MAX_ID_LENGTH = 100


def schema_class(kind: str) -> str:
    """'study' or 'Study' -> 'Study'."""
    found = schema.kind_of_cli_name(kind) or next((k for k in schema.kinds() if k.name == kind), None)
    if found is None:
        names = ", ".join(k.cli_name for k in schema.kinds())
        raise ValueError(f"unknown record kind '{kind}'; use one of: {names}")
    return found.name


def _defs() -> dict[str, Any]:
    from .schema_check import json_schema

    return json_schema()["$defs"]  # type: ignore[no-any-return]


@cache
def id_pattern() -> re.Pattern[str]:
    return re.compile(_defs()["Record"]["properties"]["id"]["pattern"])


def suggest_id(text: str) -> str | None:
    """A valid record id close to ``text`` ('START Phase 2' -> 'start-phase-2'), if any."""
    found = slug(text)
    return found if found and id_pattern().fullmatch(found) else None


def check_id(record_id: str) -> None:
    from .checks.layout import RESERVED_IDS

    if record_id in RESERVED_IDS:
        raise InvalidRecordId(record_id, None, "it is reserved for the list pages of the site")
    if not id_pattern().fullmatch(record_id):
        raise InvalidRecordId(record_id, suggest_id(record_id))
    if len(record_id) > MAX_ID_LENGTH:
        raise InvalidRecordId(record_id, suggest_id(record_id[:MAX_ID_LENGTH].rstrip("-")))


def target_path(records_root: Path, kind: str, record_id: str) -> Path:
    """Where record ``record_id`` of ``kind`` lives: ``<records_root>/<folder>/<id>.yaml``."""
    return records_root / schema.kind(schema_class(kind)).folder / f"{record_id}.yaml"


def existing_record(records_root: Path, record_id: str) -> Path | None:
    """A file of any kind that already uses ``record_id``: ids are unique across the registry."""
    for folder in (k.folder for k in schema.kinds()):
        for suffix in (".yaml", ".yml"):
            path = records_root / folder / f"{record_id}{suffix}"
            if path.exists():
                return path
    return None


def create_record(records_root: Path, kind: str, record_id: str, *, today: dt.date | None = None) -> Path:
    """Write the template of a new record and return its path.

    Raises InvalidRecordId for an id that cannot be one, and FileExistsError when a record
    with that id exists (in any folder): a template never overwrites a record.
    """
    check_id(record_id)
    path = target_path(records_root, kind, record_id)
    clash = existing_record(records_root, record_id)
    if clash is not None:
        raise FileExistsError(f"{clash} already exists; record ids are unique across the registry, so choose "
                              "another id or edit that file")
    text = render_template(kind, record_id, today=today)
    path.parent.mkdir(exist_ok=True)
    try:
        write_atomic(path, text.encode("utf-8"), exclusive=True)  # never replace a file
    except FileExistsError:
        raise FileExistsError(f"{path} already exists; choose another id or edit that file") from None
    return path


# -- rendering -----------------------------------------------------------------------------

def render_template(kind: str, record_id: str, *, today: dt.date | None = None) -> str:
    """The commented template of a new ``kind`` record (study, cell-source, condition)."""
    cls = schema_class(kind)
    check_id(record_id)
    command = schema.kind(cls).cli_name
    path = f"records/{schema.kind(cls).folder}/{record_id}.yaml"
    lines = _comment(f"New {cls} record '{record_id}', written by `respirocell new {command} {record_id}`.", 0)
    lines += ["#", *_comment(
        "Replace every TODO with what a source you cite in this record says, and delete each "
        "(recommended) or (optional) field that no such source gives: never guess a value. A (required) "
        "field inside an optional block is required only if you keep the block. To add a list item "
        "(another arm, outcome, source ...), copy the item from its '- ' line down. Then check and tidy "
        "the record:", 0)]
    lines += [f"#   respirocell validate {path}", f"#   respirocell fmt {path}",
              "# docs/curation-brief.md explains the format and the rules of honesty.", ""]
    values = {(cls, "id"): record_id, ("Curation", "created"): (today or dt.date.today()).isoformat()}
    _fields(cls, 0, lines, values)
    return "\n".join(lines) + "\n"


def template_order(cls: str) -> list[str]:
    """Required fields first, then the others, each in schema order; a record's own id first and
    its notes and curation last, as in every record."""
    from .schema import LEADING_FIELDS, TRAILING_FIELDS

    names = list(schema.slots(cls))
    required = {s.name for s in schema.slots(cls).values() if s.required}
    if cls not in {k.name for k in schema.kinds()}:
        return [n for n in names if n in required] + [n for n in names if n not in required]
    lead = [n for n in names if n in LEADING_FIELDS]
    trail = [n for n in names if n in TRAILING_FIELDS]
    middle = [n for n in names if n not in lead and n not in trail]
    return lead + [n for n in middle if n in required] + [n for n in middle if n not in required] + trail


def _fields(cls: str, indent: int, lines: list[str], values: dict[tuple[str, str], str], *,
            item: bool = False) -> None:
    """Append the lines of a mapping of class ``cls`` whose keys start at column ``indent``.

    ``values`` fills in (class, field) pairs instead of a placeholder. With ``item`` the mapping
    is a list item: its first key carries the '- ' just before it.
    """
    for position, name in enumerate(template_order(cls)):
        prop = _defs().get(cls, {}).get("properties", {}).get(name) or {}
        slot = schema.slots(cls)[name]
        status = "required" if slot.required else "recommended" if slot.recommended else "optional"
        target = schema.nested_class(cls, name)
        is_list = prop.get("type") == "array"
        text = f"({status}) {prop.get('description', '')}".strip()
        if target is not None and is_list:
            text += " Add one item for each."
        dash = item and position == 0
        key_col = indent - 2 if dash else indent
        lines += _comment(text, key_col)
        choices = _choices(prop)
        if choices:
            lines += _comment("One of: " + " | ".join(choices), key_col)
        lead = " " * key_col + ("- " if dash else "")
        if (cls, name) in values:
            lines.append(f"{lead}{name}: {values[cls, name]}")
        elif target is not None:
            lines.append(f"{lead}{name}:")
            if is_list:
                _fields(target, indent + 4, lines, values, item=True)
            else:
                _fields(target, indent + 2, lines, values)
        else:
            placeholder = _placeholder(prop)
            lines.append(f"{lead}{name}: {placeholder}" if placeholder else f"{lead}{name}:  # {PLACEHOLDER}")


def _comment(text: str, indent: int) -> list[str]:
    room = max(COMMENT_WIDTH - indent - 2, 40)
    return [" " * indent + "# " + line for line in
            textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False)]


def _choices(prop: dict[str, Any]) -> list[str]:
    """The allowed values of a field (or of its items), if it is a choice."""
    items = prop.get("items")
    for holder in (prop, items if isinstance(items, dict) else {}):
        ref = holder.get("$ref")
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else ""
        enum = _defs().get(name, {}).get("enum") or holder.get("enum")
        if enum:
            return [str(v) for v in enum]
    return []


def _placeholder(prop: dict[str, Any]) -> str | None:
    """'TODO' (or '[TODO]' for a list) where the schema rejects that text; None where it would pass."""
    if prop.get("type") == "array":
        items = prop.get("items")
        return f"[{PLACEHOLDER}]" if isinstance(items, dict) and _rejects_todo(items) else None
    return PLACEHOLDER if _rejects_todo(prop) else None


def _rejects_todo(prop: dict[str, Any]) -> bool:
    import jsonschema_rs

    root = {"$defs": _defs(), **{k: v for k, v in prop.items() if k != "description"}}
    return not jsonschema_rs.Draft201909Validator(root).is_valid(PLACEHOLDER)
