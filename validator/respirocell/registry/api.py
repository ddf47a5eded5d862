"""The two library entry points behind ``respirocell import`` and ``respirocell registry-check``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import schema
from ..formatting import FormatError
from ..loading import read_bounded
from ..yaml_core import YamlProblem
from .client import (
    NCT_ID,
    CacheDir,
    MalformedResponse,
    RegistryClient,
    StudySource,
    check_nct_id,
    is_study,
    read_study,
    refuse_withdrawn,
    study_ids,
)
from .draft import Draft, build_draft
from .drift import DriftCheck, registry_check
from .vocab import load_condition_records


@dataclass(frozen=True)
class AlreadyCurated(Exception):
    """The registry id is already in a study record: check it with registry-check instead."""

    nct_id: str
    path: Path


def find_study_with(records_dir: Path, nct_id: str) -> Path | None:
    """The study record that registers ``nct_id``, if any (a text search: this runs before any validation)."""
    pattern = re.compile(rf"^\s*trial_id:\s*[\"']?{re.escape(nct_id)}[\"']?\s*$", re.M)
    folder = records_dir / schema.kind("Study").folder
    for path in sorted(folder.glob("*.yaml")):
        try:
            if pattern.search(read_bounded(path, folder).decode("utf-8")):
                return path
        except (YamlProblem, UnicodeDecodeError):  # not a readable record: validate says why
            continue
    return None


def import_draft(nct_id: str | None, *, from_file: Path | None = None, records_dir: Path = Path("records"),
                 record_id: str | None = None, source: StudySource | None = None, check_duplicates: bool = True,
                 today: dt.date | None = None) -> Draft:
    """A draft record for one study, fetched (or read from a saved API v2 response).

    Raises ValueError for an id that is not an NCT id or does not match the file, AlreadyCurated,
    and the client's RegistryError subclasses (StudyNotFound, StudyWithdrawn, RegistryUnavailable,
    MalformedResponse).
    """
    wanted = check_nct_id(nct_id) if nct_id else None
    if from_file is not None:
        try:
            study = read_study(from_file)
        except FileNotFoundError:
            raise MalformedResponse(f"{from_file} does not exist") from None
        if wanted and not is_study(study, wanted):
            raise ValueError(f"{from_file} holds {study['protocolSection']['identificationModule']['nctId']}, "
                             f"not {wanted}")
    elif wanted:
        study = (source or RegistryClient()).get(wanted)
    else:
        raise ValueError("give an NCT id, or --from-file with a saved API v2 response")
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    refuse_withdrawn(study, nct)
    for known in study_ids(study) if check_duplicates else []:  # its id, or one merged into it (the one asked for)
        existing = find_study_with(records_dir, known) if NCT_ID.fullmatch(known) else None
        if existing is not None:
            raise AlreadyCurated(known, existing)
    folder = records_dir / schema.kind("Condition").folder
    conditions = load_condition_records(folder) if folder.is_dir() else []
    try:
        return build_draft(study, conditions=conditions, record_id=record_id, today=today)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a field of an unexpected type
        raise MalformedResponse(f"{nct}: the study does not have the shape of an API v2 record "
                                f"({type(exc).__name__}: {exc})") from None
    except (YamlProblem, FormatError) as exc:  # text the canonical form cannot hold; please report it
        raise MalformedResponse(f"{nct}: the draft could not be written in canonical form ({exc})") from None


def check_paths(paths: Iterable[Path], *, cache: Path | None = None, source: StudySource | None = None,
                today: dt.date | None = None) -> DriftCheck:
    """registry-check over the studies in ``paths``; InvalidCorpusError if they do not validate first."""
    from ..validation import valid_records

    records = valid_records(list(paths))
    return registry_check(records, source or (CacheDir(cache) if cache else RegistryClient()), today)
