"""Every command is documented: --help with an example, and a row in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from respirocell.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.list_commands(click.Context(cli)))


def test_the_cli_has_the_documented_commands() -> None:
    assert {"validate", "export", "fmt", "new", "query"} <= set(COMMANDS)


def test_help_lists_every_command_without_importing_them() -> None:
    import subprocess
    import sys

    code = ("import sys; from respirocell.cli import main; sys.argv = ['respirocell', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('respirocell.site', 'respirocell.registry', "
            "'rdflib', 'pyoxigraph', 'jsonschema_rs'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")
    for name in COMMANDS:
        assert f"  {name} " in done.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_has_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"respirocell {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name: str) -> None:
    assert f"`respirocell {name}" in README


def test_group_help_and_version() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--help"]).exit_code == 0
    assert runner.invoke(cli, ["--version"]).output.startswith("respirocell, version ")


def test_readme_example_output_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's console example is what `respirocell validate` prints for its case."""
    import re

    from conftest import CASES, apply_case

    match = re.search(r"<!-- example: ([\w-]+) -->\n```console\n\$ (respirocell [^\n]+)\n(.*?)```", README, re.S)
    assert match, "the README lost its checked example"
    case, command, expected = match.groups()
    apply_case(tmp_path, CASES / case)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, command.split()[1:])
    assert result.output == expected


def test_the_map_of_the_code_names_every_module_and_only_those() -> None:
    """CONTRIBUTING's 'Where things are' lists each top-level module and folder of the package."""
    import re

    text = (Path(__file__).parent.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = re.search(r"### Where things are\n.*?```text\nvalidator/respirocell/\n(.*?)```", text, re.S)
    assert block, "CONTRIBUTING.md lost its map of the code"
    listed = set(re.findall(r"^  (\S+)", block.group(1), re.M))
    package = Path(__file__).parent.parent / "validator" / "respirocell"
    present = {p.name + ("/" if p.is_dir() else "") for p in package.iterdir()
               if not p.name.startswith("__") and p.name != "py.typed" and (p.is_dir() or p.suffix == ".py")}
    assert listed == present, f"add to the map: {sorted(present - listed)}; remove: {sorted(listed - present)}"


def test_the_library_names_the_readme_imports_exist() -> None:
    import re

    import respirocell

    block = re.search(r"## The library\n\n```python\n(.*?)```", README, re.S)
    assert block, "the README lost its library example"
    names = {n.strip() for line in re.findall(r"^from respirocell import (.+)$", block.group(1), re.M)
             for n in line.split(",")}
    assert names and names <= set(respirocell.__all__)
    for name in respirocell.__all__:
        assert getattr(respirocell, name) is not None


def test_every_finding_code_of_a_case_has_a_row_in_the_readme() -> None:
    """The README's table of finding codes is the contract: a new code (a new case) needs a row."""
    import re

    import yaml

    codes = {expected["code"] for case in (Path(__file__).parent / "cases").glob("*/case.yaml")
             for expected in yaml.safe_load(case.read_text(encoding="utf-8"))["expect"]}
    rows = set(re.findall(r"^\| `([a-z0-9-]+)`", README, re.M))
    assert codes and sorted(codes - rows) == []
