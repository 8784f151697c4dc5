"""Ready to publish: `python -m build` makes an sdist and a wheel (the wheel built from the sdist)
that `twine check --strict` passes; the wheel holds the package, its prompts and the license; the
sdist holds the tests and everything they read, so its tests can run from it.

`python -m build` fetches hatchling into an isolated environment (a few seconds); the artifacts are
written to a temporary directory, never into the checkout.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

pytest.importorskip("build", reason="`build` is in the test extra: pip install '.[test]'")
pytest.importorskip("twine", reason="`twine` is in the test extra: pip install '.[test]'")

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]
BUILD_TIMEOUT = 300  # seconds; about 10 in practice


def _files_under(directory: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / directory).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc")
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    return dist / f"engati_mcp-{VERSION}-py3-none-any.whl"


@pytest.fixture(scope="module")
def sdist(dist: Path) -> Path:
    return dist / f"engati_mcp-{VERSION}.tar.gz"


def test_build_makes_one_sdist_and_one_wheel(dist: Path, wheel: Path, sdist: Path) -> None:
    assert sorted(path.name for path in dist.iterdir()) == sorted([wheel.name, sdist.name])


def test_twine_check_passes(wheel: Path, sdist: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_wheel_holds_the_package_its_prompts_and_the_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = Parser().parsestr(archive.read(f"engati_mcp-{VERSION}.dist-info/METADATA").decode())
        entry_points = archive.read(f"engati_mcp-{VERSION}.dist-info/entry_points.txt").decode()
    package = {name for name in _files_under("engati_mcp") if name.endswith(".py")}
    prompts = {f"engati_mcp/prompts/{Path(name).name}" for name in _files_under("prompts") if name.endswith(".md")}
    assert package | prompts <= names
    assert f"engati_mcp-{VERSION}.dist-info/licenses/LICENSE" in names
    assert {name.split("/")[0] for name in names} == {"engati_mcp", f"engati_mcp-{VERSION}.dist-info"}
    assert "engati-mcp = engati_mcp.cli:main" in entry_points
    assert (metadata["Name"], metadata["Version"], metadata["License-Expression"], metadata["Requires-Python"]) == (
        "engati-mcp",
        VERSION,
        "MIT",
        ">=3.11",
    )
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "mcp-name: io.github.engati-mcp/engati-mcp" in metadata.get_payload()  # the MCP registry's check


def test_sdist_holds_the_tests_and_everything_they_read(sdist: Path) -> None:
    prefix = f"engati_mcp-{VERSION}/"
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    needed = (
        _files_under("tests")
        | _files_under("engati_mcp")
        | _files_under("prompts")
        | _files_under("bundle")
        | _files_under("scripts")
        | {"pyproject.toml", "README.md", "LICENSE", "server.json", "manifest.json", "icon.png"}
    )
    assert not needed - names, sorted(needed - names)
    assert not [
        name
        for name in names
        if name.startswith((".venv/", ".git/", "dist/", ".hypothesis/", ".pytest_cache/"))
        or "__pycache__" in name
        or name.endswith(".pyc")
    ]
