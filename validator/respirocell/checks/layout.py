"""Where a record lives: its file name is its id, its folder is its kind, ids are unique."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from .. import schema
from ..corpus import Corpus
from ..issues import Issue
from ..loading import RecordFile
from ._util import Anchor, issue


@cache
def _telltale() -> dict[str, frozenset[str]]:
    """Fields that only one kind of record has, which tell a misplaced record's kind."""
    own = {k.name: frozenset(schema.slots(k.name)) for k in schema.kinds()}
    return {name: fields - frozenset().union(*(f for n, f in own.items() if n != name))
            for name, fields in own.items()}


def guess_kind(data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    scores = {kind: len(fields & data.keys()) for kind, fields in _telltale().items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else None


def folder_issue(record: RecordFile) -> Issue | None:
    """A record outside a kind folder, or in the wrong one. Returned before schema checks run."""
    guess = guess_kind(record.data)
    name = record.path.name
    if record.kind is None:
        folders = [f"records/{k.folder}/" for k in schema.kinds()]
        where = f"records/{schema.kind(guess).folder}/{name}" if guess else \
            f"{', '.join(folders[:-1])} or {folders[-1]}"
        return issue(record, "unknown-kind", f"'{record.path.parent.name}/' is not a record folder, so the kind of "
                     "this record is unknown", suggestion=f"move the file to {where}")
    if guess and guess != record.kind and _is_clear(record.data, guess, record.kind):
        folder = schema.kind(record.kind).folder
        return issue(record, "wrong-folder", f"this looks like a {guess} record but sits in {folder}/",
                     suggestion=f"move it to records/{schema.kind(guess).folder}/{name}")
    return None


def _is_clear(data: object, guess: str, kind: str) -> bool:
    assert isinstance(data, dict)
    return not (_telltale()[kind] & data.keys())


#: Ids that name pages of the catalog site (``studies/index.html`` lists the studies): no record
#: may take one, or its page and the list would be one file.
RESERVED_IDS = frozenset({"index"})


def check_layout(record: RecordFile) -> Iterator[Issue]:
    rid = record.record_id
    if rid in RESERVED_IDS:
        yield issue(record, "invalid-format", f"the id '{rid}' is reserved: it names the list pages of the site",
                    ("id",), suggestion="choose a descriptive id (and file name), as docs/curation-brief.md says")
    if rid and rid != record.stem:
        from ..templates import id_pattern, suggest_id

        fixes = [f"rename the file to {rid}.yaml"] if id_pattern().fullmatch(rid) and rid not in RESERVED_IDS else []
        stem = record.stem if id_pattern().fullmatch(record.stem) else suggest_id(record.stem)
        if stem is not None and stem != rid and stem not in RESERVED_IDS:  # only an id that can be one
            fixes.append(f"set id: {stem}" + ("" if stem == record.stem else f" and rename the file to {stem}.yaml"))
        yield issue(record, "id-mismatch", f"the id '{rid}' differs from the file name '{record.path.name}'", ("id",),
                    suggestion=", or ".join(fixes) or "give the record a valid id and name its file after it")


def anchors(record: RecordFile) -> Iterator[Anchor]:
    yield ("id",), False


def check_duplicate_ids(corpus: Corpus) -> Iterator[Issue]:
    ids = corpus.shared_ids()
    for record in corpus.targets:
        rid = record.record_id
        if not rid or rid not in ids:
            continue
        others = sorted(f for _, f in ids[rid] if f != record.display)
        yield issue(record, "duplicate-id", f"the id '{rid}' is also used by {', '.join(others)}", ("id",),
                    suggestion="ids are unique across all records; choose another id (and file name)")
