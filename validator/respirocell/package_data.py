"""The package's own data files (generated schema artifacts, the term table), read by path.

``importlib.resources`` would also find them inside a zip, but importing it costs 6 ms of
every run (tempfile, zip support) and this package is always installed as plain files.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent


def read_text(relative: str) -> str:
    """The text of ``relative`` (e.g. "_generated/identifiers.json") inside the package."""
    return (PACKAGE / relative).read_text(encoding="utf-8")
