"""The static catalog site: one page per study, cell source and condition, a searchable and
faceted study list, an evidence map and the downloads, built from the validated corpus.

``build_site(paths, output)`` is the library entry point; ``respirocell site`` the command.
Names are imported from ``build`` on first use, so ``respirocell site --help`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DOWNLOAD_FORMATS", "OutputNotASite", "SiteSummary", "build_site"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
