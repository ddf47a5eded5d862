"""The code passes ruff, as configured in pyproject.toml; the failure names the command to run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is a development dependency")
def test_ruff() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "validator", "tests", "tools", "benchmarks"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, "fix with: ruff check --fix validator tests tools benchmarks\n" + done.stdout


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is a development dependency")
def test_mypy_strict() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "validator/respirocell"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, "run: mypy validator/respirocell\n" + done.stdout


def test_no_pattern_takes_other_scripts_digits() -> None:
    r"""In Python, \d matches any script's digits (full-width, Arabic-Indic ...); identifiers are
    ASCII, so the package's and the schema's patterns say [0-9] (Bioregistry's, which use \d, are
    compiled ASCII-only by ``identifiers.pattern``)."""
    import re

    code = re.compile(r"""re\.(?:compile|match|fullmatch|search|sub)\(\s*r?["'][^"']*\\d""")
    found = [f"{path.relative_to(REPO)}:{n}" for path in sorted((REPO / "validator" / "respirocell").rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if code.search(line)]
    schema_lines = (REPO / "schema" / "respirocell.yaml").read_text(encoding="utf-8").splitlines()
    schema = [n for n, line in enumerate(schema_lines, 1) if "pattern" in line and "\\d" in line]
    assert found == [] and schema == []


#: The package's modules that may write a file without ``fsio``, and why.
WRITES_ALLOWED = {
    "changes.py": "fills a temporary folder (diff's) with the blobs of a git ref",
    "site/build.py": "fills the staging folder fsio.replacing_folder gave it",
}


def test_every_write_goes_through_fsio() -> None:
    """A command writes a file with ``fsio.write_atomic`` and a folder with
    ``fsio.replacing_folder`` (see CONTRIBUTING), never with open(..., "w") or write_text, which
    leave half a file when the run is killed or the disk fills."""
    import re

    writes = re.compile(r"""\.write_(?:text|bytes)\(|\bopen\([^)]*["'][wax]b?\+?["']""")
    package = REPO / "validator" / "respirocell"
    found = {path.relative_to(package).as_posix() for path in package.rglob("*.py")
             if "_generated" not in path.parts and writes.search(path.read_text(encoding="utf-8"))}
    assert found == set(WRITES_ALLOWED)
