"""Publish the corpus: JSON-LD, Turtle, N-Triples or a folder of TSV tables.

Every export is built completely in memory first and then written atomically: a file goes
to a temporary file in the same folder and is renamed over the target; a TSV folder is
built as a temporary folder and swapped in. A failure at any point leaves the previous
output as it was and no temporary files behind, so a reader never sees half an export.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from ..loading import RecordFile
from ..parallel import no_gc

FORMATS = ("jsonld", "turtle", "ntriples", "tsv")
_LABELS = {"jsonld": "JSON-LD", "turtle": "Turtle", "ntriples": "N-Triples"}


def render_bytes(records: list[RecordFile], fmt: str) -> bytes:
    """The UTF-8 text of a single-file export (jsonld, turtle or ntriples)."""
    from . import jsonld

    with no_gc():  # a million new dicts; the collector would walk them over and over
        document = jsonld.build_document(records)
    if fmt == "jsonld":
        return jsonld.dump_bytes(document)
    from . import rdf

    return rdf.serialize(document, fmt).encode("utf-8")


def write_export(records: list[RecordFile], fmt: str, output: Path) -> str:
    """Write ``records`` as ``fmt`` to ``output`` (a folder for tsv); returns what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    count = f"{len(records)} record{'s' * (len(records) != 1)}"
    if fmt == "tsv":
        from .tables import build_tables

        if output.exists() and not output.is_dir():
            raise ValueError(f"{output} exists and is not a folder; tsv export writes a folder of tables")
        files = build_tables(records)
        write_folder_atomic(output, {name: text.encode("utf-8") for name, text in files.items()})
        return f"{output}/ ({len(files)} TSV tables, {count})"
    if output.is_dir():
        raise ValueError(f"{output} is a folder; give a file name for {fmt} export")
    data = render_bytes(records, fmt)
    write_file_atomic(output, data)
    return f"{output} ({_LABELS[fmt]}, {count}, {len(data):,} bytes)"


def _write_file(path: Path, data: bytes) -> None:
    """Write and flush to disk, so the rename below never exposes an empty file after a crash."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_file_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write_file(tmp, data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; exports are meant to be read
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_folder_atomic(path: Path, files: dict[str, bytes]) -> None:
    """Build the folder beside ``path`` and swap it in.

    POSIX cannot rename a folder over a non-empty one, so the old folder is first renamed
    aside and deleted once the new one is in place (and put back if that fails); between the
    two renames ``path`` briefly does not exist, but it never holds a mix of old and new.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    old: Path | None = None
    try:
        for name, data in sorted(files.items()):
            _write_file(tmp / name, data)
            os.chmod(tmp / name, 0o644)
        os.chmod(tmp, 0o755)
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, old)  # onto the empty placeholder folder
        try:
            os.replace(tmp, path)
        except BaseException:
            if old is not None:
                os.replace(old, path)
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not path.exists():
            os.replace(old, path)
            old = None
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
