"""respirocell: validate and export the registry of stem-cell therapy studies for respiratory disease.

The library is usable without the CLI::

    from respirocell import load_records, validate_paths
    report = validate_paths(["records"])
    studies = [r for r in load_records() if r.__class__.__name__ == "Study"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["InvalidCorpusError", "Issue", "Report", "Severity", "__version__", "load_records", "valid_records",
           "validate_paths"]

if TYPE_CHECKING:
    from .api import load_records
    from .issues import Issue, Report, Severity
    from .validation import InvalidCorpusError, valid_records, validate_paths


def __getattr__(name: str) -> Any:
    # Lazy: `respirocell --help` must not pay for jsonschema, pydantic or rdflib.
    if name in ("Issue", "Report", "Severity"):
        from . import issues

        return getattr(issues, name)
    if name in ("InvalidCorpusError", "valid_records", "validate_paths"):
        from . import validation

        return getattr(validation, name)
    if name == "load_records":
        from .api import load_records

        return load_records
    raise AttributeError(name)
