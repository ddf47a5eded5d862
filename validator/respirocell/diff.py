"""What changed in the evidence between two corpora: a diff of parsed records, never of YAML text.

Each side is a folder of records or a git ref, parsed as ``validate`` parses them and compared as
data, so formatting, comments and key order never show. Lists of objects are matched by a stable
key (``LIST_KEYS``), so reordering them is no change; lists of plain values are compared without
order. A ref is verified (``changes.resolve_ref``) and only its commit id reaches git; its files are
read with ``git ls-tree``/``git cat-file`` into a temporary folder (not ``git archive``, whose
``export-ignore`` attribute a pull request could set to hide a file from its own diff).

The JSON rendering is a versioned object::

    {"version": 1,
     "old": {"source": "git", "ref": "v2026.01.1", "commit": "<sha>"} | {"source": "folder", "path": "..."},
     "new": ..., "summary": {"added": 1, "removed": 1, "changed": 2},
     "records": [{"kind": "Study", "id": "...", "label": "<title or name>", "change": "added" | "removed" | "changed",
                  "old": <record, when removed>, "new": <record, when added>,
                  "fields": [{"path": "arms[id=msc].dose.value", "change": "added" | "removed" | "changed",
                              "old": <value or null>, "new": <value or null>}]}],
     "unreadable": ["studies/broken.yaml: <why>"]}

Records are sorted by kind (studies, cell sources, conditions), then id.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import schema
from .changes import ChangeError, copy_records, resolve_ref, run_git, toplevel
from .loading import RecordFile, discover, kind_of, load_file
from .reporters import clean, no_command

JSON_VERSION = 1
#: (kind, id): a record's identity on both sides. A record whose id changed is removed and added.
RecordKey = tuple[str, str]
#: A step in a field path: a field name, a list position, or a list item named by (key field, value).
Step = str | int | tuple[str, str]
#: The fields that identify an item in a list of objects, tried in order; see the module doc.
LIST_KEYS: dict[str, tuple[str, ...]] = {"arms": ("id",), "outcomes": ("id",), "registrations": ("trial_id",),
                                         "publications": ("doi", "pmid", "pmcid", "citation"),
                                         "curators": ("orcid", "name"), "sources": ("source",)}


class DiffError(ChangeError):
    """A side cannot be read (no records folder, a ref outside the repository): a usage error,
    as is any ChangeError of git's."""


@dataclass(frozen=True)
class FieldChange:
    path: tuple[Step, ...]
    change: str  # added | removed | changed
    old: Any = None
    new: Any = None

    @property
    def where(self) -> str:
        """('arms', ('id', 'msc'), 'dose') -> 'arms[id=msc].dose'."""
        return "".join(f"[{s[0]}={s[1]}]" if isinstance(s, tuple) else f"[{s}]" if isinstance(s, int)
                       else f".{s}" if n else s for n, s in enumerate(self.path))


@dataclass
class RecordChange:
    kind: str
    id: str
    change: str  # added | removed | changed
    label: str | None
    fields: list[FieldChange] = field(default_factory=list)  # of a changed record
    data: Any = None  # the whole record, when added or removed


@dataclass
class Changes:
    records: list[RecordChange] = field(default_factory=list)
    old: dict[str, str] = field(default_factory=dict)  # how each side was read (see the module doc)
    new: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for r in self.records if r.change == change)


@dataclass
class Side:
    records: dict[RecordKey, Any] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # "<file>: <why>"
    unread: set[RecordKey] = field(default_factory=set)  # the keys of the files that could not be read


def comparable(before: Side, after: Side) -> tuple[dict[RecordKey, Any], dict[RecordKey, Any]]:
    """The records of the two sides without those unreadable on either: a record that cannot be
    read is not compared (it is listed as such), never taken for one removed or added."""
    skip = before.unread | after.unread
    return ({k: v for k, v in before.records.items() if k not in skip},
            {k: v for k, v in after.records.items() if k not in skip})


def records_by_key(records: Iterable[RecordFile], root: Path | None = None) -> Side:
    """Parsed records by (kind, id), and the files that could not be used (ones outside kind folders are no records)."""
    side = Side()
    for record in (r for r in records if r.kind is not None):
        name = record.path.relative_to(root).as_posix() if root else record.display
        key = (record.kind or "", record.record_id or record.stem)
        if not record.parsed:
            side.unreadable.append(f"{name}: {record.problems[0].message if record.problems else 'not a record'}")
            side.unread.add(key)
        elif key in side.records:
            side.unreadable.append(f"{name}: a second record with the id '{key[1]}' (ignored)")
        else:
            side.records[key] = record.data
    return side


def _read_folder(folder: Path) -> Side:
    return records_by_key((load_file(p, folder.resolve()) for p in discover([folder])), folder)


def _read_ref(commit: str, records: Path, repo: Path) -> Side:
    """The records under ``records`` (a folder of the working tree) as they are at ``commit``."""
    if not records.resolve().is_relative_to(repo.resolve()):
        raise DiffError(f"{records} is not inside the git repository {repo}")
    inside = records.resolve().relative_to(repo.resolve())
    with tempfile.TemporaryDirectory(prefix="respirocell-diff-") as tmp:
        skipped = copy_records(commit, inside, repo, Path(tmp))
        if skipped is None and not records.is_dir():  # a mistyped --records: in neither the ref nor the tree
            raise DiffError(f"there are no records at {inside.as_posix() or '.'}/ in commit {commit[:12]} nor in "
                            "the working tree; check --records")
        side = _read_folder(Path(tmp, inside)) if Path(tmp, inside).is_dir() else Side()  # none yet at this commit
    left_out = skipped or []  # as records_by_key words them, and never compared
    return replace(side, unreadable=sorted([f"{p.as_posix()}: {why}" for p, why in left_out] + side.unreadable),
                   unread=side.unread | {(kind, p.name.rsplit(".", 1)[0]) for p, _ in left_out
                                         if (kind := kind_of(inside / p)) is not None})


def default_base(repo: Path) -> str:
    """The merge base of HEAD with the default branch (origin's HEAD, else main or master)."""
    for name in ["origin/HEAD", "origin/main", "origin/master", "main", "master"]:
        try:
            branch = resolve_ref(name, repo)
        except ChangeError:
            continue
        return run_git(["merge-base", "HEAD", branch], repo).decode().strip()
    raise ChangeError("no default branch (origin/HEAD, main or master) to compare with; give OLD")


def read_side(spec: str | None, records: Path = Path("records"), *, old: bool = False) -> Side:
    """Read one side: ``spec`` is a folder (it wins over a ref of the same name) or a git ref; a
    ref is read at ``records`` inside the repository. None: the merge base with the default branch
    (``old``) or the working tree's ``records``."""
    if spec is None and not old and not records.is_dir():
        raise DiffError(f"there is no {records} folder here; run from the repository root, or give --records or NEW")
    spec = str(records) if spec is None and not old else spec
    if spec and Path(spec).is_dir():  # not "": Path("") is the current folder
        return replace(_read_folder(Path(spec)), about={"source": "folder", "path": spec})
    try:
        repo = toplevel(records)
    except ChangeError:
        raise DiffError(f"{spec!r} is not a folder, and {records} is not in a git repository to read a ref from"
                        if spec is not None else "not in a git repository; give OLD") from None
    try:
        commit = default_base(repo) if spec is None else resolve_ref(spec, repo)
    except ChangeError as exc:
        raise DiffError(str(exc)) from None
    return replace(_read_ref(commit, records, repo), about={"source": "git", "ref": spec or "merge-base",
                                                            "commit": commit})


def diff_sides(old: str | None, new: str | None, records: Path = Path("records")) -> Changes:
    """The diff the ``diff`` command shows: OLD and NEW as folders or refs (see ``read_side``)."""
    before, after = read_side(old, records, old=True), read_side(new, records)
    changes = diff_corpora(*comparable(before, after))
    changes.old, changes.new = before.about, after.about
    changes.unreadable = [f"old: {u}" for u in before.unreadable] + [f"new: {u}" for u in after.unreadable]
    return changes


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same type (1, 1.0 and true differ: the exports write them differently)."""
    nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return type(a) is type(b) and (nan or bool(a == b))


def _order(cls: str | None, keys: Iterable[str]) -> list[str]:
    """Keys in schema order, unknown ones after them by name: the order never follows a file's."""
    try:
        known = list(schema.slots(cls)) if cls else []
    except KeyError:
        known = []
    return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))


def _compare(old: Any, new: Any, path: tuple[Step, ...], cls: str | None, out: list[FieldChange]) -> None:
    """Append the changes from ``old`` to ``new`` at ``path``; ``cls`` is the schema class of the
    value (of a list's items, for a list), or None where the schema does not say."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _order(cls, old.keys() | new.keys()):
            sub = (*path, key)
            if key not in new or key not in old:
                out.append(FieldChange(sub, "removed" if key not in new else "added", old.get(key), new.get(key)))
            else:
                _compare(old[key], new[key], sub, schema.nested_class(cls, key), out)
    elif isinstance(old, list) and isinstance(new, list):
        name = next((s for s in reversed(path) if isinstance(s, str)), "")
        if name in LIST_KEYS and all(isinstance(i, dict) for i in [*old, *new]):
            _compare_keyed(old, new, path, LIST_KEYS[name], cls, out)
        elif all(not isinstance(i, dict | list) for i in [*old, *new]):
            if Counter(map(repr, old)) != Counter(map(repr, new)):  # repr: 1, 1.0 and True differ
                out.append(FieldChange(path, "changed", old, new))
        elif len(old) != len(new):
            out.append(FieldChange(path, "changed", old, new))
        else:
            for i, (a, b) in enumerate(zip(old, new, strict=True)):
                _compare(a, b, (*path, i), cls, out)
    elif not _same(old, new):
        out.append(FieldChange(path, "changed", old, new))


def _compare_keyed(old: list[dict[str, Any]], new: list[dict[str, Any]], path: tuple[Step, ...],
                   keys: tuple[str, ...], cls: str | None, out: list[FieldChange]) -> None:
    """Match items by the first key field whose value is unique on both sides, then compare pairs."""
    pairs: dict[int, tuple[int, Step]] = {}  # new position -> (old position, the key they share)
    for key in keys:
        olds, news = _unique(old, key, {o for o, _ in pairs.values()}), _unique(new, key, set(pairs))
        pairs.update({news[v]: (olds[v], (key, v)) for v in news.keys() & olds.keys()})

    def step(item: dict[str, Any], position: int) -> Step:
        found = next((k for k in keys if item.get(k) is not None), None)
        return (found, str(item[found])) if found else position

    for n, item in enumerate(new):
        if n in pairs:
            _compare(old[pairs[n][0]], item, (*path, pairs[n][1]), cls, out)
        else:
            out.append(FieldChange((*path, step(item, n)), "added", new=item))
    matched = {o for o, _ in pairs.values()}
    out.extend(FieldChange((*path, step(item, n)), "removed", old=item) for n, item in enumerate(old)
               if n not in matched)


def _unique(items: list[dict[str, Any]], key: str, taken: set[int]) -> dict[str, int]:
    """Value of ``key`` -> position, for the items not yet matched whose value no other one shares."""
    found = [(str(i[key]), n) for n, i in enumerate(items) if n not in taken and i.get(key) is not None]
    counts = Counter(value for value, _ in found)
    return {value: n for value, n in found if counts[value] == 1}


def _label(data: Any) -> str | None:
    value = (data.get("title") or data.get("name") or data.get("product_name")) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def diff_corpora(old: dict[RecordKey, Any], new: dict[RecordKey, Any]) -> Changes:
    """Per record: added, removed, or changed with the field paths that changed."""
    rank = {k.name: n for n, k in enumerate(schema.kinds())}
    out = Changes()
    for key in sorted(old.keys() | new.keys(), key=lambda k: (rank.get(k[0], len(rank)), k[0], k[1])):
        if key not in new or key not in old:
            data = old[key] if key not in new else new[key]
            out.records.append(RecordChange(*key, "removed" if key not in new else "added", _label(data), data=data))
            continue
        fields: list[FieldChange] = []
        _compare(old[key], new[key], (), key[0], fields)
        if fields:
            out.records.append(RecordChange(*key, "changed", _label(new[key]), fields))
    return out


MAX_VALUE = 160  # longest value shown in text and Markdown; JSON holds the whole value
_MARKS = {"added": ("+", "32"), "removed": ("-", "31"), "changed": ("~", "33")}


def _value(value: Any, limit: int = MAX_VALUE) -> str:
    """A value as compact JSON (so "1" and 1 differ), cut short, control characters escaped."""
    return clean(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), limit)


def _shown(f: FieldChange) -> tuple[str, str]:
    """Old and new value for people: long text from before its first difference; of lists, what each lacks."""
    old, new = f.old, f.new
    if isinstance(old, list) and isinstance(new, list):
        return (" ".join(f"-{_value(v)}" for v in old if v not in new),
                " ".join(f"+{_value(v)}" for v in new if v not in old))
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > MAX_VALUE:
        same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        start = max(0, same - 40)
        old, new = (("…" if start else "") + text[start:] for text in (old, new))
    return _value(old), _value(new)


def _change(f: FieldChange) -> str:
    if f.change != "changed":
        return f"added {_value(f.new)}" if f.change == "added" else f"removed (was {_value(f.old)})"
    old, new = _shown(f)
    return f"{old} {new}".strip() if isinstance(f.old, list) and isinstance(f.new, list) else f"{old} -> {new}"


def _side(about: dict[str, str]) -> str:
    return clean(f"{about['ref']} ({about['commit'][:12]})" if about.get("source") == "git" else about["path"], 100)


def summary_line(changes: Changes) -> str:
    return ", ".join(f"{changes.count(c)} {c}" for c in ("added", "removed", "changed"))


def render_text(changes: Changes, *, color: bool = False) -> str:
    """Lines for a terminal: + added, - removed, ~ changed records, each changed field indented."""
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lines = [f"{_side(changes.old)} -> {_side(changes.new)}: {summary_line(changes)}"] if changes.old else []
    for r in changes.records:
        mark, code = _MARKS[r.change]
        label = f"  {clean(r.label, 100)}" if r.label else ""
        lines.append(paint(f"{mark} {schema.kind(r.kind).label} {clean(r.id, 100)}", code) + label)
        lines += [f"    {clean(f.where, 120)}: {_change(f)}" for f in r.fields]
    lines += [paint(f"not compared: {clean(u)}", "2") for u in changes.unreadable]
    return "".join(no_command(line) + "\n" for line in lines)


def _md(text: str) -> str:
    """Text for Markdown: punctuation that would format it, or end a table cell, escaped; and an
    '@' followed by a zero-width space, so record text mentions no one in release notes and step
    summaries (GitHub would notify '@user' and '@org/team')."""
    return re.sub(r"([\\`*_\[\]<>|~&#!])", r"\\\1", clean(text)).replace("@", "@&#8203;")


def _code(text: str) -> str:
    """``text`` as a code span in a table cell (where a pipe still needs its backslash)."""
    return _md(text) if "`" in text or not text else f"`{clean(text).replace('|', chr(92) + '|')}`"


def render_markdown(changes: Changes, *, heading: str = "###", title: str = "Changes in the evidence") -> str:
    """A pull-request summary or a changelog section: added and removed records as lists, each
    changed record with a table of field, change, old value and new value."""
    sides = f" ({_md(_side(changes.old))} → {_md(_side(changes.new))})" if changes.old else ""
    out = [f"{heading} {title}", "", f"{summary_line(changes)}{sides}.", ""]

    def name(r: RecordChange) -> str:
        return f"{schema.kind(r.kind).label} {_code(r.id)}" + (f": {_md(r.label)}" if r.label else "")

    for change in ("added", "removed"):
        items = [f"- {name(r)}" for r in changes.records if r.change == change]
        out += [f"**{change.capitalize()}**", "", *items, ""] if items else []
    for r in (r for r in changes.records if r.change == "changed"):
        out += [f"**Changed** {name(r)}", "", "| Field | Change | Old | New |", "| --- | --- | --- | --- |"]
        out += [f"| {_code(f.where)} | {f.change} | {_code(_shown(f)[0]) if f.change != 'added' else ''} | "
                f"{_code(_shown(f)[1]) if f.change != 'removed' else ''} |" for f in r.fields] + [""]
    unread = [f"- {_md(u)}" for u in changes.unreadable]
    return "\n".join(out + (["**Not compared** (files that could not be read)", "", *unread, ""] if unread else []))


def json_document(changes: Changes) -> dict[str, Any]:
    """The versioned JSON object described in the module doc."""
    records = [{"kind": r.kind, "id": r.id, "label": r.label, "change": r.change} | (
        {"fields": [{"path": f.where, "change": f.change, "old": f.old, "new": f.new} for f in r.fields]}
        if r.change == "changed" else {"old" if r.change == "removed" else "new": r.data})
        for r in changes.records]
    return {"version": JSON_VERSION, "old": changes.old, "new": changes.new,
            "summary": {c: changes.count(c) for c in ("added", "removed", "changed")},
            "records": records, "unreadable": changes.unreadable}


def render_json(changes: Changes) -> str:
    return json.dumps(_json_safe(json_document(changes)), indent=2, ensure_ascii=False, sort_keys=True,
                      default=str, allow_nan=False) + "\n"


def _json_safe(value: Any) -> Any:
    """``value`` with numbers JSON cannot hold (a record's .nan, .inf or 1e400, which validation
    refuses but a diff may meet) written as YAML spells them: text, never invalid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value
