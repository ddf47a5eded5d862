"""Time `respirocell validate` against `linkml-validate` on the same generated corpus.

The corpus is made from the real records: every study in records/studies/ that validates is
copied N/len(studies) times with a new id and file name, and with synthetic registry ids, DOIs,
PMIDs and PMCIDs unique to each copy (so the duplicate-study rule does not fire); the real
conditions and cell sources are copied as they are. The generated corpus must validate with no
errors before anything is timed.

Both tools run as a user runs them: as subprocesses, on the same files, in one run, taking
turns (a, b, a, b) so that a shared machine's swings weigh on both alike. Wall-clock times are
the best of ``--repeat`` runs (one run above ``--single-run-above`` files); peak memory is the
child's max RSS from ``os.wait4``. Nothing here asserts a timing: it measures and prints
a markdown table.

    python benchmarks/bench_validate.py --sizes 1,10000,100000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schema" / "respirocell.yaml"
#: The parsing floor as most Python tools meet it: every study parsed by PyYAML's C loader,
#: in one process, nothing checked.
PARSE_ONLY = """
import glob, yaml
for name in sorted(glob.glob("records/studies/*.yaml")):
    with open(name, "rb") as f:
        yaml.load(f, Loader=yaml.CSafeLoader)
"""


# -- corpus -------------------------------------------------------------------------------


def _tool(name: str) -> str | None:
    """The console script ``name`` next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _respirocell() -> list[str]:
    script = _tool("respirocell")
    return [script] if script else [sys.executable, "-m", "respirocell"]


def _validate_json(cwd: Path, *paths: str) -> dict[str, Any]:
    done = subprocess.run([*_respirocell(), "validate", "--format", "json", *paths], cwd=cwd,
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"respirocell validate failed to run:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _templates(records: Path) -> list[tuple[str, str]]:
    """(id, text) of each real study that validates with no errors, with no follow-up of a
    dropped one."""
    report = _validate_json(records.parent, os.path.relpath(records, records.parent))
    failing = {Path(i["file"]).stem for i in report["issues"] if i["severity"] == "error"}
    if failing:
        print(f"note: left out {len(failing)} record(s) with errors: {', '.join(sorted(failing))}", file=sys.stderr)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((records / "studies").glob("*.yaml"))}
    texts = {k: v for k, v in texts.items() if k not in failing}
    while True:
        drop = {k for k, v in texts.items()
                if (m := re.search(r"^follow_up_of:\s*(\S+)", v, re.M)) and m.group(1) not in texts}
        if not drop:
            break
        texts = {k: v for k, v in texts.items() if k not in drop}
    if not texts:
        raise SystemExit("no study record validates; nothing to copy")
    return sorted(texts.items())


def _identifiers(text: str) -> list[tuple[str, str]]:
    """(kind, value) of the registry ids, DOIs, PMIDs and PMCIDs a study cites."""
    from respirocell.loading import parse_text

    data = parse_text(text.encode("utf-8"))
    found: list[tuple[str, str]] = []
    for reg in data.get("registrations") or []:
        if isinstance(reg, dict) and isinstance(reg.get("trial_id"), str):
            found.append((str(reg.get("registry")), reg["trial_id"]))
    for pub in data.get("publications") or []:
        if isinstance(pub, dict):
            found += [(key, pub[key]) for key in ("doi", "pmid", "pmcid") if isinstance(pub.get(key), str)]
    return found


class _Renamer:
    """Synthetic identifiers, each used once across the whole corpus."""

    def __init__(self) -> None:
        from respirocell.identifiers import prefix_table

        self.patterns = {k: re.compile(v["pattern"]) for k, v in prefix_table().items() if v.get("pattern")}
        self.counter = 0

    def new(self, kind: str, old: str) -> str:
        self.counter += 1
        n = self.counter
        if kind == "doi":
            return f"10.5555/bench.{n}"
        if kind == "pmid":
            return str(10_000_000 + n)
        if kind == "pmcid":
            return f"PMC{10_000_000 + n}"
        # A registry id: keep its shape (letters, separators, number of digits) and write the
        # counter into its digits, right to left.
        slots = [i for i, ch in enumerate(old) if ch.isdigit()]
        digits = str(n).zfill(len(slots))
        if not slots or len(digits) > len(slots):
            raise SystemExit(f"cannot make a synthetic id from {old!r}")
        chars = list(old)
        for i, digit in zip(slots, digits, strict=True):
            chars[i] = digit
        new = "".join(chars)
        pattern = self.patterns.get(kind)
        if pattern is not None and not pattern.match(new):
            raise SystemExit(f"synthetic {kind} id {new!r} (from {old!r}) does not match {pattern.pattern}")
        return new


def _rewrite(text: str, old_id: str, new_id: str, suffix: str, mapping: dict[str, str]) -> str:
    text = re.sub(rf"^id:\s*{re.escape(old_id)}\s*$", f"id: {new_id}", text, count=1, flags=re.M)
    text = re.sub(r"^(follow_up_of:\s*)(\S+)\s*$", lambda m: f"{m.group(1)}{m.group(2)}-{suffix}", text, flags=re.M)
    if mapping:
        # One pass, longest first, so a synthetic value is never rewritten again.
        alternation = "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
        lowered = {k.lower(): v for k, v in mapping.items()}
        pattern = re.compile(rf"(?<![0-9A-Za-z])(?i:{alternation})(?![0-9A-Za-z])")
        # Not in id lines: a record, arm or outcome id may spell a trial id in lower case.
        text = "".join(line if re.match(r"\s*(- )?id:", line) else
                       pattern.sub(lambda m: lowered[m.group(0).lower()], line)
                       for line in text.splitlines(keepends=True))
    return text


#: What each copy gets in the corpus where every record has a finding: an unknown field.
FINDING = "phaes: phase_2\n"


def generate(records: Path, dest: Path, n: int, with_findings: bool = False) -> list[Path]:
    """Write a corpus of ``n`` studies under ``dest``/records; returns the study files. With
    ``with_findings`` every study gets one finding (an unknown field), as after a schema change."""
    templates = _templates(records)
    idents = {rid: _identifiers(text) for rid, text in templates}
    out = dest / "records"
    if out.exists():
        shutil.rmtree(out)
    for folder in ("conditions", "cell_sources"):
        shutil.copytree(records / folder, out / folder)
    studies = out / "studies"
    studies.mkdir(parents=True)
    renamer = _Renamer()
    files: list[Path] = []
    batch = 0
    while len(files) < n:
        suffix = f"b{batch:05d}"
        # Per batch, so studies that share an identifier in the real records (a follow-up and
        # its original) share the synthetic one too, exactly as the originals do.
        synthetic: dict[str, str] = {}
        for rid, text in templates:
            if len(files) == n:
                break
            for kind, old in idents[rid]:
                if old.lower() not in synthetic:
                    synthetic[old.lower()] = renamer.new(kind, old)
            mapping = {old: synthetic[old.lower()] for _, old in idents[rid]}
            new_id = f"{rid}-{suffix}"
            path = studies / f"{new_id}.yaml"
            path.write_text(_rewrite(text, rid, new_id, suffix, mapping) + (FINDING if with_findings else ""),
                            encoding="utf-8")
            files.append(path)
        batch += 1
    # A follow-up whose original was not copied (the last batch is cut short) is dropped.
    written = {p.stem for p in files}
    for p in files:
        text = p.read_text(encoding="utf-8")
        m = re.search(r"^follow_up_of:\s*(\S+)\s*$", text, re.M)
        if m and m.group(1) not in written:
            p.write_text(text.replace(m.group(0), "", 1), encoding="utf-8")
    return files


# -- timing -------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_mib: float
    returncode: int


def run_once(cmd: Sequence[str], cwd: Path) -> Run:
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=null, stderr=null)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode)


def best_of(cmd: Sequence[str], cwd: Path, repeat: int) -> Run:
    return in_turns([cmd], cwd, repeat)[0]


def in_turns(cmds: Sequence[Sequence[str]], cwd: Path, repeat: int) -> list[Run]:
    """The best of ``repeat`` runs of each command, run in turns (a, b, a, b, ...): a shared
    machine that slows down or speeds up during the benchmark weighs on both tools alike."""
    runs: list[list[Run]] = [[] for _ in cmds]
    for _ in range(repeat):
        for cmd, done in zip(cmds, runs, strict=True):
            done.append(run_once(cmd, cwd))
    return [Run(min(r.seconds for r in done), max(r.max_rss_mib for r in done),
                min(done, key=lambda r: r.seconds).returncode) for done in runs]


def mine_and_peer(mine: Sequence[str], peer: Sequence[str] | None, cwd: Path, repeat: int) -> tuple[Run, Run | None]:
    if peer is None:
        return best_of(mine, cwd, repeat), None
    ours, theirs = in_turns([mine, peer], cwd, repeat)
    return ours, theirs


def _fmt_s(run: Run | None) -> str:
    if run is None:
        return "-"
    return f"{run.seconds * 1000:.0f} ms" if run.seconds < 1 else f"{run.seconds:.2f} s"


def _fmt_mib(run: Run | None) -> str:
    return "-" if run is None else f"{run.max_rss_mib:.0f} MiB"


def _ratio(a: Run | None, b: Run | None) -> str:
    return "-" if a is None or b is None or a.seconds == 0 else f"{b.seconds / a.seconds:.1f}x"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10000,100000",
                        help="comma-separated numbers of study records (default: %(default)s)")
    parser.add_argument("--skip-peer", action="store_true", help="do not run linkml-validate")
    parser.add_argument("--skip-export", action="store_true", help="do not time respirocell export --format jsonld")
    parser.add_argument("--export-max", type=int, default=10_000,
                        help="largest size the export is timed on (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the generated corpora, kept afterwards (default: a temporary folder, removed)")
    parser.add_argument("--records", type=Path, default=REPO / "records",
                        help="real records to copy (default: records/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept (default: 3)")
    parser.add_argument("--single-run-above", type=int, default=10_000,
                        help="sizes above this are timed once (default: %(default)s)")
    parser.add_argument("--peer-max", type=int, default=10_000,
                        help="largest size linkml-validate is run on; it takes the files as arguments, and "
                             "100,000 paths exceed the OS limit on a command line (default: %(default)s)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    peer = None if args.skip_peer else _tool("linkml-validate")
    if not args.skip_peer and peer is None:
        print("note: linkml-validate not found; peer columns left empty", file=sys.stderr)

    base = args.out.resolve() if args.out else Path(tempfile.mkdtemp(prefix="respirocell-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    rc = _respirocell()
    rows: list[str] = []
    notes: list[str] = []
    validate_times: dict[int, Run] = {}
    try:
        help_run = best_of([*rc, "--help"], REPO, max(args.repeat, 5))
        rows.append(f"| `respirocell --help` | - | {_fmt_s(help_run)} | {_fmt_mib(help_run)} | - | - | - |")
        for n in sizes:
            dest = base / f"corpus-{n}"
            t0 = time.perf_counter()
            files = generate(args.records, dest, n)
            made = time.perf_counter() - t0
            report = _validate_json(dest, "records")  # also warms the page cache for every run below
            summary = report["summary"]
            if summary["errors"]:
                codes = ", ".join(f"{k}: {v}" for k, v in summary["by_code"].items())
                raise SystemExit(f"the generated corpus of {n} has {summary['errors']} errors ({codes}); see {dest}")
            print(f"corpus of {n}: generated in {made:.1f} s, {summary['files']} files, 0 errors, "
                  f"{summary['warnings']} warnings", file=sys.stderr)
            repeat = args.repeat if n <= args.single_run_above else 1
            rel = [os.path.relpath(p, dest) for p in files]

            # One record, the pre-commit case: the rest of the corpus is there for references.
            one, peer_one = mine_and_peer([*rc, "validate", rel[0]],
                                          [peer, "-s", str(SCHEMA), "-C", "Study", rel[0]] if peer else None,
                                          dest, args.repeat)
            rows.append(f"| validate 1 record (corpus of {n:,}) | 1 | {_fmt_s(one)} | {_fmt_mib(one)} | "
                        f"{_fmt_s(peer_one)} | {_fmt_mib(peer_one)} | {_ratio(one, peer_one)} |")

            # Every record.
            if n > 1:
                peer_here = peer if n <= args.peer_max else None
                full, peer_full = mine_and_peer(
                    [*rc, "validate", "records"],
                    [peer_here, "-s", str(SCHEMA), "-C", "Study", *rel] if peer_here else None, dest, repeat)
                validate_times[n] = full
                rows.append(f"| validate all records | {n:,} | {_fmt_s(full)} | {_fmt_mib(full)} | "
                            f"{_fmt_s(peer_full)} | {_fmt_mib(peer_full)} | {_ratio(full, peer_full)} |")
                # The same corpus where every record has a finding: positions for every one.
                bad = base / f"findings-{n}"
                bad_files = generate(args.records, bad, n, with_findings=True)
                bad_rel = [os.path.relpath(p, bad) for p in bad_files]
                _validate_json(bad, "records")  # warm the page cache
                flagged, peer_bad = mine_and_peer(
                    [*rc, "validate", "records"],
                    [peer_here, "-s", str(SCHEMA), "-C", "Study", *bad_rel] if peer_here else None, bad, repeat)
                rows.append(f"| validate all records, each with a finding | {n:,} | {_fmt_s(flagged)} | "
                            f"{_fmt_mib(flagged)} | {_fmt_s(peer_bad)} | {_fmt_mib(peer_bad)} | "
                            f"{_ratio(flagged, peer_bad)} |")
                if args.out is None:
                    shutil.rmtree(bad, ignore_errors=True)
                floor = best_of([sys.executable, "-c", PARSE_ONLY], dest, repeat)
                rows.append(f"| parse only: `yaml.load(CSafeLoader)`, 1 process | {n:,} | {_fmt_s(floor)} | "
                            f"{_fmt_mib(floor)} | - | - | validate takes {full.seconds / floor.seconds:.2f}x this |")

                if not args.skip_export and n <= args.export_max:
                    target = base / f"export-{n}.jsonld"
                    export = best_of([*rc, "export", "--format", "jsonld", "--output", str(target), "records"],
                                     dest, repeat)
                    if export.returncode != 0 or not target.exists():
                        rows.append(f"| export JSON-LD | {n:,} | pending | - | - | - | - |")
                        notes.append(f"`respirocell export --format jsonld` exited {export.returncode} on {n:,} "
                                     "records (not available yet?)")
                    else:
                        rows.append(f"| export JSON-LD | {n:,} | {_fmt_s(export)} | {_fmt_mib(export)} | - | - | "
                                    f"{export.seconds / full.seconds:.2f}x validate |")
                        for fmt, label in (("turtle", "Turtle"), ("ntriples", "N-Triples")):
                            out = base / f"export-{n}.{fmt}"
                            rdf = best_of([*rc, "export", "--format", fmt, "--output", str(out), "records"], dest,
                                          repeat)
                            rows.append(f"| export {label} | {n:,} | {_fmt_s(rdf)} | {_fmt_mib(rdf)} | - | - | "
                                        f"{rdf.seconds / export.seconds:.2f}x JSON-LD export |")
            if args.out is None:
                shutil.rmtree(dest, ignore_errors=True)
    finally:
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)

    big = sorted(validate_times)
    for small, large in itertools.pairwise(big):
        growth = validate_times[large].seconds / validate_times[small].seconds
        notes.append(f"validate time grows {growth:.1f}x from {small:,} to {large:,} records "
                     f"({large / small:.0f}x the records)")

    print(f"\n{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.system()} {platform.machine()}; best of {args.repeat} (one run above "
          f"{args.single_run_above:,} records); peak RSS of the child process\n")
    print("| case | records | respirocell | peak RSS | linkml-validate | peak RSS | speed-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    if notes:
        print()
        print("\n".join(f"- {n}" for n in notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
