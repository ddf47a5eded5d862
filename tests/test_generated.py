"""Generated artifacts match the schema; the schema lints; the runtime stays free of linkml."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


def _generate_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate", REPO / "tools" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(_generate_module().ARTIFACTS))
def test_checked_in_artifact_equals_fresh_generation(name: str) -> None:
    generate = _generate_module()
    fresh = generate.ARTIFACTS[name]()
    checked_in = (generate.OUT / name).read_text(encoding="utf-8")
    assert checked_in == fresh, f"{name} drifted from the schema; run: python tools/generate.py"
    assert "DO NOT EDIT" in checked_in.splitlines()[0] + checked_in.splitlines()[1]


def test_schema_passes_linkml_lint() -> None:
    from click.testing import CliRunner
    from linkml.linter.cli import main as lint

    result = CliRunner().invoke(lint, [str(REPO / "schema" / "respirocell.yaml")])
    assert result.exit_code == 0, result.output


def test_runtime_never_imports_linkml(tmp_path: Path) -> None:
    code = (
        "import sys; from click.testing import CliRunner; from respirocell.cli import cli; "
        f"r = CliRunner().invoke(cli, ['validate', {str(REPO / 'tests' / 'data' / 'base')!r}]); "
        "assert r.exit_code == 0, r.output; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('linkml', 'linkml_runtime')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_help_imports_stay_light(tmp_path: Path) -> None:
    code = ("import sys; from respirocell.cli import main; sys.argv=['respirocell','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('jsonschema', 'pydantic', 'rdflib', 'yaml', 'jsonschema_rs') if m in sys.modules]\n"
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_models_accept_the_base_record() -> None:
    from respirocell._generated import models
    from respirocell.loading import parse_text

    data = parse_text((REPO / "tests/data/base/studies/test-study-base.yaml").read_bytes())
    study = models.Study.model_validate(data)
    assert study.arms and study.arms[0].dose and study.arms[0].dose.value == 1_000_000.0


def test_enum_labels_come_from_the_schema_and_mean_one_thing() -> None:
    """A value's label (the schema's ``label`` annotation) is looked up by the value alone, so a
    value spelled in two enums must have one label; the site and the RDF exports show it."""
    from respirocell import schema
    from respirocell.export.jsonld import SKOS, concept_node
    from respirocell.site import labels

    seen: dict[str, set[str | None]] = {}
    for enum in schema.enums():
        for value, info in schema.enum_values(enum).items():
            seen.setdefault(value, set()).add(info.label)
    assert {v: ls for v, ls in seen.items() if len(ls) > 1 and ls != {None}} == {}
    assert schema.value_label("phase_1_2") == labels.label("phase_1_2") == "Phase 1/2"
    assert concept_node("StudyPhase", "phase_1_2")[f"{SKOS}prefLabel"] == "Phase 1/2"
    assert labels.unit("cells_per_kg") == "cells/kg" and labels.REGISTRY_NAMES["clinicaltrials"] == "ClinicalTrials.gov"
    assert schema.value_label("not_stated") == "Not stated"  # no label: the words, capitalised
