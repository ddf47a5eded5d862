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
