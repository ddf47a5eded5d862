"""A versioned release: one folder with every export, a changelog, checksums and citation metadata.

Versions are calendar versions ``YYYY.MM.N`` tagged ``vYYYY.MM.N``. A release must be newer than
every such tag; the tag of the version itself is allowed only on the commit being released (the
release workflow builds from that tag). The changelog section is the semantic diff (``diff.py``)
against the newest earlier tag.

A release is deterministic: the same records and version give byte-identical files. Nothing in it
depends on the clock or the machine; its date is the newest curation date in the corpus (when the
evidence last changed), not the day it was built.

The folder holds only what a release writes (``ENTRIES``). An existing folder is replaced only when
it is an earlier release as a whole (its ``MANIFEST.sha256`` lists exactly its files, and they
match it: a file named like a release's, or an export, is no proof), and then whole: the release
is built beside it and swapped in (``fsio.replacing_folder``), so the folder is never part one
release and part another, and a killed build is put right by the next.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema
from .changes import ChangeError, toplevel
from .diff import Changes, Side, comparable, diff_corpora, read_side, records_by_key, render_markdown
from .fsio import UnsafeTarget, read_regular, unusable_output
from .loading import RecordFile, inside_records

VERSION = re.compile(r"(?P<year>[0-9]{4})\.(?P<month>0[1-9]|1[0-2])\.(?P<n>0|[1-9][0-9]*)")
FILES = {"jsonld": "respirocell.jsonld", "turtle": "respirocell.ttl", "ntriples": "respirocell.nt",
         "json": "respirocell.json"}
TABLES = "tables"  # the tsv export and its datapackage.json
TABLES_ZIP = "respirocell-tables.zip"  # the tables folder as the release workflow attaches it
CHANGELOG, CITATION, DATASET, MANIFEST = "CHANGELOG.md", "CITATION.cff", "dataset.jsonld", "MANIFEST.sha256"
ENTRIES = frozenset({*FILES.values(), TABLES, CHANGELOG, CITATION, DATASET, MANIFEST})
REPOSITORY = "https://github.com/respirocell/respirocell"
LICENSE, LICENSE_URL = "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"
MEDIA_TYPES = {"jsonld": "application/ld+json", "turtle": "text/turtle", "ntriples": "application/n-triples",
               "json": "application/json"}


class ReleaseError(Exception):
    """The version, the output folder or the previous release cannot be used: a usage error."""


@dataclass
class Release:
    output: Path
    version: str
    date: str | None
    previous: str | None  # the tag (or ref) the changelog is against; None for a first release
    counts: dict[str, int]
    changes: Changes
    files: list[str] = field(default_factory=list)  # as listed in MANIFEST.sha256


def parse_version(text: str) -> tuple[int, int, int]:
    found = VERSION.fullmatch(text)
    if found is None:
        raise ReleaseError(f"'{text}' is not a calendar version YYYY.MM.N (such as 2026.11.1)")
    return int(found["year"]), int(found["month"]), int(found["n"])


def release_tags(repo: Path) -> dict[tuple[int, int, int], str]:
    """The tags named vYYYY.MM.N, by version."""
    from .changes import run_git

    names = run_git(["tag", "--list", "v*"], repo).decode("utf-8", "replace").split()
    return {parse_version(n[1:]): n for n in names if VERSION.fullmatch(n[1:])}


def previous_release(repo: Path | None, version: str) -> str | None:
    """The newest release tag before ``version``; ReleaseError if ``version`` is not newer than
    every tag (its own tag counts only when it is on another commit than HEAD)."""
    from .changes import resolve_ref

    key = parse_version(version)
    tags = release_tags(repo) if repo is not None else {}
    newest = max(tags, default=None)
    if newest is not None and newest > key:
        raise ReleaseError(f"{version} is not newer than the latest release, {tags[newest]}")
    if repo is not None and key in tags:
        try:
            same = resolve_ref(tags[key], repo) == resolve_ref("HEAD", repo)
        except ChangeError:
            same = False
        if not same:
            raise ReleaseError(f"{tags[key]} already tags another commit; choose a newer version")
    earlier = [k for k in tags if k < key]
    return tags[max(earlier)] if earlier else None


def check_output(output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse a path that is not a new or empty folder or an earlier release, or that cannot be
    swapped in (``fsio.unusable_output``; ``inputs`` are the records)."""
    problem = unusable_output(output, inputs) or inside_records(output, folders=inputs)
    if problem is not None:
        raise ReleaseError(problem)
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise ReleaseError(f"{output} exists and is not a folder; a release is written into a folder")
    names = {e.name for e in output.iterdir()} if output.exists() else set()
    ours = {n for n in names if _written_by_a_release(n)}
    if names != ours:
        foreign = sorted(names - ours)
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise ReleaseError(f"{output} holds files a release did not write ({shown}); choose a new or empty folder "
                           "(nothing was written)")
    mismatch = _unlike_its_manifest(output) if names else None
    if mismatch is not None:
        raise ReleaseError(f"{output} is not an earlier release: {mismatch}; choose a new or empty folder "
                           "(nothing was written)")


def _unlike_its_manifest(folder: Path) -> str | None:
    """Why ``folder`` is not a release as it was written, or None: its MANIFEST.sha256 must list
    exactly its files (regular, no links), each with its checksum."""
    try:
        text = read_regular(folder / MANIFEST, 1 << 20, follow_symlinks=False).decode("utf-8")
    except FileNotFoundError:
        return f"it has no {MANIFEST}"
    except (UnsafeTarget, UnicodeDecodeError):
        return f"its {MANIFEST} is not a checksum list"
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not name:
            return f"{MANIFEST} line {number} is not '<sha256>  <file>'"
        listed[name] = digest
    found: list[str] = []
    for top, dirs, files in os.walk(folder):  # links are not followed: a release writes none
        for name in dirs + files:
            relative = Path(top, name).relative_to(folder).as_posix()
            mode = Path(top, name).lstat().st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                return f"{relative} is not a regular file or folder"
            if name in files and relative != MANIFEST:
                found.append(relative)
    found.sort()
    unlisted, missing = [f for f in found if f not in listed], sorted(set(listed) - set(found))
    if unlisted:
        return f"{MANIFEST} does not list {unlisted[0]}"
    if missing:
        return f"{MANIFEST} lists {missing[0]}, which is missing"
    for relative in found:
        with open(folder / relative, "rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != listed[relative]:
                return f"{relative} does not match its checksum in {MANIFEST}"
    return None


def _curation(record: RecordFile) -> dict[str, Any]:
    found = record.data.get("curation") if isinstance(record.data, dict) else None
    return found if isinstance(found, dict) else {}


def curators(records: list[RecordFile]) -> list[dict[str, str]]:
    """Everyone who curated a record (name and ORCID), once each, by name: the release's authors."""
    found: dict[str, dict[str, str]] = {}
    for record in records:
        for person in _curation(record).get("curators") or []:
            if isinstance(person, dict) and isinstance(person.get("name"), str):
                entry = {"name": person["name"]}
                if isinstance(person.get("orcid"), str):
                    entry["orcid"] = f"https://orcid.org/{person['orcid']}"
                found.setdefault(entry.get("orcid") or entry["name"], entry)
    return sorted(found.values(), key=lambda p: (p["name"], p.get("orcid", "")))


def citation_text(version: str, date: str | None) -> str:
    year = f" ({date[:4]})" if date else ""
    return f"respirocell contributors{year}. {schema.meta()['title']}. Version {version}. " \
           f"{REPOSITORY}/releases/tag/v{version}"


def citation_cff(version: str, date: str | None, authors: list[dict[str, str]]) -> bytes:
    """CITATION.cff (Citation File Format 1.2.0) for GitHub's "Cite this repository" and Zenodo."""
    import yaml

    doc: dict[str, Any] = {
        "cff-version": "1.2.0", "message": "If you use this dataset, please cite this version as below.",
        "type": "dataset", "title": schema.meta()["title"], "version": version}
    if date:
        doc["date-released"] = date
    doc |= {"license": LICENSE, "repository-code": REPOSITORY, "url": f"{REPOSITORY}/releases/tag/v{version}",
            "authors": authors or [{"name": "respirocell contributors"}],
            "keywords": ["stem-cell therapy", "respiratory disease", "clinical trials", "linked data"]}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000).encode("utf-8")


def dataset_jsonld(version: str, date: str | None, counts: dict[str, int], authors: list[dict[str, str]]) -> bytes:
    """The release described as a schema.org Dataset and a DCAT dataset, in one JSON-LD node."""
    import orjson

    meta = schema.meta()
    url = f"{REPOSITORY}/releases/tag/v{version}"
    doc: dict[str, Any] = {
        "@context": {"@vocab": "https://schema.org/", "dcat": "http://www.w3.org/ns/dcat#",
                     "dct": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": url, "@type": ["Dataset", "dcat:Dataset"], "name": f"respirocell {version}",
        "description": f"{meta['title']}: every record of release {version}, as JSON-LD, Turtle, N-Triples, "
                       "plain JSON and TSV tables.",
        "url": url, "version": version, "dcat:version": version,
        "license": {"@id": LICENSE_URL}, "dct:license": {"@id": LICENSE_URL},
        "schemaVersion": meta["version"], "dct:conformsTo": {"@id": meta["id"]},
        "isAccessibleForFree": True, "creditText": citation_text(version, date),
        "creator": [{"@type": "Person", "@id": a["orcid"], "name": a["name"]} if "orcid" in a else {"name": a["name"]}
                    for a in authors],
        "additionalProperty": [{"@type": "PropertyValue", "name": f"number of {name}", "value": n}
                               for name, n in counts.items()],
        "distribution": [_download(version, name, MEDIA_TYPES[fmt]) for fmt, name in FILES.items()]
        + [_download(version, TABLES_ZIP, "application/zip") | {
            "description": "The TSV tables and their Frictionless data package (tables/datapackage.json)"}]}
    if date:
        doc |= {"datePublished": date, "dct:issued": {"@value": date, "@type": "xsd:date"}}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def _download(version: str, name: str, media_type: str) -> dict[str, Any]:
    """A file attached to the GitHub release (by the release workflow, under this name)."""
    url = f"{REPOSITORY}/releases/download/v{version}/{name}"
    return {"@type": ["DataDownload", "dcat:Distribution"], "name": name, "contentUrl": url,
            "dcat:downloadURL": {"@id": url}, "encodingFormat": media_type,
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type}"}}


def changelog(version: str, date: str | None, previous: str | None, changes: Changes) -> bytes:
    """This release's section of the changelog: the semantic diff since the previous release."""
    since = f"Changes since {previous}" if previous else "First release: every record is new"
    about = Changes(records=changes.records, unreadable=changes.unreadable)  # no folder paths in the text
    body = render_markdown(about, heading="###", title=since)
    return f"# Changelog\n\n## {version}{f' ({date})' if date else ''}\n\n{body}".encode()


def manifest(output: Path) -> tuple[bytes, list[str]]:
    """``sha256sum`` lines for every file of the release but the manifest, sorted by path."""
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    files = [f for f in files if f != MANIFEST]
    lines = [f"{hashlib.sha256((output / f).read_bytes()).hexdigest()}  {f}\n" for f in files]
    return "".join(lines).encode(), files


def build_release(paths: Path | str | Iterable[Path | str], version: str, output: Path | str,
                  previous_ref: str | None = None) -> Release:
    """Validate the corpus under ``paths`` and write release ``version`` into ``output``.

    Raises ReleaseError (a usage problem: nothing written), InvalidCorpusError (nothing written),
    ExportError or OSError."""
    from .export import check_output as check_export
    from .export import render_bytes, write_export
    from .export.jsonld import latest_curation_date
    from .fsio import replacing_folder, write_atomic
    from .validation import valid_records, whole_corpus

    parse_version(version)
    roots, output = whole_corpus(paths), Path(output)
    check_output(output, roots)
    for fmt, name in [*FILES.items(), ("tsv", TABLES)]:
        check_export(fmt, output / name)  # before anything is written (ExportError)
    folder = roots[0].resolve()  # a whole records folder (whole_corpus), whatever its name
    try:
        repo: Path | None = toplevel(folder)
    except ChangeError:
        repo = None
    previous = previous_release(repo, version)
    previous = previous_ref if previous_ref is not None else previous
    try:
        old = read_side(previous, folder, old=True) if previous is not None else Side()
    except ChangeError as exc:
        raise ReleaseError(f"cannot read the previous release: {exc}") from None
    records = valid_records(roots)
    current = records_by_key(records)
    changes = diff_corpora(*comparable(old, current))
    changes.unreadable = [f"old: {u}" for u in old.unreadable]
    date = latest_curation_date(records)  # when the evidence last changed: a rebuild never depends on the clock
    counts = {k.folder.replace("_", " "): sum(1 for r in records if r.kind == k.name) for k in schema.kinds()}
    authors = curators(records)

    output.parent.mkdir(parents=True, exist_ok=True)
    with replacing_folder(output, _is_release) as new:  # whole: never half this release, half the last
        text = render_bytes(records, "jsonld")  # built once, read by the Turtle and N-Triples exports too
        for fmt, name in FILES.items():
            write_export(records, fmt, new / name, jsonld_text=text)
        write_export(records, "tsv", new / TABLES)
        for name, data in ((CHANGELOG, changelog(version, date, previous, changes)),
                           (CITATION, citation_cff(version, date, authors)),
                           (DATASET, dataset_jsonld(version, date, counts, authors))):
            write_atomic(new / name, data)
        sums, files = manifest(new)
        write_atomic(new / MANIFEST, sums)
    return Release(output, version, date, previous, counts, changes, files)


def _written_by_a_release(name: str) -> bool:
    return name in ENTRIES or (name.startswith(".") and ".respirocell-" in name)  # or one of its temporaries


def _is_release(folder: Path) -> bool:
    """A folder that holds nothing but what a release writes (a half-built one included)."""
    return all(_written_by_a_release(entry.name) for entry in folder.iterdir())
