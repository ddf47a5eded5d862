"""fsio.unusable_output: why an output folder cannot be built beside and swapped in (the site,
a release and the tsv export ask it before any work)."""

from __future__ import annotations

from pathlib import Path

import pytest

from respirocell.fsio import unusable_output

LONG = "a" * 250


@pytest.mark.parametrize(("output", "message"), [
    ("../afile/x", "../afile is not a folder, so ../afile/x cannot be made in it"),
    (f"../{LONG}", f"the folder name '{LONG}' is 250 bytes long; it may be at most 238 here, as the build needs "
                   "room for '.<name>.respirocell-new' beside it"),
    (f"../{LONG}xxxxxx/out", f"the folder name '{LONG}xxxxxx' is 256 bytes long; it may be at most 255 here"),
    (".", ". is the current folder or holds it; give a folder of its own"),
    ("..", ".. is the current folder or holds it; give a folder of its own"),
    ("../records", "../records holds the records; give a folder of its own"),
    ("../records/studies", None),  # inside the records is not holding them: loading.inside_records says that
    ("../new/site", None),
])
def test_an_output_that_cannot_be_swapped_in_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str,
                                                      message: str | None) -> None:
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    (tmp_path / "records" / "studies").mkdir(parents=True)
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert unusable_output(Path(output), [Path("../records")]) == message
