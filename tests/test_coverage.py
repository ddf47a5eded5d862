"""docs/coverage.md's counts are the corpus's: the generated tables must be up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_coverage_tables_match_the_records() -> None:
    done = subprocess.run([sys.executable, str(REPO / "tools" / "coverage.py"), "--check"], capture_output=True,
                          text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


def test_coverage_counts_are_the_corpus_counts(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "tools"))
    import coverage as tool  # tools/coverage.py

    studies = list((REPO / "records" / "studies").glob("*.yaml"))
    text = tool.tables()
    assert f"Studies recorded: **{len(studies)}**" in text
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and "(`" in ln]
    assert sum(int(r.split("|")[2]) for r in rows) >= len(studies)  # a study may name several conditions
