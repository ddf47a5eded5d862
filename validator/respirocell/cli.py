"""The ``respirocell`` command: a thin click layer over the library.

Imports of anything heavy happen inside the command that needs it, so ``--help`` is fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_RECORDS = Path("records")


def _default_paths(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        return list(paths)
    if not DEFAULT_RECORDS.is_dir():
        raise click.UsageError("no PATHS given and there is no records/ folder here; run from the repository root "
                               "or name the files to check")
    return [DEFAULT_RECORDS]


records_argument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="respirocell")
def cli() -> None:
    """Validate and publish the respirocell registry of stem-cell therapy studies for respiratory disease.

    \b
    Quick start (from the repository root):
      respirocell validate                   check every record under records/
      respirocell export --format jsonld --output build/respirocell.jsonld
    """


@cli.command()
@records_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs (versioned), github for pull-request annotations.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--changed-since", metavar="REF", default=None,
              help="Check only records changed since git REF, plus the records that reference them.")
def validate(paths: tuple[Path, ...], fmt: str, strict: bool, changed_since: str | None) -> None:
    """Check records: YAML, schema, references, identifiers, ontology terms and consistency.

    PATHS are record files or folders (default: records/). References always resolve against
    the whole corpus around them. Exit status: 0 valid, 1 invalid, 2 usage error.

    \b
    Examples:
      respirocell validate
      respirocell validate records/studies/start-phase-2.yaml
      respirocell validate --format github --strict
      respirocell validate --changed-since origin/main
    """
    from .corpus import Corpus
    from .reporters import REPORTERS
    from .validation import validate as run

    roots = _default_paths(paths)
    if changed_since is not None:
        from .changes import ChangeError, changed_files

        try:
            files = changed_files(roots, changed_since)
        except ChangeError as exc:
            raise click.UsageError(str(exc)) from None
        corpus = Corpus.from_paths(roots, files=files)
    else:
        corpus = Corpus.from_paths(roots)
    report = run(corpus)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    kwargs = {"color": color} if fmt == "text" else {}
    click.echo(REPORTERS[fmt](report, strict=strict, **kwargs), nl=False)
    sys.exit(EXIT_OK if report.ok(strict) else EXIT_INVALID)


@cli.command()
@records_argument
@click.option("--format", "fmt", type=click.Choice(["jsonld", "turtle", "ntriples", "tsv"]), default="jsonld",
              show_default=True, help="Output format. tsv writes a folder of tables.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="File to write (a folder for tsv). Written atomically.")
def export(paths: tuple[Path, ...], fmt: str, output: Path) -> None:
    """Publish the corpus as JSON-LD, Turtle, N-Triples or TSV tables.

    Only a valid corpus is exported; nothing is written when validation fails, and files are
    replaced atomically, so a reader never sees half an export.

    \b
    Examples:
      respirocell export --format jsonld --output build/respirocell.jsonld
      respirocell export --format turtle --output build/respirocell.ttl
      respirocell export --format tsv --output build/tables
    """
    from .corpus import Corpus
    from .export import write_export
    from .reporters import render_text
    from .validation import validate as run

    corpus = Corpus.from_paths(_default_paths(paths))
    report = run(corpus)
    if not report.ok():
        click.echo(render_text(report), err=True, nl=False)
        click.echo("Nothing exported: fix the errors above first.", err=True)
        sys.exit(EXIT_INVALID)
    written = write_export([r for r in corpus.targets if r.parsed], fmt, output)
    click.echo(f"wrote {written}")


def main() -> None:
    cli(prog_name="respirocell")


if __name__ == "__main__":  # pragma: no cover
    main()
