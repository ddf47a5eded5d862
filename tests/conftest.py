from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

TESTS = Path(__file__).parent
REPO = TESTS.parent
BASE = TESTS / "data" / "base"
CASES = TESTS / "cases"


def build_corpus(dest: Path) -> Path:
    """Copy the valid base corpus to ``dest``/records."""
    records = dest / "records"
    shutil.copytree(BASE, records)
    return records


def case_doc(case: Path) -> dict[str, Any]:
    return yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def case_bytes(case: Path) -> bytes:
    """The bytes of the one file a case changes: a few line edits of a base file, or whole content.

    ``edits`` replace base lines [first, last] (1-based, inclusive; last = first - 1 inserts)
    with ``new`` lines, applied bottom-up so line numbers refer to the base file."""
    doc = case_doc(case)
    encoding = doc.get("encoding", "utf-8")
    if "content" in doc:
        return str(doc["content"]).encode(encoding)
    lines = (BASE / doc["file"]).read_text(encoding="utf-8").split("\n")
    for edit in sorted(doc["edits"], key=lambda e: e["lines"][0], reverse=True):
        first, last = edit["lines"]
        lines[first - 1:last] = edit["new"]
    return "\n".join(lines).encode(encoding)


def apply_case(dest: Path, case: Path) -> Path:
    """The base corpus under ``dest``/records with the case's file laid on top."""
    records = build_corpus(dest)
    target = records / case_doc(case)["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case_bytes(case))
    return records


@pytest.fixture
def base_corpus(tmp_path: Path) -> Path:
    return build_corpus(tmp_path)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """A folder ``build`` fills, made once per test run however many xdist workers ask for it:
    the first takes a lock and builds, the others wait and reuse (the same files for all)."""
    base = tmp_path_factory.getbasetemp()
    # An xdist worker's folder sits in the run's own one, which the workers share (never an earlier run's).
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = shared / name
    try:
        import fcntl
    except ImportError:  # no flock (Windows): each worker builds its own
        target = tmp_path_factory.mktemp(name) / name
        build(target)
        return target
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / f"{name}.done").exists():
            shutil.rmtree(target, ignore_errors=True)
            build(target)
            (shared / f"{name}.done").touch()
    return target


@pytest.fixture(scope="session")
def real_records() -> list[Any]:
    """The committed records, validated once per worker (read them, never change them)."""
    from respirocell.validation import valid_records

    return valid_records([REPO / "records"])


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the committed records (every download), built once per run; read it, never change it."""
    from respirocell.site import build_site

    return built_once(tmp_path_factory, "real-site", lambda out: build_site([REPO / "records"], out))
