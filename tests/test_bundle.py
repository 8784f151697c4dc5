"""The MCP Bundle for Claude Desktop (manifest.json, scripts/build_bundle.py).

The manifest is checked against the MCPB v0.4 schema (tests/data/mcpb-manifest-0.4.schema.json,
vendored from github.com/modelcontextprotocol/mcpb at 1dbbffc, the schema @anthropic-ai/mcpb 2.1.2
validates with) and against the package: version, tools, prompts, settings and their defaults.

Then the bundle is built with the official packer and launched the way Claude Desktop launches it:
unpacked into an extensions directory, `${__dirname}` and `${user_config.*}` substituted in its
`mcp_config`, started with uv (which installs the dependencies from the bundle's pyproject.toml on
first run) and driven over stdio by the SDK's client, against the sandbox served on loopback.
That needs npx (Node.js) and uv, both reachable through package registries (uv is in the test
extra); each test skips, saying why, only when one is missing. Everything it writes, uv's and
npm's caches included, goes to temporary directories removed at the end.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from engati_mcp.config import DEFAULT_BASE_URL, Settings
from engati_mcp.sandbox import SANDBOX_API_KEY, SANDBOX_BOT_KEY, SANDBOX_CUSTOMER_ID, running_sandbox

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((Path(__file__).parent / "data" / "mcpb-manifest-0.4.schema.json").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SNAPSHOT_TOOLS = json.loads((Path(__file__).parent / "snapshots" / "tools_list.json").read_text(encoding="utf-8"))

# Each Engati setting a user can set in Claude Desktop's form, by its user_config key.
ENV_FOR_OPTION = {
    "api_key": "ENGATI_API_KEY",
    "customer_id": "ENGATI_CUSTOMER_ID",
    "bot_key": "ENGATI_BOT_KEY",
    "base_url": "ENGATI_BASE_URL",
    "timezone": "ENGATI_TIMEZONE",
    "redact_pii": "ENGATI_REDACT_PII",
}
REQUIRED_OPTIONS = {"api_key", "customer_id", "bot_key"}
PORTAL_PAGE = "Integration > Engati API"
BUNDLE_TOP_LEVEL = {
    "manifest.json",
    "icon.png",
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "engati_mcp",
    "prompts",
    "bundle",
}
LAUNCH_TIMEOUT = 600  # seconds: the first launch installs the dependencies from PyPI, as on a user's first run


def _load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_bundle", ROOT / "scripts" / "build_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_bundle = _load_build_script()


# ---------------------------------------------------------------------------------------------
# The manifest


def test_manifest_is_valid_against_the_mcpb_0_4_schema() -> None:
    assert MANIFEST["manifest_version"] == SCHEMA["properties"]["manifest_version"]["const"] == "0.4"
    jsonschema.validate(
        MANIFEST, SCHEMA, cls=jsonschema.Draft7Validator, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def test_manifest_version_equals_the_package_version() -> None:
    assert MANIFEST["version"] == PYPROJECT["project"]["version"]


def test_server_runs_with_uv_from_the_bundles_own_pyproject() -> None:
    server = MANIFEST["server"]
    assert server["type"] == "uv"
    assert server["mcp_config"]["command"] == "uv"
    assert server["mcp_config"]["args"] == ["run", "--directory", "${__dirname}", "engati-mcp"]
    assert PYPROJECT["project"]["scripts"]["engati-mcp"] == "engati_mcp.cli:main"
    # A host that runs the entry point instead (`uv run bundle/main.py`) gets the same server.
    assert server["entry_point"] == "bundle/main.py" and (ROOT / server["entry_point"]).is_file()


def test_every_setting_in_the_form_maps_to_its_engati_variable() -> None:
    env = MANIFEST["server"]["mcp_config"]["env"]
    assert env == {variable: f"${{user_config.{option}}}" for option, variable in ENV_FOR_OPTION.items()}
    assert set(MANIFEST["user_config"]) == set(ENV_FOR_OPTION)


@pytest.mark.parametrize("option", sorted(ENV_FOR_OPTION))
def test_each_setting_has_a_title_a_description_and_the_right_flags(option: str) -> None:
    entry = MANIFEST["user_config"][option]
    assert entry["title"] and len(entry["description"]) > 30
    assert entry.get("required", False) is (option in REQUIRED_OPTIONS)
    assert entry.get("sensitive", False) is (option == "api_key")
    assert entry["type"] == ("boolean" if option == "redact_pii" else "string")
    if option in REQUIRED_OPTIONS | {"base_url"}:
        assert PORTAL_PAGE in entry["description"]  # says where to find it
    if option not in REQUIRED_OPTIONS:
        assert "default" in entry


def test_optional_settings_default_to_the_servers_defaults() -> None:
    options = MANIFEST["user_config"]
    fields = Settings.model_fields
    assert options["base_url"]["default"] == DEFAULT_BASE_URL == fields["base_url"].default
    assert options["redact_pii"]["default"] is False is fields["redact_pii"].default
    assert options["timezone"]["default"] == "UTC"
    if "timezone" in fields:  # ENGATI_TIMEZONE: checked against the server once it reads it
        assert str(fields["timezone"].default) == "UTC"


def test_tools_listed_for_display_are_the_servers_tools() -> None:
    assert [tool["name"] for tool in MANIFEST["tools"]] == [tool["name"] for tool in SNAPSHOT_TOOLS]
    assert all(tool["description"] for tool in MANIFEST["tools"])
    assert MANIFEST["tools_generated"] is False


def test_prompts_listed_for_display_are_the_prompt_files() -> None:
    assert MANIFEST["prompts"] == build_bundle.manifest_prompts(), (
        "manifest.json is out of date: run `python scripts/build_bundle.py --sync-manifest`"
    )
    assert {prompt["name"] for prompt in MANIFEST["prompts"]} == {
        "what-did-user-ask",
        "summarize-conversation",
        "unanswered-questions",
    }
    assert MANIFEST["prompts_generated"] is False


def test_display_fields_agree_with_the_package() -> None:
    project = PYPROJECT["project"]
    assert MANIFEST["name"] == project["name"]
    assert MANIFEST["display_name"] and MANIFEST["long_description"] and MANIFEST["description"]
    assert MANIFEST["author"]["name"] == project["authors"][0]["name"]
    assert MANIFEST["license"] == project["license"] == "MIT"
    assert MANIFEST["repository"]["url"] == project["urls"]["Repository"]
    assert "engati" in MANIFEST["keywords"]
    compatibility = MANIFEST["compatibility"]
    assert compatibility["claude_desktop"]
    assert sorted(compatibility["platforms"]) == ["darwin", "linux", "win32"]
    assert compatibility["runtimes"] == {"python": project["requires-python"]}


def test_icon_is_a_512_pixel_png() -> None:
    data = (ROOT / MANIFEST["icon"]).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (512, 512)


def test_build_refuses_a_manifest_out_of_step_with_the_package(tmp_path: Path) -> None:
    for name in ("manifest.json", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    build_bundle.check_manifest(tmp_path)  # in step: no error
    stale = dict(MANIFEST, version="0.0.1")
    (tmp_path / "manifest.json").write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(build_bundle.BuildError, match="--sync-manifest"):
        build_bundle.build(tmp_path / "out", tmp_path)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# The built bundle


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A temporary directory for the module: the bundle, its installation and npm's and uv's caches."""
    with tempfile.TemporaryDirectory(prefix="engati-mcp-bundle-test-", ignore_cleanup_errors=True) as path:
        yield Path(path)


@pytest.fixture(scope="module")
def built_bundle(scratch: Path) -> Path:
    if shutil.which("npx") is None:
        pytest.skip(
            "npx is not installed (it comes with Node.js): the bundle is packed by `npx @anthropic-ai/mcpb pack`"
        )
    env = os.environ | {"npm_config_cache": str(scratch / "npm-cache"), "npm_config_update_notifier": "false"}
    return build_bundle.build(scratch / "dist", quiet=True, env=env)


def test_bundle_holds_only_what_the_server_needs(built_bundle: Path) -> None:
    assert built_bundle.name == f"engati-mcp-{PYPROJECT['project']['version']}.mcpb"
    with zipfile.ZipFile(built_bundle) as bundle:
        names = set(bundle.namelist())
        packed_manifest = json.loads(bundle.read("manifest.json"))
    assert {name.split("/")[0] for name in names} == BUNDLE_TOP_LEVEL
    assert not [name for name in names if "__pycache__" in name or name.endswith((".pyc", ".pyo"))]
    package = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "engati_mcp").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    prompts = {f"prompts/{path.name}" for path in (ROOT / "prompts").glob("*.md")}
    assert package | prompts | {"bundle/main.py"} <= names
    assert packed_manifest == MANIFEST
    assert built_bundle.stat().st_size < 1_000_000


# ---------------------------------------------------------------------------------------------
# The bundle launched as Claude Desktop launches it


@pytest.fixture(scope="module")
def uv() -> str:
    """The uv to launch with (the host's own uv, in Claude Desktop); checked before the bundle is built."""
    beside_python = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    found = str(beside_python) if beside_python.exists() else shutil.which("uv")
    if not found:
        pytest.skip(
            "uv is not installed (it is in the test extra: pip install '.[test]'); "
            "a uv bundle is launched with uv, as Claude Desktop does"
        )
    return found


@pytest.fixture(scope="module")
def installed_bundle(built_bundle: Path, scratch: Path) -> Path:
    """The bundle unpacked where a host keeps extensions (a path with a space, as on macOS and Windows)."""
    directory = scratch / "Claude Extensions" / "engati-mcp"
    with zipfile.ZipFile(built_bundle) as bundle:
        bundle.extractall(directory)
    return directory


def substitute(value: str, dirname: Path, user_config: dict[str, Any]) -> str:
    """Replace `${__dirname}` and `${user_config.KEY}` as the host does; an unset option takes its default."""
    text = value.replace("${__dirname}", str(dirname))
    for key, option in MANIFEST["user_config"].items():
        chosen = user_config.get(key, option.get("default", ""))
        shown = str(chosen).lower() if isinstance(chosen, bool) else str(chosen)
        text = text.replace(f"${{user_config.{key}}}", shown)
    assert "${" not in text, f"unsubstituted variable in {value!r}"
    return text


def host_environment(scratch: Path) -> dict[str, str]:
    """What uv needs besides the manifest's env: network settings passed through, and caches kept in
    `scratch`. UV_PYTHON is this interpreter, so no Python is downloaded (a host's uv may download one)."""
    passed = {
        name: value
        for name, value in os.environ.items()
        if name.startswith("UV_")
        or name.upper() in {"SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}
    }
    return passed | {
        "UV_CACHE_DIR": str(scratch / "uv-cache"),
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    }


@pytest.mark.parametrize("launch", ["mcp_config", "entry_point"])
async def test_bundle_launched_as_claude_desktop_does_answers_over_stdio(
    launch: str, uv: str, installed_bundle: Path, scratch: Path
) -> None:
    """`mcp_config`: the manifest's command, `uv` being the host's own uv. `entry_point`: what a host
    that runs a uv bundle's entry point does. The first of the two installs the dependencies."""
    config = MANIFEST["server"]["mcp_config"]
    if launch == "mcp_config":
        args = [substitute(arg, installed_bundle, {}) for arg in config["args"]]
    else:
        args = ["run", "--directory", str(installed_bundle), MANIFEST["server"]["entry_point"]]
    stdout_copy, stderr_log = scratch / f"{launch}.stdout.jsonl", scratch / f"{launch}.stderr.log"

    async with running_sandbox() as base_url:
        form = {
            "api_key": SANDBOX_API_KEY,
            "customer_id": SANDBOX_CUSTOMER_ID,
            "bot_key": SANDBOX_BOT_KEY,
            "base_url": base_url,
        }  # as a user fills the form: time zone and masking left at their defaults
        env = {name: substitute(value, installed_bundle, form) for name, value in config["env"].items()}
        params = StdioServerParameters(
            # Through sh, to keep a copy of stdout (only JSON-RPC may be there, uv's install output
            # included) and of stderr (shown if the launch fails).
            command="sh",
            args=[
                "-c",
                'out="$1"; err="$2"; shift 2; "$@" 2>"$err" | tee "$out"',
                "sh",
                str(stdout_copy),
                str(stderr_log),
                uv,
                *args,
            ],
            env=env | host_environment(scratch),
        )
        try:
            with anyio.fail_after(LAUNCH_TIMEOUT):
                async with Client(params) as client:
                    tools = (await client.list_tools()).tools
                    prompts = (await client.list_prompts()).prompts
                    found = await client.call_tool(
                        "find_users", {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}
                    )
        except BaseException:
            log = stderr_log.read_text(encoding="utf-8", errors="replace") if stderr_log.exists() else ""
            print(f"--- stderr of the bundle's server ({launch}) ---\n{log[-5000:]}", file=sys.stderr)
            raise

    log = stderr_log.read_text(encoding="utf-8", errors="replace")[-5000:]
    assert {tool.name for tool in tools} == {tool["name"] for tool in MANIFEST["tools"]}
    assert {prompt.name for prompt in prompts} == {prompt["name"] for prompt in MANIFEST["prompts"]}
    assert not found.is_error, f"{found.content}\n--- the server's stderr ---\n{log}"
    assert found.structured_content["users"][0]["channel_user_id"] == "919876543210"
    for line in stdout_copy.read_text(encoding="utf-8").splitlines():
        assert json.loads(line).get("jsonrpc") == "2.0", line[:200]
    assert (installed_bundle / ".venv").is_dir()  # uv installed the dependencies into the bundle's own env
