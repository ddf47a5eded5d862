from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
BASE = TESTS / "data" / "base"
CASES = TESTS / "cases"


def build_corpus(dest: Path, *overlays: Path) -> Path:
    """Copy the valid base corpus to ``dest``/records and lay each overlay's records/ on top."""
    records = dest / "records"
    shutil.copytree(BASE, records)
    for overlay in overlays:
        shutil.copytree(overlay / "records", records, dirs_exist_ok=True)
    return records


@pytest.fixture
def base_corpus(tmp_path: Path) -> Path:
    return build_corpus(tmp_path)
