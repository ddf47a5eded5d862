"""Bounded fuzzing: mutated real records and random YAML never crash validate or fmt.

Every run must end in a Report (exit 0, 1 or 2 from the CLI), and every finding must name a
file and a line inside it. The mutants come from a seeded random generator, so every run (CI's
too) tries the same ones and a failure names the seed that reproduces it.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BASE

from respirocell.cli import cli
from respirocell.formatting import format_file
from respirocell.validation import validate_paths

RECORD = (BASE / "studies" / "test-study-base.yaml").read_text(encoding="utf-8")
#: Examples per test; a longer one-off hunt: RESPIROCELL_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py
EXAMPLES = int(os.environ.get("RESPIROCELL_FUZZ_EXAMPLES", "50"))
#: Characters that mean something to YAML, or to a terminal, or that libraries have tripped on.
SPICY = [*":-[]{}&*!#|>'\"%@`,?\t\n \u2028\u0085\x1b\x00\ufeff9.eE", "\n  ", "- ", ": ", " #"]


def mutated(rng: random.Random) -> str:
    """The base record with one to six insertions (a YAML-ish character, or up to three random
    ones), deletions of up to 20 characters, or duplicated lines."""
    text = RECORD
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(text))
        action = rng.choice(["insert", "delete", "duplicate"])
        if action == "insert":
            text = text[:at] + (rng.choice(SPICY) if rng.random() < 0.5 else random_text(rng, 3)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + rng.randint(1, 20):]
        else:
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at) + 1 or len(text)
            text = text[:line_end] + text[line_start:line_end] + text[line_end:]
    return text


def random_text(rng: random.Random, most: int) -> str:
    """Up to ``most`` characters, from anywhere in Unicode but the surrogates."""
    points = (rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0xFFFF), rng.randint(0x10000, 0x10FFFF)])
              for _ in range(rng.randint(0, most)))
    return "".join(chr(p) for p in points if not 0xD800 <= p <= 0xDFFF)


def _check(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records"
        shutil.copytree(BASE, records)
        target = records / "studies" / "test-study-base.yaml"
        target.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
        lines = max(1, target.read_bytes().count(b"\n") + 1)
        report = validate_paths([records])
        for issue in report.issues:
            assert issue.file and issue.line is not None and issue.column is not None, issue
            if issue.file.endswith("test-study-base.yaml"):
                assert 1 <= issue.line <= lines, issue
        result = format_file(target)  # never raises
        assert result.problem is None or result.problem.line is not None


@pytest.mark.parametrize("seed", range(EXAMPLES))
def test_mutated_records_give_findings_never_crashes(seed: int) -> None:
    _check(mutated(random.Random(seed)))


@pytest.mark.parametrize("seed", range(EXAMPLES // 2))
def test_random_bytes_and_text_give_findings_never_crashes(seed: int) -> None:
    rng = random.Random(seed)
    _check(rng.randbytes(rng.randint(0, 200)) if seed % 2 else random_text(rng, 200))


def test_the_cli_exits_0_1_or_2_on_a_mutant(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(BASE, records)
    (records / "studies" / "test-study-base.yaml").write_text(RECORD.replace("id:", "id: [", 1))
    for args in (["validate", str(records)], ["fmt", "--check", str(records)], ["export", "--format", "json",
                                                                                 "--output", str(tmp_path / "o.json"),
                                                                                 str(records)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1, 2) and (result.exception is None or isinstance(result.exception,
                                                                                         SystemExit)), args


@pytest.mark.parametrize("seed", range(EXAMPLES // 2))
def test_a_comment_line_anywhere_between_fields_is_kept_where_it_belongs(seed: int) -> None:
    """A comment line at any indentation before any key or list item: fmt keeps it with the
    field it belongs to (its safety check compares them) instead of refusing the file. One in
    twenty such files was format-unsafe when the comment sat between a key and its first child."""
    from respirocell.formatting import format_text

    rng = random.Random(seed)
    lines = RECORD.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip() and not line.startswith(" " * 6)
              and (line.lstrip().startswith("- ") or ":" in line)]
    for _ in range(rng.randint(1, 3)):
        lines.insert(rng.choice(starts) + 1, " " * rng.choice([0, 2, 4, 6]) + f"# note {rng.randint(0, 99)}")
        starts = [i for i, line in enumerate(lines) if line.strip() and not line.startswith(" " * 6)
                  and (line.lstrip().startswith("- ") or ":" in line) and not line.lstrip().startswith("#")]
    text = "\n".join(lines)
    out = format_text(text.encode(), "Study").decode()  # FormatError would fail the test
    assert sorted(ln.strip() for ln in out.split("\n") if ln.lstrip().startswith("# note")) == \
        sorted(ln.strip() for ln in lines if ln.lstrip().startswith("# note"))
