"""Links between records: references resolve; one trial is one record unless a follow-up says so."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from .. import schema
from ..corpus import Corpus
from ..identifiers import study_identifiers
from ..issues import Issue
from ..loading import RecordFile
from ..templates import id_pattern
from ._util import Anchor, issue, items, text


def _references(record: RecordFile) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(path, target kind, id) for every reference in a study."""
    data = record.data
    conditions = data.get("conditions")
    if isinstance(conditions, list):
        for i, rid in enumerate(conditions):
            if isinstance(rid, str):
                yield ("conditions", i), "Condition", rid
    for i, arm in items(data, "arms"):
        if (rid := text(arm, "cell_source")) is not None:
            yield ("arms", i, "cell_source"), "CellSource", rid
        extra = arm.get("additional_cell_sources")
        if isinstance(extra, list):
            for j, rid in enumerate(extra):
                if isinstance(rid, str):
                    yield ("arms", i, "additional_cell_sources", j), "CellSource", rid
    if (rid := text(data, "follow_up_of")) is not None:
        yield ("follow_up_of",), "Study", rid


def check_references(record: RecordFile, corpus: Corpus) -> Iterator[Issue]:
    if record.kind != "Study":
        return
    for path, kind, rid in _references(record):
        kinds = corpus.kinds_of(rid)
        if kind in kinds:
            if kind == "Study" and rid == record.record_id:
                yield issue(record, "dangling-reference", "a study cannot be a follow-up of itself", path,
                            suggestion="follow_up_of names the earlier study's id; remove it from the first report")
            continue
        target = schema.kind(kind)
        label = target.label
        if kinds - {None}:
            other = schema.kind(str(next(iter(kinds - {None})))).label
            message = f"'{rid}' is a {other}, not a {label}"
        else:
            message = f"no {label} has the id '{rid}'"
        close = difflib.get_close_matches(rid, corpus.ids_of(kind), n=1, cutoff=0.6)
        if rid.upper().startswith("TODO"):  # a placeholder of a template or an imported draft
            suggestion = (f"replace the placeholder with the id of a {label} (its file name in "
                          f"records/{target.folder}/), or add that record first")
        elif close:
            suggestion = f"did you mean '{close[0]}'?"
        elif kinds - {None}:  # a new record under this id would clash with the existing one
            suggestion = f"name a {label} here: its id is its file name in records/{target.folder}/"
        elif not id_pattern().fullmatch(rid):  # no record can have this id: no file to suggest
            suggestion = (f"write the id of a {label}: its file name in records/{target.folder}/ (lower-case "
                          "letters, digits and hyphens)")
        else:
            suggestion = f"add records/{target.folder}/{rid}.yaml (respirocell new {target.cli_name} {rid})"
        yield issue(record, "dangling-reference", message, path, suggestion=suggestion)


def anchors(record: RecordFile) -> Iterator[Anchor]:
    if record.kind == "Study":
        for path, _, _ in _references(record):
            yield path, False
        for path, _ in study_identifiers(record.data):
            yield path, False


def _related(a: RecordFile, b: RecordFile) -> bool:
    return text(a.data, "follow_up_of") == b.record_id or text(b.data, "follow_up_of") == a.record_id


def check_shared_identifiers(corpus: Corpus) -> Iterator[Issue]:
    """The same registry id, DOI or PMID in two studies is one trial recorded twice - unless one
    study declares itself a follow-up of the other."""
    studies = [r for r in corpus.targets if r.kind == "Study" and r.parsed]
    owners: dict[str, list[tuple[RecordFile, tuple[str | int, ...]]]] = {}
    for study in studies:
        seen: set[str] = set()
        for path, ident in study_identifiers(study.data):
            if ident in seen:
                yield issue(study, "duplicate-entry", f"{ident} is listed twice in this study", path,
                            suggestion="delete the repeated entry")
                continue
            seen.add(ident)
            owners.setdefault(ident, []).append((study, path))
    if corpus.has_others and owners:
        raw_tokens = {ident.split(":", 1)[1] if ident.startswith(("doi:", "pmid:")) else ident for ident in owners}
        for other in corpus.others_mentioning(raw_tokens, kinds=("Study",)):
            for path, ident in study_identifiers(other.data):
                if ident in owners:
                    owners[ident].append((other, path))
    target_files = {id(t) for t in studies}
    for ident, places in sorted(owners.items()):
        for study, path in places:
            if id(study) not in target_files:
                continue
            clash = [o for o, _ in places if o is not study and not _related(study, o)]
            if clash:
                names = ", ".join(sorted(o.display for o in clash))
                shown = ident.removeprefix("doi:").removeprefix("pmid:")
                yield issue(study, "duplicate-study", f"{shown} is also cited by {names}", path,
                            suggestion="merge the two records, or set follow_up_of: <the earlier study's id> on the "
                            "later one")
