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

#: Commands that live in their own modules, imported only when run (so --help stays fast):
#: name -> "module:attribute" of a click command.
LAZY_COMMANDS: dict[str, str] = {}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        import importlib

        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from .reporters import REPORTERS
    from .validation import validate_paths

    roots = _default_paths(paths)
    files = None
    if changed_since is not None:
        from .changes import ChangeError, changed_files

        try:
            files = changed_files(roots, changed_since)
        except ChangeError as exc:
            raise click.UsageError(str(exc)) from None
    report = validate_paths(roots, files=files)
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
    try:
        written = write_export([r for r in corpus.targets if r.parsed], fmt, output)
    except (ValueError, OSError) as exc:  # e.g. --output is a folder, or the disk is full
        click.echo(f"error: nothing exported: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"wrote {written}")


@cli.command("new")
@click.argument("kind", type=click.Choice(["study", "cell-source", "condition"]))
@click.argument("record_id", metavar="ID")
@click.option("--records-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RECORDS,
              show_default=True, help="The records folder to write into.")
def new_record(kind: str, record_id: str, records_dir: Path) -> None:
    """Start a record: write a commented template to records/<folder>/<ID>.yaml.

    The template lists the fields (required first), each under its description and allowed
    values. Its TODO placeholders fail validation until they are filled in or, for optional
    fields, deleted. An existing record is never overwritten (exit 1); an ID that is not
    lower-case letters, digits and hyphens is a usage error (exit 2).

    \b
    Examples:
      respirocell new study start-phase-2
      respirocell new cell-source msc-umbilical-cord-allogeneic
      respirocell new condition silicosis
    """
    from .loading import display_path
    from .templates import InvalidRecordId, create_record

    if not records_dir.is_dir():
        raise click.UsageError(f"there is no {records_dir}/ folder here; run from the repository root or give "
                               "--records-dir")
    try:
        path = create_record(records_dir, kind, record_id)
    except InvalidRecordId as exc:
        raise click.BadParameter(str(exc), param_hint="'ID'") from None
    except FileExistsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    shown = display_path(path)
    click.echo(f"wrote {shown}\n"
               f"Fill in every TODO from the sources you cite (delete optional fields they do not give), then run:\n"
               f"  respirocell validate {shown}\n"
               f"  respirocell fmt {shown}")


@cli.command("fmt")
@records_argument
@click.option("--check", is_flag=True,
              help="Change nothing: list the files that are not formatted and exit 1 if there are any.")
def fmt_records(paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite records in the canonical layout, keeping comments and meaning.

    Keys are put in schema order, indentation is 2 spaces with list items under their key,
    text is quoted only where needed (always where YAML 1.1 tools would misread it, as NO or
    yes) and long text is folded at 100 columns. The result must parse to exactly the same
    data, keep every comment and be stable, or the file is left alone and reported. Files
    are replaced atomically. Files that do not parse are reported and left untouched.

    Exit status: 0 all formatted (or, with --check, nothing to change), 1 a file would change
    (--check) or could not be formatted, 2 usage error.

    \b
    Examples:
      respirocell fmt
      respirocell fmt records/studies/start-phase-2.yaml
      respirocell fmt --check
    """
    from .formatting import format_paths, write_atomic
    from .issues import Issue
    from .loading import discover

    failed = changed = unchanged = 0
    for result in format_paths(discover(_default_paths(paths))):
        problem = result.problem
        if problem is None and result.changed and not check:
            assert result.formatted is not None
            try:
                write_atomic(result.path, result.formatted)
            except OSError as exc:
                problem = Issue("unwritable-file", f"cannot write file: {exc.strerror}", result.display)
        if problem is not None:
            failed += 1
            where = ":".join(str(p) for p in (problem.file, problem.line, problem.column) if p is not None)
            click.echo(f"{where}: error [{problem.code}] {problem.message}", err=True)
            if problem.suggestion:
                click.echo(f"    hint: {problem.suggestion}", err=True)
        elif result.changed:
            changed += 1
            click.echo(result.display if check else f"reformatted {result.display}")
        else:
            unchanged += 1
    verb = "would be reformatted" if check else "reformatted"
    summary = f"{changed} file(s) {verb}, {unchanged} already formatted"
    click.echo(summary + (f", {failed} could not be formatted" if failed else ""), err=True)
    if check and changed:
        click.echo("run 'respirocell fmt' (with the same paths) to format them", err=True)
    sys.exit(EXIT_INVALID if failed or (check and changed) else EXIT_OK)


def main() -> None:
    cli(prog_name="respirocell")


if __name__ == "__main__":  # pragma: no cover
    main()
