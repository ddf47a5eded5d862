"""Records as typed Python objects, for analyses that want attributes rather than dicts.

``load_records`` parses and type-checks with the generated pydantic models only; it does not
run the cross-record and semantic rules - use ``validate_paths`` for those.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .loading import discover, format_path, load_file

if TYPE_CHECKING:
    from ._generated.models import CellSource, Condition, Study

DEFAULT_RECORDS = Path("records")


def load_records(paths: Path | str | Iterable[Path | str] | None = None) -> list[Study | CellSource | Condition]:
    """The records under ``paths`` (a file or folder, or several; default: ``records/`` in the
    current folder) as pydantic models, in file-path order.

    Raises ValueError naming every file that cannot be read, parsed or type-checked, so one
    run shows all the problems rather than the first.
    """
    from pydantic import ValidationError

    from ._generated import models

    if paths is None:
        roots = [DEFAULT_RECORDS]
    elif isinstance(paths, (str, Path)):
        roots = [Path(paths)]
    else:
        roots = [Path(p) for p in paths]
    problems = [f"{root}: no such file or folder" for root in roots if not root.exists()]
    loaded: list[Study | CellSource | Condition] = []
    for path in discover(r for r in roots if r.exists()):
        record = load_file(path)
        for issue in record.problems:
            where = f"{record.display}:{issue.line}:{issue.column}" if issue.line else record.display
            problems.append(f"{where}: {issue.message}")
        if not record.parsed:
            continue
        if record.kind is None:
            problems.append(f"{record.display}: not in a studies/, cell_sources/ or conditions/ folder")
            continue
        model: type[Study | CellSource | Condition] = getattr(models, record.kind)
        try:
            loaded.append(model.model_validate(record.data))
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(f"{record.display}: {format_path(error['loc']) or '(record)'}: {error['msg']}")
    if problems:
        raise ValueError(f"{len(problems)} problem(s) loading records:\n  " + "\n  ".join(problems))
    return loaded
