"""Publish a valid corpus: JSON-LD, Turtle, N-Triples, plain JSON, or a folder of TSV tables.

Exports write only what they own. A file format replaces an existing file only when it is an
earlier respirocell export (it names the registry's base IRI in its first lines); a folder
format replaces a folder only when everything in it is listed in the manifest an earlier
export wrote there. A symlinked output is written through, a special file refused. The swap is
crash-safe: a run killed at any point leaves the old output or the new one, and the next run
puts back or removes what a killed one left.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from ..fsio import recover_folder, remove_leftovers, replacing_folder, unusable_output, write_atomic
from ..loading import RecordFile, inside_records
from ..validation import valid_records

FILE_FORMATS = {"jsonld": "JSON-LD", "turtle": "Turtle", "ntriples": "N-Triples", "json": "JSON"}
FOLDER_FORMATS = {"tsv": "TSV tables"}
FORMATS = (*FILE_FORMATS, *FOLDER_FORMATS)
MANIFEST = ".respirocell-export.json"
#: How every single-file export begins (Turtle and N-Triples with rdf.HEADER, JSON-LD with its
#: context's vocabulary, plain JSON with its base): a rerun replaces only a file that begins so.
#: Naming respirocell somewhere in a file is not enough - the schema and the README do.
SIGNATURES = (b"# respirocell export: https://w3id.org/respirocell/ ",
              b'{\n  "@context": {\n    "@vocab": "https://w3id.org/respirocell/",\n',
              b'{\n  "base": "https://w3id.org/respirocell/",\n')


class ExportError(Exception):
    """The output path cannot be used (a usage error: nothing was written)."""


def render_bytes(records: list[RecordFile], fmt: str, jsonld_text: bytes | None = None) -> bytes:
    """The UTF-8 text of a single-file export. ``jsonld_text``, the JSON-LD export of the same
    records when the caller has it, spares building it again for Turtle and N-Triples."""
    from . import jsonld

    if fmt == "json":
        from .plain import dump_plain

        return dump_plain(records)
    if jsonld_text is None:
        jsonld_text = jsonld.dump_bytes(jsonld.build_document(records))  # the document itself is freed here
    if fmt == "jsonld":
        return jsonld_text
    from . import rdf

    return rdf.serialize(jsonld_text, fmt)


def export_corpus(paths: list[Path], fmt: str, output: Path) -> str:
    """Validate the corpus under ``paths`` and, only if it has no errors, write it as ``fmt`` to
    ``output``. Raises InvalidCorpusError (nothing written) or ExportError (a usage problem)."""
    check_output(fmt, output, paths)
    return write_export(valid_records(paths), fmt, output)


def check_output(fmt: str, output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output path before any work is done: ExportError says why."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    parent = next((p for p in output.parents if p.exists() or p.is_symlink()), None)
    if parent is not None and not parent.is_dir():  # else 'File exists' when the folders are made
        raise ExportError(f"{parent} is not a folder, so {output} cannot be made in it")
    inside = inside_records(output, inputs)
    if inside is not None:
        raise ExportError(inside)
    if fmt in FOLDER_FORMATS:
        problem = unusable_output(output, inputs)
        if problem is not None:
            raise ExportError(problem)
        _owned_folder(output)
        return
    target = output.resolve() if output.is_symlink() else output
    if target.is_dir():
        raise ExportError(f"{output} is a folder; give a file name for the {FILE_FORMATS[fmt]} export")
    if target.exists():
        if not target.is_file():
            raise ExportError(f"{output} is not a regular file; give a file name for the export")
        with open(target, "rb") as handle:
            head = handle.read(max(len(s) for s in SIGNATURES))
        if not head.startswith(SIGNATURES):
            raise ExportError(f"{output} exists and is not a respirocell export; choose another path (nothing was "
                              "written)")


def _owned_folder(path: Path) -> None:
    recover_folder(path, _is_export)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise ExportError(f"{path} exists and is not a folder; the tsv export writes a folder of tables")
    if not path.exists():
        return
    entries = {e.name for e in path.iterdir()}
    if not entries:
        return
    owned = _manifest(path)
    if owned is None or not entries <= owned | {MANIFEST}:
        foreign = sorted(entries - (owned or set()) - {MANIFEST})
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise ExportError(f"{path} holds files respirocell did not write ({shown}); choose an empty or new folder "
                          "(nothing was written)")


def _manifest(folder: Path) -> set[str] | None:
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {str(name) for name in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def write_export(records: list[RecordFile], fmt: str, output: Path, jsonld_text: bytes | None = None) -> str:
    """Write already validated ``records``; returns what was written, for the user.
    ``jsonld_text`` as in ``render_bytes``."""
    check_output(fmt, output)
    count = f"{len(records)} record{'s' * (len(records) != 1)}"
    if fmt in FOLDER_FORMATS:
        from .tables import build_tables

        files = {name: text.encode("utf-8") for name, text in build_tables(records).items()}
        write_folder(output, files)
        return f"{output}/ ({len(files)} files, {count})"
    data = render_bytes(records, fmt, jsonld_text)
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(output.parent)
    write_atomic(output, data)
    return f"{output} ({FILE_FORMATS[fmt]}, {count}, {len(data):,} bytes)"


def _is_export(folder: Path) -> bool:
    return _manifest(folder) is not None


def write_folder(path: Path, files: dict[str, bytes]) -> None:
    """Build the folder beside ``path``, its manifest first, then swap it in (see the module doc)."""
    _owned_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"generator": "respirocell", "files": {name: hashlib.sha256(data).hexdigest()
                                                      for name, data in sorted(files.items())}}
    with replacing_folder(path, _is_export) as new:
        write_atomic(new / MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")  # first: see replacing_folder
        for name, data in sorted(files.items()):
            write_atomic(new / name, data)
