"""``respirocell site``: parse options, call ``build_site``, render, exit."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import EXIT_OK, default_paths, publishing, records_argument

#: The export formats the Downloads page can hold (build.DOWNLOAD_FORMATS, kept here so --help stays light;
#: tests/test_site.py holds the two equal).
FORMATS = ("jsonld", "turtle", "ntriples", "json", "tsv")


@click.command("site")
@records_argument
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Folder to write the site into (replaced whole; only a new, empty or earlier site folder).")
@click.option("--download", "downloads", type=click.Choice(FORMATS), multiple=True,
              help="Export format to put on the Downloads page (repeatable; default: all of them).")
def site(paths: tuple[Path, ...], output: Path, downloads: tuple[str, ...]) -> None:
    """Build the static catalog site of the corpus: open DIR/index.html in a browser.

    Pages for every study, cell source and condition, a study list with search and facets,
    an evidence map and the exports. Only a valid corpus is published: when validation fails
    the findings are printed and nothing is written (exit 1). The site needs no server and
    asks no other host for anything: it works from file:// and from any static host.

    \b
    Examples:
      respirocell site --output build/site
      respirocell site --output build/site --download jsonld --download tsv
    """
    from ..validation import PartialCorpusError
    from .build import OutputNotASite, build_site

    with publishing("No site built"):
        try:
            summary = build_site(default_paths(paths), output, downloads or FORMATS)
        except OutputNotASite as exc:
            raise click.BadParameter(str(exc), param_hint="'--output'") from None
        except PartialCorpusError as exc:
            raise click.BadParameter(str(exc), param_hint="'PATHS'") from None
    from ..reporters import clean, no_command

    where = clean(str(summary.output))
    click.echo(no_command(f"wrote {where}/ ({summary.studies} studies, {summary.pages} pages, {summary.files} files, "
                          f"{summary.bytes:,} bytes); open {clean(str(summary.output / 'index.html'))}"))
    sys.exit(EXIT_OK)
