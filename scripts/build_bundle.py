"""Build the MCP Bundle for Claude Desktop: dist/engati-mcp-<version>.mcpb.

    python scripts/build_bundle.py                 # checks manifest.json, then packs the bundle
    python scripts/build_bundle.py --out-dir /tmp  # somewhere else
    python scripts/build_bundle.py --sync-manifest # rewrite manifest.json's prompts and version

The bundle holds only what the server needs: manifest.json, icon.png, pyproject.toml, README.md,
LICENSE, the `engati_mcp` package, `prompts/` and `bundle/main.py`. They are copied (without
caches) into a temporary directory, which the official packer, `mcpb pack` from
@anthropic-ai/mcpb (run with npx), validates and zips. Nothing else in the checkout (tests, .venv,
.git, caches) can reach the bundle.

The manifest's `server.type` is `uv`: the host installs the dependencies declared in the bundle's
pyproject.toml with uv on first run, so no dependency is bundled.

Needs Node.js (npx) and, for the prompt checks, the package importable (run it with the
project's virtualenv: `.venv/bin/python scripts/build_bundle.py`).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.json"
# The packer is pinned so a build is repeatable; its v0.4 schema is vendored in tests/data.
MCPB_PACKAGE = "@anthropic-ai/mcpb@2.1.2"
# What the bundle holds, relative to the repository root; nothing else is copied.
BUNDLE_FILES = ("manifest.json", "icon.png", "pyproject.toml", "README.md", "LICENSE")
BUNDLE_DIRS = ("engati_mcp", "prompts", "bundle")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class BuildError(Exception):
    """Why the bundle cannot be built, said so a person can fix it."""


def package_version(root: Path = ROOT) -> str:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def read_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(manifest: dict[str, Any], path: Path = MANIFEST) -> None:
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def bundle_name(version: str) -> str:
    return f"engati-mcp-{version}.mcpb"


def manifest_prompts(root: Path = ROOT) -> list[dict[str, Any]]:
    """The manifest's `prompts`, from prompts/*.md as the server reads them.

    MCPB writes a prompt's arguments as `${arguments.name}`; the prompt files write `{name}`.
    """
    from engati_mcp.prompt_files import read_prompt_file

    entries = []
    for path in sorted((root / "prompts").glob("*.md")):
        prompt = read_prompt_file(path)
        entries.append(
            {
                "name": prompt.name,
                "description": prompt.description,
                "arguments": [argument.name for argument in prompt.arguments],
                "text": _PLACEHOLDER.sub(lambda match: "${arguments." + match.group(1) + "}", prompt.template),
            }
        )
    return entries


def check_manifest(root: Path = ROOT) -> None:
    """Raise `BuildError` if manifest.json disagrees with pyproject.toml or prompts/."""
    manifest, version = read_manifest(root / "manifest.json"), package_version(root)
    problems = []
    if manifest.get("version") != version:
        problems.append(f"its version is {manifest.get('version')!r}, the package's is {version!r}")
    if manifest.get("prompts") != manifest_prompts(root):
        problems.append("its prompts differ from prompts/*.md")
    if problems:
        raise BuildError(
            "manifest.json is out of date: "
            + "; ".join(problems)
            + ". Run `python scripts/build_bundle.py --sync-manifest` and review the diff."
        )


def sync_manifest(root: Path = ROOT) -> None:
    """Rewrite manifest.json's version and prompts from pyproject.toml and prompts/*.md."""
    manifest = read_manifest(root / "manifest.json")
    manifest["version"] = package_version(root)
    manifest["prompts"] = manifest_prompts(root)
    write_manifest(manifest, root / "manifest.json")


def stage(root: Path, staging: Path) -> None:
    """Copy what the bundle holds into `staging`."""
    for name in BUNDLE_FILES:
        if not (root / name).is_file():
            raise BuildError(f"{name} is missing from {root}")
        shutil.copy2(root / name, staging / name)
    for name in BUNDLE_DIRS:
        if not (root / name).is_dir():
            raise BuildError(f"{name}/ is missing from {root}")
        shutil.copytree(root / name, staging / name, ignore=SKIPPED)


def npx_command() -> list[str]:
    npx = shutil.which("npx")
    if npx is None:
        raise BuildError("npx is not on PATH: install Node.js (https://nodejs.org), which provides npx")
    return [npx, "--yes", MCPB_PACKAGE]


def build(out_dir: Path, root: Path = ROOT, *, quiet: bool = False, env: dict[str, str] | None = None) -> Path:
    """Check the manifest, stage the files and pack them with `mcpb pack`; return the bundle's path."""
    check_manifest(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir.resolve() / bundle_name(package_version(root))
    output.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="engati-mcp-bundle-") as temp:
        staging = Path(temp) / "engati-mcp"
        staging.mkdir()
        stage(root, staging)
        command = [*npx_command(), "pack", str(staging), str(output)]
        done = subprocess.run(
            command, cwd=temp, env=env, stdin=subprocess.DEVNULL, text=True, capture_output=quiet, check=False
        )
    if done.returncode != 0 or not output.is_file():
        detail = f"\n{done.stdout}{done.stderr}" if quiet else ""
        raise BuildError(f"`mcpb pack` failed (exit {done.returncode}){detail}")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "dist", help="where to write the .mcpb (default: dist/)")
    parser.add_argument(
        "--sync-manifest",
        action="store_true",
        help="rewrite manifest.json's version and prompts from pyproject.toml and prompts/*.md",
    )
    args = parser.parse_args(argv)
    try:
        if args.sync_manifest:
            sync_manifest()
            print(f"updated {MANIFEST.relative_to(ROOT)}")
            return 0
        output = build(args.out_dir)
    except BuildError as exc:
        print(f"build_bundle: {exc}", file=sys.stderr)
        return 1
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    print(f"built {shown} ({output.stat().st_size / 1024:.1f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
