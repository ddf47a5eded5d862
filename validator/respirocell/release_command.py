"""``respirocell diff`` and ``respirocell release``: parse options, call the library, render, exit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .cli import EXIT_OK, publishing, records_argument

DEFAULT_RECORDS = Path("records")


@click.command("diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--records", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RECORDS,
              show_default=True, help="The records folder; a git ref is read at this path of the repository.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text for people (coloured on a terminal), markdown for a pull request or changelog, json for "
              "programs (versioned).")
def diff(old: str | None, new: str | None, records: Path, fmt: str) -> None:
    """Show what changed in the evidence between two versions of the records.

    OLD and NEW are folders of records or git refs (a branch, tag or commit). OLD defaults to
    the merge base with the default branch, NEW to the records folder of the working tree.
    Records are compared as data: per record, added, removed or changed, with the fields that
    changed and their old and new values. Formatting, comments, key order and the order of
    arms, outcomes, registrations and publications are not changes. Exit status: 0 whatever
    the diff, 2 when a side cannot be read (an unknown ref).

    \b
    Examples:
      respirocell diff
      respirocell diff origin/main
      respirocell diff v2026.10.1 v2026.11.1 --format json
      respirocell diff origin/main --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from .changes import ChangeError
    from .diff import diff_sides, render_json, render_markdown, render_text

    try:
        changes = diff_sides(old, new, records)
    except ChangeError as exc:  # a DiffError, or git's
        raise click.BadParameter(str(exc), param_hint="'OLD' / 'NEW'") from None
    if fmt == "json":
        click.echo(render_json(changes), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(changes), nl=False)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_text(changes, color=color), nl=False, color=color)
    sys.exit(EXIT_OK)


@click.command("release")
@click.argument("version")
@records_argument
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder to write the release into: new, empty, or an earlier release.")
@click.option("--previous", metavar="REF", default=None,
              help="Write the changelog against this git ref or folder instead of the newest release tag.")
def release(version: str, paths: tuple[Path, ...], output: Path, previous: str | None) -> None:
    """Build release VERSION (YYYY.MM.N) of the corpus into one folder.

    The folder holds every export (JSON-LD, Turtle, N-Triples, plain JSON, TSV tables with
    their data package), CHANGELOG.md (the diff since the newest vYYYY.MM.N tag),
    MANIFEST.sha256, CITATION.cff and dataset.jsonld (schema.org/DCAT metadata). The same
    records and version give byte-identical files. Only a valid corpus is released (exit 1
    otherwise); a VERSION that is not newer than the newest release tag, or an output folder
    holding other files, is a usage error (exit 2).

    Check a downloaded release with 'sha256sum -c MANIFEST.sha256' inside its folder.

    \b
    Examples:
      respirocell release 2026.11.1 --output build/release
      respirocell release 2026.11.2 --previous v2026.10.1 --output build/release
    """
    from .cli import default_paths
    from .diff import summary_line
    from .export import ExportError
    from .release import ReleaseError, build_release
    from .validation import PartialCorpusError

    with publishing("Nothing released"):
        try:
            done = build_release(default_paths(paths), version, output, previous)
        except (ReleaseError, ExportError, PartialCorpusError) as exc:
            raise click.UsageError(str(exc)) from None
    from .reporters import clean, no_command

    counts = ", ".join(f"{n} {name}" for name, n in done.counts.items())
    since = f"changes since {done.previous}" if done.previous else "changes: first release"
    click.echo(no_command(f"wrote {clean(str(output))}/ (release {done.version} of {done.date or 'undated'}: {counts}; "
                          f"{len(done.files) + 1} files)") + f"\n{since}: {summary_line(done.changes)}")
    sys.exit(EXIT_OK)
