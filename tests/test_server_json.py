"""server.json: valid against the MCP registry's schema, with key names and versions checked."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_JSON = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((Path(__file__).parent / "data" / "server.schema.json").read_text(encoding="utf-8"))
PACKAGE_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
ENV_KEYS = {"name", "description", "isRequired", "isSecret", "format", "default"}


def test_server_json_is_valid_against_the_2025_12_11_registry_schema() -> None:
    assert (
        SCHEMA["$id"]
        == SERVER_JSON["$schema"]
        == "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    )
    jsonschema.validate(SERVER_JSON, SCHEMA, cls=jsonschema.Draft7Validator)


def test_both_versions_equal_the_package_version() -> None:
    (package,) = SERVER_JSON["packages"]
    assert SERVER_JSON["version"] == package["version"] == PACKAGE_VERSION


def test_installed_metadata_reports_the_same_version() -> None:
    from engati_mcp import __version__

    assert __version__ == PACKAGE_VERSION


def test_identity_and_package_fields() -> None:
    assert SERVER_JSON["name"].startswith("io.github.") and SERVER_JSON["name"].endswith("/engati-mcp")
    assert 0 < len(SERVER_JSON["description"]) <= 100
    (package,) = SERVER_JSON["packages"]
    assert (package["registryType"], package["identifier"], package["runtimeHint"], package["transport"]) == (
        "pypi",
        "engati-mcp",
        "uvx",
        {"type": "stdio"},
    )


@pytest.mark.parametrize(
    "variable", ["ENGATI_API_KEY", "ENGATI_CUSTOMER_ID", "ENGATI_BOT_KEY", "ENGATI_BASE_URL", "ENGATI_TIMEOUT"]
)
def test_environment_variables_are_declared_with_correctly_spelled_keys(variable: str) -> None:
    """The schema allows unknown keys, so a misspelled `is_secret` would pass validation: check names."""
    (package,) = SERVER_JSON["packages"]
    entries = {entry["name"]: entry for entry in package["environmentVariables"]}
    entry = entries[variable]
    assert set(entry) <= ENV_KEYS and entry["description"]
    assert entry["isRequired"] is (variable in {"ENGATI_API_KEY", "ENGATI_CUSTOMER_ID", "ENGATI_BOT_KEY"})
    assert entry["isSecret"] is (variable == "ENGATI_API_KEY")


def test_readme_declares_the_registry_name_for_pypi_ownership() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mcp-name: {SERVER_JSON['name']}" in readme
