"""Write the counts of docs/coverage.md from the records (between its generated-table markers).

    python tools/coverage.py            # rewrite the tables
    python tools/coverage.py --check    # exit 1 if the document's tables are out of date

tests/test_coverage.py runs the check, so the counts in the document always match the corpus.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "coverage.md"
START, END = "<!-- generated: tools/coverage.py -->", "<!-- end generated -->"


def tables(records: Path = ROOT / "records") -> str:
    sys.path.insert(0, str(ROOT / "validator"))
    from respirocell.loading import discover, parse_text

    studies = [parse_text(p.read_bytes()) for p in discover([records / "studies"])]
    names = {p.stem: parse_text(p.read_bytes()).get("name", p.stem) for p in discover([records / "conditions"])}
    by_condition: Counter[str] = Counter(c for s in studies for c in set(s["conditions"]))
    with_results = Counter(c for s in studies if s["evidence_basis"] != "registry_only" for c in set(s["conditions"]))
    registries: Counter[str] = Counter()
    for s in studies:
        regs = {r["registry"] for r in s.get("registrations", [])}
        if not regs:
            registries["(no registration; publication only)"] += 1
        elif "clinicaltrials" in regs:
            registries["clinicaltrials" + (" (and another registry)" if len(regs) > 1 else "")] += 1
        else:
            registries[" + ".join(sorted(regs))] += 1
    outside = sum(1 for s in studies if s.get("registrations")
                  and "clinicaltrials" not in {r["registry"] for r in s["registrations"]})
    basis = Counter(s["evidence_basis"] for s in studies)
    lines = [START, "", f"Studies recorded: **{len(studies)}** in **{len(by_condition)}** conditions; "
             f"**{outside}** registered only outside ClinicalTrials.gov; "
             f"**{len(studies) - basis['registry_only']}** with results "
             f"({basis['published_results']} published, {basis['registry_results']} posted on the registry).", "",
             "| condition | studies | with results |", "| --- | ---: | ---: |"]
    lines += [f"| {names.get(c, c)} (`{c}`) | {n} | {with_results[c]} |"
              for c, n in sorted(by_condition.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += ["", "| registered in | studies |", "| --- | ---: |"]
    lines += [f"| {r} | {n} |" for r, n in sorted(registries.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join([*lines, "", END])


def render(doc: str, records: Path = ROOT / "records") -> str:
    head, _, rest = doc.partition(START)
    _, _, tail = rest.partition(END)
    return head + tables(records) + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    doc = DOC.read_text(encoding="utf-8")
    new = render(doc)
    if args.check:
        if new != doc:
            print("docs/coverage.md is out of date; run: python tools/coverage.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
