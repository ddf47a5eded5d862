"""``respirocell import`` and ``respirocell registry-check``: parse options, call the library, render, exit."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REGISTRY = 0, 1, 2, 3
RECORDS = Path("records")


@click.command("import")
@click.argument("nct_id", metavar="NCT_ID", required=False)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write ('-' for standard output). Default: records/studies/<ID>.yaml.")
@click.option("--from-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Import a saved API v2 response (GET /api/v2/studies/NCT_ID) instead of fetching it.")
@click.option("--id", "record_id", default=None, help="The record id (default: from the acronym and phase).")
@click.option("--records-dir", type=click.Path(file_okay=False, path_type=Path), default=RECORDS, show_default=True,
              help="The records folder: conditions are suggested from it, and the draft is written into it.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a request may take, its whole answer included (a pause the registry asks "
                   "for with HTTP 429 comes on top).")
def import_study(nct_id: str | None, output: Path | None, from_file: Path | None, record_id: str | None,
                 records_dir: Path, timeout: float) -> None:
    """Draft a study record from its ClinicalTrials.gov entry (API v2).

    The draft holds the registry's facts - title, acronym, other registrations, status, dates,
    sponsor, phase, design, enrollment, arms, outcomes, countries, results papers and, when
    results are posted, the posted numbers and serious adverse events - and names the NCT id
    in curation.sources for every field it filled. What needs judgement (cell source, dose,
    route, condition ids, outcome categories, result directions, your name) is a TODO that
    fails validation, under a comment quoting the registry text to read it from. The file is
    written in canonical form; an existing file is never overwritten, and a study already in
    records/studies/ is refused (use registry-check) unless --output is given.

    Exit status: 0 written, 1 nothing written (file exists, id already curated, no such study,
    withdrawn study), 2 usage error, 3 the registry could not be read (no network, rate
    limited, timeout, a malformed answer, a saved one given to --from-file included). Set
    RESPIROCELL_CTGOV_API to use another server.

    \b
    Examples:
      respirocell import NCT02097641
      respirocell import NCT02097641 --output records/studies/start-msc-ards-phase-2a.yaml
      respirocell import --from-file NCT02097641.json --output -
    """
    from .. import schema
    from ..fsio import write_atomic
    from ..loading import display_path
    from ..reporters import clean, no_command
    from .api import AlreadyCurated, import_draft
    from .client import MalformedResponse, RegistryClient, RegistryError, RegistryUnavailable

    if record_id is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", record_id):
        raise click.BadParameter("lower-case letters, digits and single hyphens, e.g. start-msc-ards-phase-2a",
                                 param_hint="'--id'")
    if nct_id is None and from_file is None:
        raise click.UsageError("give an NCT id (respirocell import NCT02097641) or --from-file STUDY.json")
    try:
        records_here = records_dir.is_dir()
    except OSError as exc:  # a name too long for the system
        raise click.BadParameter(f"cannot use it: {exc.strerror or exc}", param_hint="'--records-dir'") from None
    if output is None and not records_here:  # the draft goes there, checked against the studies in it
        raise click.UsageError(f"there is no {records_dir}/ folder here; run from the repository root, or give "
                               "--records-dir with the records folder, or --output")
    try:
        draft = import_draft(nct_id, from_file=from_file, records_dir=records_dir, record_id=record_id,
                             source=RegistryClient(timeout=timeout),
                             check_duplicates=output is None)
    except ValueError as exc:
        raise click.UsageError(clean(str(exc), 1000)) from None
    except AlreadyCurated as exc:
        shown = no_command(clean(display_path(exc.path)))
        click.echo(f"error: {clean(exc.nct_id)} is already curated in {shown}; see what changed "
                   f"with:\n  respirocell registry-check {shown}", err=True)
        sys.exit(EXIT_FINDINGS)
    except (RegistryUnavailable, MalformedResponse) as exc:
        click.echo(f"error: {clean(exc.message, 1000)}", err=True)  # registry text: escaped
        sys.exit(EXIT_REGISTRY)
    except RegistryError as exc:  # not found, withdrawn
        click.echo(f"error: {clean(exc.message, 1000)}", err=True)  # registry text: escaped
        sys.exit(EXIT_FINDINGS)
    if output is not None and str(output) == "-":
        click.echo(draft.text, nl=False)
        sys.exit(EXIT_OK)
    target = output or records_dir / schema.kind("Study").folder / f"{draft.record_id}.yaml"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, draft.text.encode("utf-8"), exclusive=True)  # whole or not at all, never over a file
    except FileExistsError:
        other = "another --output" if output is not None else "--output or --id"
        click.echo(f"error: {clean(display_path(target))} exists; not overwritten (give {other})", err=True)
        sys.exit(EXIT_FINDINGS)
    except OSError as exc:
        click.echo(f"error: cannot write {clean(display_path(target))}: {exc.strerror}", err=True)
        sys.exit(EXIT_FINDINGS)
    shown = no_command(clean(display_path(target)))
    suggested = ", ".join(cid for cid, _ in draft.suggested_conditions) or "none"
    click.echo(f"wrote {shown} (draft of {clean(draft.nct_id)}; suggested conditions: {clean(suggested)})\n"
               f"Fill in every TODO from the registry text quoted above it, then run:\n"
               f"  respirocell validate {shown}\n"
               f"  respirocell fmt {shown}")


@click.command("registry-check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--cache", type=click.Path(exists=True, path_type=Path), default=None,  # a folder: checked below
              help="Read saved API v2 responses (<NCT id>.json) from this folder instead of fetching.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs (versioned, as validate), github for annotations.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds each request may take, its whole answer included (a pause the registry "
                   "asks for with HTTP 429 comes on top).")
def registry_check(paths: tuple[Path, ...], cache: Path | None, fmt: str, timeout: float) -> None:
    """Report what moved on ClinicalTrials.gov since studies were curated.

    Each study whose first registration is an NCT id is compared with the registry's current
    entry (fetched at under three requests a second, or read from --cache). Findings name the
    file and line: registry-status-changed, registry-results-posted,
    registry-enrollment-differs, registry-completion-passed, registry-arms-differ,
    registry-phase-differs, registry-not-found. The records must validate first.

    Exit status: 0 nothing moved, 1 something moved (or the records do not validate), 2 usage
    error, 3 the registry could not be read (no network, rate limited, timeout, malformed answer,
    a --cache folder with no response for any of the studies).

    \b
    Examples:
      respirocell registry-check
      respirocell registry-check records/studies/pneumostem-severe-bpd-phase-2.yaml
      respirocell registry-check --cache saved-responses/ --format json
    """
    from ..reporters import REPORTERS, clean, render_text
    from ..validation import InvalidCorpusError
    from .api import check_paths
    from .client import RegistryClient, RegistryError

    if cache is not None and not cache.is_dir():  # click's file_okay=False lets a pipe through
        raise click.UsageError("--cache must be a folder")
    if not paths and not RECORDS.is_dir():
        raise click.UsageError("no PATHS given and there is no records/ folder here; run from the repository root "
                               "or name the files to check")
    try:
        checked = check_paths(list(paths) or [RECORDS], cache=cache,
                              source=None if cache else RegistryClient(timeout=timeout))
    except InvalidCorpusError as exc:
        click.echo(render_text(exc.report), err=True, nl=False)
        click.echo("Nothing compared: fix the errors above first (respirocell validate).", err=True)
        sys.exit(EXIT_FINDINGS)
    except RegistryError as exc:
        click.echo(f"error: {clean(exc.message, 1000)}", err=True)  # registry text: escaped
        sys.exit(EXIT_REGISTRY)
    report = checked.report
    if checked.not_cached and not report.files_checked:  # a wrong or empty --cache must not pass as "nothing moved"
        click.echo(f"error: nothing compared: {clean(str(cache))} holds no saved response (<NCT id>.json) for any "
                   f"of the {len(checked.not_cached)} studies", err=True)
        sys.exit(EXIT_REGISTRY)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    kwargs = {"color": color} if fmt == "text" else {}
    click.echo(REPORTERS[fmt](report, **kwargs), nl=False)
    if checked.not_cached:
        click.echo(f"not compared: {len(checked.not_cached)} studies have no saved response in {clean(str(cache))}",
                   err=True)
    sys.exit(EXIT_OK if not report.issues else EXIT_FINDINGS)
