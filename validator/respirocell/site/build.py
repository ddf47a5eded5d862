"""Build the static catalog site: validated records -> pages, charts, search data, downloads.

The site is built in a folder beside ``output`` and swapped in whole (``fsio.replacing_folder``),
so a reader (or a web server) never sees half a site, and what a killed build leaves the next
one puts right; a folder that is not a previous site is never replaced, nor one holding a file
no build wrote (a CNAME, notes: the marker lists the files its build wrote). Every link is
relative and every script, style and chart is in the folder, so the site works from
``file://`` and from any static host, and asks no other host for anything.
The same corpus gives byte-identical files: no timestamps, everything sorted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import schema
from ..fsio import read_regular, replacing_folder, unusable_output
from ..loading import RecordFile, inside_records
from ..validation import valid_records, whole_corpus
from . import labels, pages, views

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
#: Written into every site first, and at the end rewritten to list every file the build wrote;
#: only a folder holding it and nothing it does not list (or an empty one) is ever replaced.
MARKER = ".respirocell-site"
_MARKER_TEXT = "A respirocell site, built by `respirocell site`; the builder may replace this folder.\n"
_FILES_LINE = "Its files (a folder holding any other file is not replaced):"
#: The export formats the Downloads page offers, and the file suffix of each single-file one.
DOWNLOAD_FORMATS = ("jsonld", "turtle", "ntriples", "json", "tsv")
FILE_SUFFIXES = {"jsonld": "jsonld", "turtle": "ttl", "ntriples": "nt", "json": "json"}


class OutputNotASite(ValueError):
    """``--output`` names something the builder must not replace."""


@dataclass(frozen=True)
class SiteSummary:
    output: Path
    studies: int
    pages: int
    files: int
    bytes: int


def build_site(paths: Path | str | Iterable[Path | str], output: Path | str,
               downloads: Sequence[str] = DOWNLOAD_FORMATS) -> SiteSummary:
    """Build the site of the records folder(s) ``paths`` into ``output``, with the exports
    ``downloads`` (each once) on its Downloads page.

    Raises ``validation.InvalidCorpusError`` for a corpus with errors (nothing is written),
    ``validation.PartialCorpusError`` for a path that is a part of a records folder,
    ``OutputNotASite`` when ``output`` exists and is not a site this function built, and
    ValueError for a download format it does not know."""
    unknown = sorted(set(downloads) - set(DOWNLOAD_FORMATS))
    if unknown:
        raise ValueError(f"unknown download format {', '.join(map(repr, unknown))}; choose from "
                         f"{', '.join(DOWNLOAD_FORMATS)}")
    roots, output = whole_corpus(paths), Path(output)
    check_output(output, roots)
    return render_site(valid_records(roots), output, list(dict.fromkeys(downloads)))


def check_output(output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an ``output`` that is not new, empty or a site holding only what its build wrote,
    or that cannot be swapped in (``fsio.unusable_output``; ``inputs`` are the records)."""
    problem = unusable_output(output, inputs) or inside_records(output, folders=inputs)
    if problem is not None:
        raise OutputNotASite(problem)
    if output.is_symlink():
        raise OutputNotASite(f"{output} is a symbolic link; give the folder itself")
    if output.exists() and not output.is_dir():
        raise OutputNotASite(f"{output} is a file; give a folder for the site")
    if output.is_dir() and any(output.iterdir()) and not _is_site(output):
        raise OutputNotASite(f"{output} is a folder that holds something other than a respirocell site; "
                             "give a new or empty folder")
    listed = _listed(output)
    if listed is not None:  # else (a site from before the marker listed files) checked after the build
        _refuse_foreign(output, listed)


def _listed(site: Path) -> set[str] | None:
    """The files the build of ``site`` wrote, as its marker lists them; None when there is no
    site, or its marker lists nothing (a half-built site, or one from before markers listed)."""
    try:
        lines = read_regular(site / MARKER, 1 << 24, follow_symlinks=False).decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return set(lines[2:]) if lines[1:2] == [_FILES_LINE] else None


def _refuse_foreign(site: Path, ours: set[str]) -> None:
    """Raise OutputNotASite naming the first entry of ``site`` that is not one of the files
    ``ours`` or a folder holding one of them (a build writes only regular files and folders)."""
    folders = {parent.as_posix() for name in ours for parent in Path(name).parents}
    for top, dirs, files in os.walk(site):  # links are not followed
        dirs.sort()
        for name in sorted(dirs + files):
            relative = (Path(top) / name).relative_to(site).as_posix()
            mode = (Path(top) / name).lstat().st_mode
            if relative not in (folders if stat.S_ISDIR(mode) else ours if stat.S_ISREG(mode) else ()):
                shown = relative + ("/" if stat.S_ISDIR(mode) else "")
                raise OutputNotASite(f"{site} holds {shown}, which no site build wrote; move it or choose another "
                                     "--output (nothing was changed)")


class _Writer:
    """Writes each file of the site once: two pages for one path (a record whose id is the name
    of a generated page, such as 'index') stop the build rather than one replacing the other."""

    def __init__(self, root: Path) -> None:
        self.root, self.bytes, self.pages = root, 0, 0
        self.written: dict[str, str] = {}  # relative path -> what it is, for the message

    @property
    def files(self) -> int:
        return len(self.written)

    def write(self, relative: str, data: bytes | str, what: str | None = None) -> None:
        if relative in self.written:
            raise ValueError(f"two pages would be written to {relative}: {self.written[relative]} and "
                             f"{what or relative}")
        self.written[relative] = what or relative
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        self.bytes += len(raw)
        self.pages += relative.endswith(".html")

    def list_in_marker(self) -> None:
        """Rewrite the marker (the first file written) to list every file: the next build
        replaces this site only if it holds nothing else."""
        listing = "".join(f"{name}\n" for name in sorted(self.written))
        (self.root / MARKER).write_text(f"{_MARKER_TEXT}{_FILES_LINE}\n{listing}", encoding="utf-8")


@cache
def environment() -> Any:
    import jinja2

    class Missing(jinja2.StrictUndefined):
        """An optional field a record leaves out: false in a test, an error anywhere else (so a
        misspelt name in a template fails the build instead of printing nothing)."""

        def __bool__(self) -> bool:  # type: ignore[override]
            return False

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=Missing)
    env.filters.update(label=labels.label, number=labels.number, quantity=labels.quantity, unit=labels.unit,
                       country=labels.country)
    env.globals.update(source_url=views.source_url, registry_url=views.registry_url, sources_for=views.sources_for,
                       publication_links=views.publication_links, registry_names=labels.REGISTRY_NAMES,
                       folders=views.PAGE_FOLDERS, missing=labels.missing)
    return env


def _json(value: Any) -> bytes:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def script_json(value: Any) -> str:
    """JSON safe inside <script>: every '<' is written \\u003c (the same string to a JSON parser),
    so no record text can close the script or open an HTML comment in it."""
    return _json(value).decode("utf-8").replace("<", "\\u003c")


def render_site(records: list[RecordFile], output: Path, downloads: Sequence[str] = DOWNLOAD_FORMATS) -> SiteSummary:
    """Write the site of already validated ``records`` to ``output`` (atomically)."""
    check_output(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with replacing_folder(output, _is_site) as tmp:
        writer = _Writer(tmp)
        site = views.Site.from_records(records)
        _write_all(site, records, writer, downloads)  # the MARKER first
        writer.list_in_marker()
        for folder in sorted({tmp, *(p for p in tmp.rglob("*") if p.is_dir())}):
            os.chmod(folder, 0o755)  # readable by a web server whatever the umask
        if output.is_dir():  # what the last build wrote, or this one: nothing else is replaced
            _refuse_foreign(output, (_listed(output) or set()) | set(writer.written))
    return SiteSummary(output, len(site.studies), writer.pages, writer.files, writer.bytes)


def _is_site(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _write_all(site: views.Site, records: list[RecordFile], writer: _Writer, downloads: Sequence[str]) -> None:
    from ..export import jsonld
    document = jsonld.build_document(records)
    context: dict[str, Any] = document["@context"]
    by_iri = {node["@id"]: node for node in document["@graph"]}
    dataset = by_iri[f"{jsonld.base_iri()}dataset"]
    env = environment()
    stamp = {"version": dataset.get("schema:version", ""), "modified": dataset.get("modified", "")}

    def render(template: str, relative: str, what: str, **values: Any) -> None:
        root = "../" * relative.count("/")
        writer.write(relative, env.get_template(template).render(root=root, stamp=stamp, page=relative, **values),
                     what)

    writer.write(MARKER, _MARKER_TEXT)
    for item in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        writer.write(f"static/{item.relative_to(STATIC).as_posix()}", item.read_bytes())

    home = pages.home(site)
    writer.write("charts/evidence-map.svg", home["map"]["chart"].svg)
    if home["timeline"]["chart"] is not None:
        writer.write("charts/timeline.svg", home["timeline"]["chart"].svg)
    render("home.html", "index.html", "the home page", home=home,
           dataset=script_json({"@context": context, **dataset}))

    entries = [pages.search_entry(site, s) for s in site.studies]
    # [value, label] pairs, not an object: the data file's keys are sorted, and the facet's own order
    # (the schema's for phases, names for countries) must reach the list's checkboxes.
    facets = [{"key": k, "title": t, "values": [[v, label] for v, label in site.facet_labels[k].items()]}
              for k, t in views.FACETS.items()]
    writer.write("studies/data.js", b"window.RESPIROCELL_STUDIES = "
                 + _json({"facets": facets, "studies": entries}) + b";\n")
    render("study_list.html", "studies/index.html", "the study list", rows=pages.list_rows(site),
           total=len(site.studies))

    for record in records:
        node = by_iri[jsonld.record_iri(str(record.kind), str(record.record_id))]
        folder = views.PAGE_FOLDERS[str(record.kind)]
        embedded = {"@context": context, **node}
        writer.write(f"{folder}/{record.record_id}.jsonld", jsonld.dump_bytes(embedded))
        common = {"record": record, "data": record.data, "site": site, "jsonld": script_json(embedded),
                  "github": views.github_url(record), "iri": node["@id"]}
        relative = f"{folder}/{record.record_id}.html"
        what = f"{schema.kind(str(record.kind)).label} '{record.record_id}'"
        if record.kind == "Study":
            render("study.html", relative, what, forest=pages.forest(record.data), **common)
        else:
            studies = (site.studies_of_condition if record.kind == "Condition" else site.studies_of_source)(
                str(record.record_id))
            template = "condition.html" if record.kind == "Condition" else "cell_source.html"
            render(template, relative, what, studies=studies, counts=pages.record_counts(site, studies), **common)
    for kind, mapping in (("Condition", site.conditions), ("CellSource", site.cell_sources)):
        listed = [(r, len(site.studies_of_condition(i) if kind == "Condition" else site.studies_of_source(i)))
                  for i, r in mapping.items()]
        render("record_index.html", f"{views.PAGE_FOLDERS[kind]}/index.html", f"the {schema.kind(kind).label} list",
               kind=kind, listed=listed)
    render("downloads.html", "downloads/index.html", "the downloads page",
           files=_downloads(document, records, downloads, writer), license=jsonld.LICENSE)


def _downloads(document: dict[str, Any], records: list[RecordFile], formats: Sequence[str],
               writer: _Writer) -> list[dict[str, Any]]:
    """Write the exports into downloads/; returns (format, file, size) for the page. The JSON-LD
    document built for the pages is the JSON-LD download, and Turtle and N-Triples are read
    from it."""
    from ..export import jsonld, render_bytes

    files, jsonld_text = [], jsonld.dump_bytes(document)
    for fmt in formats:
        if fmt == "tsv":
            from ..export.tables import build_tables

            for name, text in sorted(build_tables(records).items()):
                data = text.encode("utf-8")
                writer.write(f"downloads/tables/{name}", data)
                files.append({"format": "tsv", "file": f"tables/{name}", "size": len(data)})
            continue
        body = render_bytes(records, fmt, jsonld_text=jsonld_text)
        name = f"respirocell.{FILE_SUFFIXES.get(fmt, fmt)}"
        writer.write(f"downloads/{name}", body)
        files.append({"format": fmt, "file": name, "size": len(body)})
    return files
