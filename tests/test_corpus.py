"""The corpus around the checked files: which records are "others", and how they are found."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from respirocell import corpus as corpus_module
from respirocell import parallel
from respirocell.corpus import Corpus, _alternation, find_root
from respirocell.loading import RecordFile, discover, is_record_file, kind_of


def _reference_others(targets: list[RecordFile], paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Roots and others computed the plain way: every path resolved on its own."""
    roots = sorted({r for r in (find_root(p) for p in [*paths, *(t.path for t in targets)]) if r is not None})
    seen = {t.path.resolve() for t in targets}
    others = [p for root in roots for folder in ("studies", "cell_sources", "conditions")
              if (root / folder).is_dir()
              for p in sorted((root / folder).iterdir()) if is_record_file(p) and p.resolve() not in seen]
    return roots, others


def _records(paths: list[Path]) -> list[RecordFile]:
    return [RecordFile(path=p, display=str(p), kind=kind_of(p)) for p in paths]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A corpus with the awkward cases: a study linked to another, a link to a file outside,
    a folder named like a record, a broken link, and a second way into the same folder."""
    records = tmp_path / "records"
    for folder in ("studies", "cell_sources", "conditions"):
        (records / folder).mkdir(parents=True)
    for name in ("a", "b", "c"):
        (records / "studies" / f"{name}.yaml").write_text(f"id: {name}\n")
    (records / "conditions" / "x.yaml").write_text("id: x\n")
    (records / "studies" / "alias.yaml").symlink_to(records / "studies" / "a.yaml")
    (tmp_path / "outside.yaml").write_text("id: outside\n")
    (records / "studies" / "outside.yaml").symlink_to(tmp_path / "outside.yaml")
    (records / "studies" / "folder.yaml").mkdir()
    (records / "studies" / "broken.yaml").symlink_to(tmp_path / "missing.yaml")
    (records / "studies" / ".hidden.yaml").write_text("")
    (tmp_path / "door").symlink_to(records)
    monkeypatch.chdir(tmp_path)
    return records


@pytest.mark.parametrize("chosen", [
    [], ["records/studies/a.yaml"], ["records/studies/alias.yaml"], ["door/studies/a.yaml"],
    ["records/studies/a.yaml", "door/studies/b.yaml", "records/studies/outside.yaml"],
    ["records/studies/missing.yaml"], ["records/studies/broken.yaml"], ["records/conditions/x.yaml"],
    ["outside.yaml"], ["records/studies/../studies/c.yaml"],
])
def test_others_are_what_resolving_each_path_gives(tree: Path, chosen: list[str]) -> None:
    targets = _records([Path(c) for c in chosen])
    paths = [Path("records")]
    corpus = Corpus.from_records(targets, paths)
    roots, others = _reference_others(targets, paths)
    assert corpus.roots == roots
    assert corpus.other_paths == others


def test_every_file_checked_leaves_no_others(tree: Path) -> None:
    files = discover([Path("records")])
    corpus = Corpus.from_records(_records(files), [Path("records")])
    assert _reference_others(_records(files), [Path("records")])[1] == corpus.other_paths


def test_discover_matches_path_order(tree: Path) -> None:
    files = discover([Path("records"), Path("records/studies"), Path("./records/conditions/x.yaml"), Path("door")])
    expected = set()
    for root in ("records", "door"):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            expected |= {Path(dirpath, n) for n in filenames if is_record_file(Path(n))}
    assert files == sorted(expected)


@pytest.mark.parametrize("min_files", [None, 1], ids=["one process", "workers"])
def test_others_mentioning_matches_whole_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                min_files: int | None) -> None:
    if min_files is not None:
        monkeypatch.setattr(parallel, "MIN_FILES", min_files)
        monkeypatch.setattr(corpus_module, "SCAN_MIN_FILES", min_files)
    studies = tmp_path / "records" / "studies"
    studies.mkdir(parents=True)
    (studies / "t.yaml").write_text("id: t\n")
    (studies / "longer.yaml").write_text("id: longer\npublications:\n  - doi: 10.5555/bench.20\n")
    (studies / "same.yaml").write_text("id: same\npublications:\n  - doi: 10.5555/BENCH.2  # upper case\n")
    (studies / "quoted.yaml").write_text("id: quoted\npublications: [{pmid: \"123\"}]\n")
    (studies / "prefix.yaml").write_text("id: prefix\npublications: [{pmid: \"1234\"}]\n")
    (studies / "registry.yaml").write_text("id: registry\nregistrations:\n  - trial_id: nct01234567\n")
    monkeypatch.chdir(tmp_path)
    corpus = Corpus.from_records(_records([Path("records/studies/t.yaml")]), [Path("records")])
    found = {r.path.name for r in corpus.others_mentioning(["10.5555/bench.2", "123"], folders=["studies"])}
    assert found == {"same.yaml", "quoted.yaml"}
    assert {r.path.name for r in corpus.others_mentioning(["NCT01234567"])} == {"registry.yaml"}
    many = [f"10.5555/x.{i}" for i in range(100)] + ["10.5555/bench.2"]
    assert {r.path.name for r in corpus.others_mentioning(many)} == {"same.yaml"}


def test_alternation_is_a_trie_of_the_words() -> None:
    words = [b"ab", b"abc", b"abd", b"x", b"a.b", b"(", b""]
    pattern = re.compile(b"(?:" + _alternation(words) + b")$")
    for word in [*words, b"a", b"abe", b"xa", b"axb", b"abcd"]:
        assert bool(pattern.match(word)) == (word in words), word
