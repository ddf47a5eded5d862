"""Time `respirocell site` against `respirocell export --format jsonld`, and the study list in a browser.

The corpus is made as benchmarks/bench_validate.py makes it (the real studies copied with new
ids and their own synthetic registry ids, DOIs and PMIDs, plus the real conditions and cell
sources) and must validate with no errors first. Both commands run as a user runs them, as
subprocesses on the same files; times are the best of ``--repeat`` runs. The site is timed
with the JSON-LD download only (its Turtle and N-Triples downloads are the export's rdflib
serialisations, timed on their own with ``--every-download``).

In the browser (Debian's chromium driven by Playwright), the study list of the built site is
opened from file:// and each filter step is timed inside the page, from the input event to the
next frame after layout: ticking a facet value, a second facet, typing a search word, clearing.
Nothing here asserts a timing: it measures and prints a markdown table.

    python benchmarks/bench_site.py --sizes 100,10000
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import REPO, Run, _fmt_mib, _fmt_s, _respirocell, _validate_json, best_of, generate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
#: One filter step, timed in the page: the change handler runs synchronously, then layout is
#: forced and the next animation frame awaited, so the time covers what the reader waits for.
STEP = """async ([selector, text]) => {
    const t0 = performance.now();
    if (selector === "#q") {
        const q = document.querySelector("#q"); q.value = text; q.dispatchEvent(new Event("input"));
    } else {
        document.querySelector(selector).click();
    }
    document.body.offsetHeight;
    await new Promise(r => requestAnimationFrame(() => r()));
    return [performance.now() - t0, document.querySelector("#status").textContent];
}"""

MOST_COMMON = """facet => {
    const boxes = Array.from(document.querySelectorAll(`input[name=${facet}]`));
    const count = b => Number(b.parentElement.querySelector(".count").textContent.replace(/\\D/g, ""));
    return boxes.sort((a, b) => count(b) - count(a))[0].value;
}"""
LONGEST_WORD = """() => document.querySelector("#study-table tbody tr:not([hidden]) a").textContent
    .split(/[^A-Za-z]+/).sort((a, b) => b.length - a.length)[0].toLowerCase()"""


def browser_steps(site: Path, repeat: int) -> list[tuple[str, float, str]]:
    """(step, median ms, status line) for each filter step on the site's study list."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        loads: list[float] = []
        results: dict[str, list[tuple[float, str]]] = {}
        for _ in range(repeat):
            page.goto((site / "studies" / "index.html").as_uri())
            page.wait_for_selector("#finder[data-indexed=true]")
            loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            first = page.eval_on_selector("input[name=condition]", "e => e.value")
            step = (f"tick a facet value (condition={first})", f"input[name=condition][value='{first}']", "")
            results.setdefault(step[0], []).append(page.evaluate(STEP, list(step[1:])))
            # The commonest phase among the studies left, and the longest word of the first one shown.
            phase = page.evaluate(MOST_COMMON, "phase")
            step = (f"tick a second facet (phase={phase})", f"input[name=phase][value='{phase}']", "")
            results.setdefault(step[0], []).append(page.evaluate(STEP, list(step[1:])))
            word = page.evaluate(LONGEST_WORD)
            for name, selector, text in [(f"type a search word ('{word}')", "#q", word),
                                         ("clear every filter", "#reset", "")]:
                results.setdefault(name, []).append(page.evaluate(STEP, [selector, text]))
        browser.close()
    rows = [("open the list (to the load event; MiniSearch indexes after it)", statistics.median(loads), "")]
    rows += [(name, statistics.median(ms for ms, _ in runs), runs[-1][1]) for name, runs in results.items()]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated numbers of studies (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept (default: 3)")
    parser.add_argument("--every-download", action="store_true",
                        help="also time the site with every download format (Turtle and N-Triples by rdflib: slow)")
    parser.add_argument("--skip-browser", action="store_true", help="do not time the study list in chromium")
    parser.add_argument("--out", type=Path, default=None, help="keep the corpora and sites in this folder")
    args = parser.parse_args(argv)
    base = args.out.resolve() if args.out else Path(tempfile.mkdtemp(prefix="respirocell-bench-site-"))
    base.mkdir(parents=True, exist_ok=True)
    rc = _respirocell()
    rows: list[str] = []
    browser_rows: list[str] = []
    try:
        for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
            dest = base / f"corpus-{n}"
            _repair(generate(REPO / "records", dest, n))
            summary = _validate_json(dest, "records")["summary"]
            if summary["errors"]:
                raise SystemExit(f"the generated corpus of {n} has {summary['errors']} errors; see {dest}")
            export = best_of([*rc, "export", "--format", "jsonld", "--output", str(dest / "export.jsonld"),
                              "records"], dest, args.repeat)
            site = dest / "site"
            built = best_of([*rc, "site", "--output", str(site), "--download", "jsonld", "records"], dest, args.repeat)
            if built.returncode != 0 or export.returncode != 0:
                raise SystemExit(f"a command failed on {n} studies (site {built.returncode}, export "
                                 f"{export.returncode}); run it in {dest} to see why")
            size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
            pages = sum(1 for _ in site.rglob("*.html"))
            largest = max(p.stat().st_size for p in site.rglob("*.html") if p != site / "studies" / "index.html")
            rows.append(_row("export --format jsonld", n, export, ""))
            rows.append(_row("site (pages + JSON-LD download)", n, built,
                             f"{built.seconds / export.seconds:.2f}x export; {pages:,} pages, {size / 2**20:.0f} MiB; "
                             f"largest page but the list {largest / 1024:.0f} KB, the list "
                             f"{(site / 'studies' / 'index.html').stat().st_size / 1024:.0f} KB"))
            if args.every_download:
                every = best_of([*rc, "site", "--output", str(dest / "site-all"), "records"], dest, 1)
                rows.append(_row("site (every download format)", n, every, f"{every.seconds / export.seconds:.2f}x "
                                 "export"))
            if not args.skip_browser:
                for name, ms, status in browser_steps(site, args.repeat):
                    browser_rows.append(f"| {name} | {n:,} | {ms:.0f} ms | {status} |")
            if args.out is None:
                shutil.rmtree(dest, ignore_errors=True)
    finally:
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"\n{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.system()} {platform.machine()}; best of {args.repeat}; peak RSS of the child process\n")
    print("| command | studies | time | peak RSS | note |")
    print("| --- | ---: | ---: | ---: | --- |")
    print("\n".join(rows))
    if browser_rows:
        print(f"\nStudy list in chromium (median of {args.repeat}; each step from the input event to the next "
              "frame after layout):\n")
        print("| step | studies | time | status line after the step |")
        print("| --- | ---: | ---: | --- |")
        print("\n".join(browser_rows))
    return 0


def _repair(files: list[Path]) -> None:
    """bench_validate.generate rewrites a registry id that a study's own id contains (the id
    ``...-nct04273646``), so such a copy's id no longer equals its file name: put it back, and
    drop a follow_up_of that no longer names a copied study."""
    stems = {p.stem for p in files}
    for path in files:
        text = path.read_text(encoding="utf-8")
        fixed = re.sub(r"^id:.*$", f"id: {path.stem}", text, count=1, flags=re.M)
        follow = re.search(r"^follow_up_of:\s*(\S+)\s*\n", fixed, re.M)
        if follow and follow.group(1) not in stems:
            fixed = fixed.replace(follow.group(0), "", 1)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def _row(name: str, n: int, run: Run, note: str) -> str:
    return f"| `{name}` | {n:,} | {_fmt_s(run)} | {_fmt_mib(run)} | {note} |"


if __name__ == "__main__":
    raise SystemExit(main())
