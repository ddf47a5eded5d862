"""The ``respirocell`` command: a thin click layer over the library.

Each command parses its options, calls one library function, renders what it returns and
exits: 0 valid, 1 invalid (findings), 2 usage error. Imports of anything heavy happen inside
the command that needs it, so ``--help`` is fast.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__, schema

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_RECORDS = Path("records")

#: Commands that live in their own modules, imported only when run (so --help stays fast):
#: name -> ("module:attribute" of a click command, its one-line help).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "site": ("respirocell.site.command:site", "Build the static catalog site of the corpus."),
    "import": ("respirocell.registry.command:import_study",
               "Draft a study record from its ClinicalTrials.gov entry."),
    "registry-check": ("respirocell.registry.command:registry_check",
                       "Report where studies drifted from their ClinicalTrials.gov entries."),
    "diff": ("respirocell.release_command:diff", "Show what changed in the evidence between two versions."),
    "release": ("respirocell.release_command:release", "Build a versioned release folder of the corpus."),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used, and that
    answers a usage error as JSON when the command line asked for ``--format json``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = LAZY_COMMANDS.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        import importlib

        module, attribute = lazy[0].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, cmd.get_short_help_str(70)) for name, cmd in self.commands.items()]
        rows += [(name, text) for name, (_, text) in LAZY_COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _escaped_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _escaped_errors():
            return super().invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        given = args[0] if args else kwargs.get("args")
        argv = list(sys.argv[1:] if given is None else given)
        if not _wants_json(argv):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as exc:
            usage_error_json(exc.format_message())
        except click.exceptions.Abort:
            sys.exit(EXIT_USAGE)


@contextmanager
def _escaped_errors() -> Iterator[None]:
    """Usage errors echo what was typed (a path, a version, an option): their messages are
    escaped as findings are, one line each, so a value cannot start a line and forge a GitHub
    workflow command."""
    try:
        yield
    except click.ClickException as exc:
        if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):  # the help itself, not a value
            raise
        from .reporters import clean

        exc.message = clean(exc.message, 1000)  # type: ignore[misc]  # click declares it Final; it is set once
        raise


#: The commands whose ``--format json`` is their report's format (export's and query's is their output).
REPORT_COMMANDS = frozenset({"validate", "fmt", "diff", "registry-check"})


def _wants_json(argv: list[str]) -> bool:
    command = next((a for a in argv if not a.startswith("-")), None)
    return command in REPORT_COMMANDS and any(
        a == "--format=json" or (a == "--format" and argv[i + 1:i + 2] == ["json"]) for i, a in enumerate(argv))


def usage_error_json(message: str) -> NoReturn:
    click.echo(json.dumps({"version": 1, "status": "usage-error", "error": message}, indent=2, sort_keys=True))
    sys.exit(EXIT_USAGE)


def default_paths(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        return list(paths)
    if not DEFAULT_RECORDS.is_dir():
        raise click.UsageError("no PATHS given and there is no records/ folder here; run from the repository root "
                               "or name the files to check")
    return [DEFAULT_RECORDS]


records_argument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


def output_format(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True,
                        help="text for people, json for programs (versioned), github for pull-request annotations.")


def render_report(report: Any, fmt: str, *, strict: bool = False, err: bool = False) -> None:
    from .reporters import REPORTERS

    color = fmt == "text" and (sys.stderr if err else sys.stdout).isatty() and "NO_COLOR" not in os.environ
    click.echo(REPORTERS[fmt](report, strict=strict, color=color), nl=False, err=err)


@contextmanager
def publishing(nothing: str) -> Iterator[None]:
    """The endings every command that publishes the corpus shares: an invalid corpus prints its
    findings and exits 1 with ``nothing`` ("Nothing exported"); a record the exporters cannot
    map, a full disk or a read-only folder is one line and exit 1 - never a traceback."""
    from .validation import InvalidCorpusError

    try:
        yield
    except InvalidCorpusError as exc:
        render_report(exc.report, "text", err=True)
        click.echo(f"{nothing}: fix the errors above first.", err=True)
        sys.exit(EXIT_INVALID)
    except (ValueError, OSError) as exc:
        from .fsio import TMP_SUFFIX
        from .reporters import clean

        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        where = ""
        if isinstance(exc, OSError) and exc.filename:
            name = os.fsdecode(exc.filename)  # a temporary file is made beside the output: name its folder
            where = f"cannot write in {os.path.dirname(name) or '.'}: " if name.endswith(TMP_SUFFIX) else \
                f"cannot write {name}: "
        click.echo(f"error: {nothing.lower()}: {clean(where + str(reason))}", err=True)
        sys.exit(EXIT_INVALID)


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
@output_format("text", "json", "github")
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
      respirocell validate records/studies/start-msc-ards-phase-2a.yaml
      respirocell validate --format github --strict
      respirocell validate --changed-since origin/main
    """
    from .validation import validate_paths

    roots = default_paths(paths)
    files = None
    if changed_since is not None:
        from .changes import ChangeError, changed_files

        try:
            files = changed_files(roots, changed_since)
        except ChangeError as exc:
            raise click.BadParameter(str(exc), param_hint="'--changed-since'") from None
    report = validate_paths(roots, files=files)
    render_report(report, fmt, strict=strict)
    sys.exit(EXIT_OK if report.ok(strict) else EXIT_INVALID)


@cli.command()
@records_argument
@click.option("--format", "fmt", type=click.Choice(["jsonld", "turtle", "ntriples", "json", "tsv"]),
              default="jsonld", show_default=True, help="Output format. tsv writes a folder of tables.")
@click.option("--output", "-o", "output_name", type=click.Path(), required=True,
              help="File to write (a folder for tsv), or - for standard output. Written atomically; only a "
              "file or folder an earlier export wrote is ever replaced.")
def export(paths: tuple[Path, ...], fmt: str, output_name: str) -> None:
    """Publish the corpus as JSON-LD, Turtle, N-Triples, plain JSON or TSV tables.

    Only a valid corpus is exported; nothing is written when validation fails (exit 1), and
    files are replaced atomically, so a reader never sees half an export. An output path that
    holds something respirocell did not write is refused (exit 2).

    \b
    Examples:
      respirocell export --format jsonld --output build/respirocell.jsonld
      respirocell export --format turtle --output build/respirocell.ttl
      respirocell export --format json --output build/respirocell.json
      respirocell export --format tsv --output build/tables
      respirocell export --format turtle --output - | gzip > respirocell.ttl.gz
    """
    from .export import ExportError, export_corpus, render_bytes
    from .reporters import clean, no_command
    from .validation import valid_records

    if output_name == "-":  # as written: './-' is a file of that name
        if fmt == "tsv":
            raise click.BadParameter("the tsv export is a folder of tables; give a folder name",
                                     param_hint="'--output'")
        with publishing("Nothing exported"):
            data = render_bytes(valid_records(default_paths(paths)), fmt)
            stream = getattr(sys.stdout, "buffer", None)
            if stream is None:
                raise OSError(errno.EBADF, "standard output is closed")
            try:
                stream.write(data)
                stream.flush()
            except BrokenPipeError:  # the reader stopped early (| head): its choice, not an error
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    output = Path(output_name)
    with publishing("Nothing exported"):
        try:
            written = export_corpus(default_paths(paths), fmt, output)
        except ExportError as exc:
            raise click.BadParameter(str(exc), param_hint="'--output'") from None
    click.echo(no_command(f"wrote {clean(written)}"))


@cli.command()
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a file (see queries/ for examples).")
@click.option("--records", "records_dir", type=click.Path(exists=True, path_type=Path), default=DEFAULT_RECORDS,
              show_default=True, help="The records folder to query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="json is the W3C SPARQL 1.1 results format.")
def query(sparql: str | None, query_file: Path | None, records_dir: Path, fmt: str) -> None:
    """Run a SPARQL 1.1 SELECT or ASK query over the valid corpus, with no server.

    The schema's prefixes (schema:, MONDO:, NCIT:, respirocell: ...) need no PREFIX lines.
    A query that does not parse is a usage error (exit 2) naming its line and column.

    \b
    Examples:
      respirocell query 'SELECT (COUNT(?s) AS ?n) WHERE { ?s a schema:MedicalTrial }'
      respirocell query --file queries/studies-per-condition-and-phase.rq --format csv
    """
    from .query import MAX_QUERY_LENGTH, QueryError, corpus_store, render

    if (sparql is None) == (query_file is None):
        raise click.UsageError("give a query, or --file with one (not both)")
    if query_file is not None:
        from .fsio import read_regular

        try:
            sparql = read_regular(query_file, 4 * MAX_QUERY_LENGTH).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror or str(exc)
            raise click.BadParameter(f"cannot read the query: {reason}", param_hint="'--file'") from None
    text = str(sparql)
    with publishing("Nothing queried"):
        try:
            click.echo(render(corpus_store([records_dir]), text, fmt), nl=False)
        except QueryError as exc:
            where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
            raise click.UsageError(exc.message + where) from None


@cli.command("new")
@click.argument("kind", type=click.Choice([k.cli_name for k in schema.kinds()]))
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
    from .reporters import clean, no_command
    from .templates import InvalidRecordId, create_record

    if not records_dir.is_dir():
        raise click.UsageError(f"there is no {records_dir}/ folder here; run from the repository root or give "
                               "--records-dir")
    try:
        path = create_record(records_dir, kind, record_id)
    except InvalidRecordId as exc:
        raise click.BadParameter(str(exc), param_hint="'ID'") from None
    except OSError as exc:  # it exists already, or the folder cannot be written
        click.echo(f"error: {exc.strerror if exc.strerror else exc}", err=True)
        sys.exit(EXIT_INVALID)
    shown = no_command(clean(display_path(path)))
    click.echo(f"wrote {shown}\n"
               f"Fill in every TODO from the sources you cite (delete optional fields they do not give), then run:\n"
               f"  respirocell validate {shown}\n"
               f"  respirocell fmt {shown}")


@cli.command("fmt")
@records_argument
@click.option("--check", is_flag=True,
              help="Change nothing: list the files that are not formatted and exit 1 if there are any.")
@output_format("text", "json", "github")
def fmt_records(paths: tuple[Path, ...], check: bool, fmt: str) -> None:
    """Rewrite records in the canonical layout, keeping comments and meaning.

    Keys are put in schema order, indentation is 2 spaces with list items under their key,
    text is quoted only where needed (always where YAML 1.1 tools would misread it, as NO or
    yes) and long text is folded at 100 columns. The result must parse to exactly the same
    data, keep every comment and be stable, or the file is left alone and reported
    (format-unsafe); the other files are still formatted. Files are replaced atomically,
    symlinks and file modes are kept.

    Exit status: 0 all formatted (or, with --check, nothing to change), 1 a file would change
    (--check) or could not be formatted, 2 usage error.

    \b
    Examples:
      respirocell fmt
      respirocell fmt records/studies/start-msc-ards-phase-2a.yaml
      respirocell fmt --check --format github
    """
    from .formatting import format_paths
    from .reporters import clean, counted, no_command

    run = format_paths(default_paths(paths), check=check)
    if fmt == "text":
        for name in run.changed:
            click.echo(no_command(clean(name) if check else f"reformatted {clean(name)}"))
        problems = [i for i in run.report.issues if i.code != "unformatted"]
        if problems:
            from .issues import Report
            from .reporters import render_text

            shown = render_text(Report(issues=problems)).splitlines(keepends=True)[:-1]
            click.echo("".join(shown), nl=False, err=True)
        verb = "would be reformatted" if check else "reformatted"
        failed = sum(1 for i in run.report.issues if i.code != "unformatted")
        summary = f"{counted(len(run.changed), 'file')} {verb}, {run.unchanged} already formatted"
        click.echo(summary + (f", {failed} could not be formatted" if failed else ""), err=True)
        if check and run.changed:
            them = "it" if len(run.changed) == 1 else "them"
            click.echo(f"run 'respirocell fmt' (with the same paths) to format {them}", err=True)
    else:
        render_report(run.report, fmt)
    sys.exit(EXIT_OK if run.report.ok() else EXIT_INVALID)


def main() -> None:
    cli(prog_name="respirocell")


if __name__ == "__main__":  # pragma: no cover
    main()
