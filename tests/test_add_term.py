"""Tests of tools/add_term.py, the command that fills the pinned ontology term table.

The tool is the only sanctioned way to put a label into validator/respirocell/data/terms.json,
so these tests pin what it copies (exact labels, exact/related synonyms, obsolescence and
replacement) and its failure behaviour (exit 1, table untouched). They read the tiny
fixture sources in tests/data/ontology_sources/, which mimic the formats of the real files.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "data" / "ontology_sources"
SHIPPED_TABLE = ROOT / "validator" / "respirocell" / "data" / "terms.json"


def _load_tool() -> ModuleType:
    """Import tools/add_term.py by path: tools/ is a folder of scripts, not a package."""
    spec = importlib.util.spec_from_file_location("add_term", ROOT / "tools" / "add_term.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


add_term = _load_tool()


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return tmp_path / "data" / "terms.json"


def run(table: Path, *args: str) -> int:
    return int(add_term.main(["--sources", str(FIXTURES), "--table", str(table), *args]))


def terms(table: Path) -> dict[str, dict[str, object]]:
    return dict(json.loads(table.read_text(encoding="utf-8"))["terms"])


def test_adds_term_with_exact_label(table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(table, "MONDO:0005002") == 0
    assert terms(table) == {
        "MONDO:0005002": {
            "label": "chronic obstructive pulmonary disease",
            "synonyms": [],
            "obsolete": False,
            "replaced_by": None,
            "source": "mondo_labels.tsv",
        }
    }
    assert "added: MONDO:0005002" in capsys.readouterr().out


def test_owl_functional_syntax_label_and_synonyms(table: Path) -> None:
    assert run(table, "CL:0000134") == 0
    entry = terms(table)["CL:0000134"]
    assert entry["label"] == "mesenchymal stem cell"
    # exact + related, sorted and deduplicated; narrow synonyms and the label itself left out
    assert entry["synonyms"] == ["MSC", "mesenchymal stromal cell"]
    assert entry["source"] == "cl-edit.owl"
    assert entry["obsolete"] is False


def test_owl_deprecated_term_records_replacement(table: Path) -> None:
    assert run(table, "CL:0000001") == 0
    entry = terms(table)["CL:0000001"]
    assert entry["label"] == "obsolete test cell"  # language tag stripped
    assert entry["obsolete"] is True
    assert entry["replaced_by"] == "CL:0000134"


def test_obographs_json_wins_over_older_obo_import(table: Path) -> None:
    assert run(table, "UBERON:0002371") == 0
    entry = terms(table)["UBERON:0002371"]
    assert entry["label"] == "bone marrow"
    assert entry["synonyms"] == ["medulla ossea", "medullary bone"]
    assert entry["source"] == "uberon-efo-slim.json"


def test_falls_back_to_obo_import(table: Path) -> None:
    assert run(table, "UBERON:0003422") == 0
    entry = terms(table)["UBERON:0003422"]
    assert entry["label"] == "mesenchyme of umbilical cord"
    assert entry["synonyms"] == ["Wharton's jelly", "umbilical cord mesenchyme"]
    assert entry["source"] == "mondo_uberon_import.obo"


def test_obo_synonym_escapes_are_undone(table: Path) -> None:
    assert run(table, "GO:1903561") == 0
    assert terms(table)["GO:1903561"]["synonyms"] == ['"EV"', "microparticle"]


@pytest.mark.parametrize(
    ("curie", "replacement", "source"),
    [
        ("GO:0000789", "GO:1903561", "mondo_go_import.obo"),
        ("UBERON:0001006", "UBERON:0002371", "uberon-efo-slim.json"),
    ],
)
def test_obsolete_term_records_replacement_from_source(table: Path, curie: str, replacement: str, source: str) -> None:
    assert run(table, curie) == 0
    entry = terms(table)[curie]
    assert entry["obsolete"] is True
    assert entry["replaced_by"] == replacement
    assert entry["source"] == source


def test_obsolete_term_records_replacement_from_option(table: Path) -> None:
    assert run(table, "--replaced-by", "MONDO:0800504", "MONDO:0008345") == 0
    entry = terms(table)["MONDO:0008345"]
    assert entry["label"] == "obsolete idiopathic pulmonary fibrosis"
    assert entry["obsolete"] is True
    assert entry["replaced_by"] == "MONDO:0800504"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["MONDO:0008345"], "pass --replaced-by"),  # obsolete, no replacement anywhere
        (["UBERON:0014457"], "pass --replaced-by"),
        (["--replaced-by", "MONDO:0800504", "MONDO:0005002"], "is not obsolete"),
        (["--replaced-by", "GO:0000790", "GO:0000789"], "says replaced by GO:1903561"),
        (["--replaced-by", "MONDO:0008345", "MONDO:0008345"], "is itself obsolete"),
        (["--replaced-by", "MONDO:0800504", "MONDO:0008345", "MONDO:0005002"], "exactly one CURIE"),
        (["NCIT:C38276"], "not a supported CURIE"),
        (["GO:0000790"], "present without a label"),
    ],
)
def test_invalid_requests_exit_1(
    table: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(table, *args) == 1
    assert message in capsys.readouterr().err
    assert not table.exists()


def test_unknown_curie_exits_1_and_leaves_table_unchanged(table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(table, "MONDO:0005002") == 0
    before = table.read_bytes()
    capsys.readouterr()

    # A batch is all-or-nothing: the valid CURIE beside the unknown one is not written either.
    assert run(table, "CL:0000134", "MONDO:9999999") == 1
    captured = capsys.readouterr()
    assert "MONDO:9999999: not found in mondo_labels.tsv" in captured.err
    assert "table unchanged" in captured.err
    assert captured.out == ""
    assert table.read_bytes() == before
    assert [p.name for p in table.parent.iterdir()] == ["terms.json"]  # no temp file left


def test_rerun_is_byte_identical(table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    curies = ["UBERON:0002371", "MONDO:0005002", "CL:0000134", "GO:1903561"]
    assert run(table, *curies) == 0
    first = table.read_bytes()
    assert run(table, *reversed(curies)) == 0
    assert table.read_bytes() == first
    assert capsys.readouterr().out.count("unchanged: ") == len(curies)

    text = first.decode("utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert doc["comment"] == add_term.COMMENT
    assert (table.stat().st_mode & 0o777) == 0o644


def test_update_keeps_other_terms(table: Path) -> None:
    assert run(table, "MONDO:0005002") == 0
    doc = json.loads(table.read_text(encoding="utf-8"))
    doc["terms"]["MONDO:0005002"]["label"] = "hand-edited label"
    table.write_text(json.dumps(doc), encoding="utf-8")

    assert run(table, "GO:1903561") == 0
    assert terms(table)["MONDO:0005002"]["label"] == "hand-edited label"  # untouched
    assert run(table, "MONDO:0005002") == 0
    assert terms(table)["MONDO:0005002"]["label"] == "chronic obstructive pulmonary disease"  # refreshed
    assert set(terms(table)) == {"MONDO:0005002", "GO:1903561"}


def test_shipped_table_is_consistent() -> None:
    """The checked-in table is canonical and every obsolete term points at a live one in it."""
    text = SHIPPED_TABLE.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == add_term.dump_table(doc)
    assert doc["comment"] == add_term.COMMENT
    known_sources = {name for names in add_term.SOURCES_BY_PREFIX.values() for name in names}
    for curie, entry in doc["terms"].items():
        assert add_term.CURIE_RE.match(curie), curie
        assert set(entry) == {"label", "synonyms", "obsolete", "replaced_by", "source"}, curie
        assert entry["synonyms"] == sorted(set(entry["synonyms"])), curie
        assert entry["source"] in known_sources, curie
        if entry["obsolete"]:
            assert doc["terms"][entry["replaced_by"]]["obsolete"] is False, curie
        else:
            assert entry["replaced_by"] is None, curie


@pytest.mark.skipif(not add_term.DEFAULT_SOURCES.is_dir(), reason="shared ontology sources not available")
def test_shipped_table_matches_sources() -> None:
    """Where the real sources are at hand, every shipped entry re-derives byte for byte."""
    doc = json.loads(SHIPPED_TABLE.read_text(encoding="utf-8"))
    sources = add_term.Sources(add_term.DEFAULT_SOURCES)
    for curie, entry in doc["terms"].items():
        given = entry["replaced_by"] if entry["obsolete"] else None
        assert add_term.build_entry(curie, sources, given) == entry, curie
