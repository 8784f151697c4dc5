"""Prompt files: parsing, rendering, errors that name the file, and serving through the SDK's client."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from engati_mcp.cli import main
from engati_mcp.prompt_files import PromptFileError, load_prompts, read_prompt_file
from engati_mcp.server import create_server

GOOD = """+++
name = "greet"
title = "Greet"
description = "Say hello."

[[arguments]]
name = "who"
description = "Whom to greet."
required = true

[[arguments]]
name = "when"
default = "today"
+++
Hello {who}, {when}. Braces that are not placeholders stay: {"a": 1}.
"""


def write(tmp_path: Path, text: str, name: str = "greet.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_prompts_are_the_three_the_product_promises() -> None:
    names = {prompt.name for prompt in load_prompts()}
    assert {"what-did-user-ask", "summarize-conversation", "unanswered-questions"} <= names


def test_a_prompt_file_declares_name_description_and_arguments(tmp_path: Path) -> None:
    prompt = read_prompt_file(write(tmp_path, GOOD))
    assert (prompt.name, prompt.title, prompt.description) == ("greet", "Greet", "Say hello.")
    assert [(a.name, a.required) for a in prompt.arguments] == [("who", True), ("when", False)]


def test_rendering_fills_placeholders_and_defaults_for_left_out_optional_arguments(tmp_path: Path) -> None:
    prompt = read_prompt_file(write(tmp_path, GOOD))
    assert prompt.render({"who": "Asha"}) == 'Hello Asha, today. Braces that are not placeholders stay: {"a": 1}.'
    assert prompt.render({"who": "Asha", "when": "tomorrow"}).startswith("Hello Asha, tomorrow.")


def test_argument_values_are_inserted_verbatim_and_not_expanded_again(tmp_path: Path) -> None:
    prompt = read_prompt_file(write(tmp_path, GOOD))
    assert prompt.render({"who": "{when}"}).startswith("Hello {when}, today.")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("name = 'x'\n", "must start with"),
        ("+++\nname = 'x'\ndescription = 'd'\nHello\n", "not closed"),
        ("+++\nname = 'x\n+++\nHello\n", "not valid TOML"),
        ("+++\ndescription = 'd'\n+++\nHello\n", "'name' is required"),
        ("+++\nname = 'Bad Name'\ndescription = 'd'\n+++\nHello\n", "lowercase"),
        ("+++\nname = 'x'\n+++\nHello\n", "'description' is required"),
        ("+++\nname = 'x'\ndescription = 'd'\n+++\n\n", "template"),
        ("+++\nname = 'x'\ndescription = 'd'\n+++\nHello {nobody}\n", "undeclared argument(s) nobody"),
        ("+++\nname = 'x'\ndescription = 'd'\narguments = 'who'\n+++\nHi\n", "array of tables"),
        (
            "+++\nname = 'x'\ndescription = 'd'\n[[arguments]]\nname = 'a'\n[[arguments]]\nname = 'a'\n+++\nHi {a}\n",
            "not a unique identifier",
        ),
        (
            "+++\nname = 'x'\ndescription = 'd'\n[[arguments]]\nname = 'a'\nrequired = 'yes'\n+++\nHi {a}\n",
            "'required' must be true or false",
        ),
    ],
)
def test_a_malformed_prompt_file_is_refused_with_its_path_and_the_problem(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PromptFileError) as raised:
        read_prompt_file(path)
    assert str(path) in str(raised.value) and complaint in str(raised.value)


def test_two_files_with_the_same_prompt_name_are_refused(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.md")
    write(tmp_path, GOOD, "b.md")
    with pytest.raises(PromptFileError, match="already used"):
        load_prompts(tmp_path)


def test_a_malformed_prompt_file_stops_the_server_at_start_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write(tmp_path, "+++\nname = 'x'\n+++\nHi\n", "broken.md")
    monkeypatch.setattr("engati_mcp.prompt_files.prompt_dirs", lambda: [tmp_path])
    assert main(["serve"]) == 1
    assert f"cannot start: prompt file {broken}" in capsys.readouterr().err


async def test_prompts_are_listed_and_rendered_through_the_sdk_client() -> None:
    async with Client(create_server()) as client:
        listed = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
        got = await client.get_prompt(
            "what-did-user-ask", {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}
        )
    ask = listed["what-did-user-ask"]
    assert {(a.name, a.required) for a in ask.arguments or []} >= {("attribute_name", True), ("start_date", False)}
    text = got.messages[0].content.text  # type: ignore[union-attr]
    assert "find_users" in text and "get_chat_history" in text and "asha.rao@example.com" in text
    assert "{" not in text.replace('{"', "")  # every placeholder was filled


async def test_an_argument_the_prompt_does_not_declare_is_an_invalid_params_error_naming_it() -> None:
    # Left to itself the SDK drops such an argument without a word (a misspelt optional one would
    # silently change the prompt): this fails if our check is ever off the prompts/get path.
    asked = {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}
    async with Client(create_server()) as client:
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("what-did-user-ask", asked | {"start": "7d", "sender": "user"})
        rendered = await client.get_prompt("what-did-user-ask", asked | {"start_date": "7d"})
    assert unknown.value.code == INVALID_PARAMS
    assert "has no argument(s) sender, start;" in unknown.value.message
    assert "start_date" in unknown.value.message  # and what it does take
    assert "7d" in rendered.messages[0].content.text  # type: ignore[union-attr]


async def test_a_missing_argument_or_unknown_prompt_is_an_invalid_params_error_naming_it() -> None:
    async with Client(create_server()) as client:
        with pytest.raises(MCPError) as missing:
            await client.get_prompt("what-did-user-ask", {"attribute_name": "email"})
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("what-did-they-say", {})
        assert (await client.list_prompts()).prompts  # the server still answers
    assert missing.value.code == unknown.value.code == INVALID_PARAMS
    assert "attribute_value" in missing.value.message
    assert "what-did-user-ask" in unknown.value.message


def test_an_installed_wheel_ships_the_prompt_files() -> None:
    """A non-editable install (what CI and users get) must carry the prompts inside the package."""
    dist = metadata.distribution("engati-mcp")
    direct_url = dist.read_text("direct_url.json")
    if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
        # An editable install has no wheel to look into (it reads the repository's prompts/);
        # tests/test_packaging.py builds one and checks it.
        pytest.skip("editable install: no installed wheel to check (tests/test_packaging.py builds one)")
    shipped = {str(path) for path in dist.files or [] if str(path).startswith("engati_mcp/prompts/")}
    repo_files = {f"engati_mcp/prompts/{path.name}" for path in (Path(__file__).parents[1] / "prompts").glob("*.md")}
    assert repo_files and repo_files <= shipped
