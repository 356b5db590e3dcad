"""One installed package: the wheel holds `forcepack` alone at the top level (its subpackages the
repository's folders), builds without warnings, and `forcepack --version` answers."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

from typer.testing import CliRunner

import forcepack
from forcepack.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FOLDERS = ("models", "solver", "api", "cli")


def test_packaging_wheel_holds_forcepack_alone(tmp_path: Path) -> None:
    """`pip wheel .` builds, without a packaging warning, a wheel whose only top-level names are
    `forcepack` and its metadata; the migrations and the page's files are inside it."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    assert "absent from the `packages` configuration" not in built.stdout + built.stderr
    (wheel,) = tmp_path.glob("forcepack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"forcepack", wheel.name.split("-py")[0] + ".dist-info"}
    for expected in (
        "forcepack/models/scenario.py",
        "forcepack/solver/rules/red_lines.py",
        "forcepack/api/migrations/versions/0002_hardening.py",
        "forcepack/api/migrations/script.py.mako",
        "forcepack/api/web/static/index.html",
        "forcepack/models/brief.html",
        "forcepack/solver/py.typed",
    ):
        assert expected in names


def test_packaging_version() -> None:
    """`forcepack --version` prints the installed version."""
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"forcepack {forcepack.__version__}"
    assert forcepack.__version__ != "0+unknown"


def test_packaging_code_imports_the_project_by_its_package_name() -> None:
    """No module imports `models`, `solver`, `api` or `cli` bare (that would load a second copy of
    them beside `forcepack.*`): the project is `forcepack.<folder>` everywhere."""
    bare = []
    for path in sorted(ROOT.glob("**/*.py")):
        if any(part in (".venv", "forcepack", ".git") for part in path.relative_to(ROOT).parts[:1]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            bare += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in PROJECT_FOLDERS]
    assert bare == []
