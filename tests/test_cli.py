"""The `engati-mcp` command line through its entry point: exit codes and what it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import respx

from engati_mcp import __version__
from engati_mcp.cli import main
from tests.conftest import BASE, BOT, CUSTOMER, FAKE_KEY, USERS_URL


def script() -> str:
    path = Path(sys.executable).parent / "engati-mcp"
    return str(path) if path.exists() else "engati-mcp"


def test_version_through_the_installed_script() -> None:
    done = subprocess.run([script(), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"engati-mcp {__version__}"


def test_python_dash_m_runs_the_same_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "engati_mcp", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and __version__ in done.stdout


@pytest.mark.parametrize("command", ["serve", "demo", "call", "check", "sandbox"])
def test_every_subcommand_has_help_with_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert "examples:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["call"],
        ["call", "delete_users"],
        ["serve", "--transport", "carrier-pigeon"],
        ["call", "find_users", "attribute_name"],
        ["serve", "--port", "eighty"],
        ["sandbox", "--port", "70000"],
        ["--sandbox", "check"],
    ],
)
def test_wrong_usage_exits_2_with_a_clear_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_demo_plays_the_whole_flow_without_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for step in ("tools/list", "find_users", "detail='questions'", "detail='conversation'"):
        assert step in out
    # the user found by email, then what they wrote (in the sandbox's words, not the digest's layout)
    assert "asha.rao@example.com" in out and '"919876543210"' in out and "Where is my order?" in out
    assert out.count("structured facts:") == 2 and "Next: get_chat_history(" in out
    assert "then add `engati-mcp` to your MCP client" in out and "`engati-mcp sandbox` serves" in out


def test_call_prints_a_tool_result_from_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["call", "find_users", "attribute_name=email", "attribute_value=asha.rao@example.com", "--sandbox"]) == 0
    )
    assert "channel_user_id" in capsys.readouterr().out


def test_call_json_prints_the_raw_result_and_numbers_as_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "call",
                "find_users",
                "attribute_name=email",
                "attribute_value=asha.rao@example.com",
                "--sandbox",
                "--json",
            ]
        )
        == 0
    )
    user = json.loads(capsys.readouterr().out)["structuredContent"]["users"][0]["channel_user_id"]
    assert main(["call", "get_chat_history", f"channel_user_id={user}", "max_tokens=300", "--sandbox", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (
        result["structuredContent"]["messages"] == 240
        and result["structuredContent"]["next_call"]["channel_user_id"] == user
    )


def test_call_with_a_bad_argument_exits_1_and_names_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "get_chat_history", "channel_user_id=a/b", "--sandbox"]) == 1
    assert "channel_user_id" in capsys.readouterr().out


def test_check_reports_missing_configuration_with_advice_for_a_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "ENGATI_API_KEY is not set" in err
    # `check` runs in a shell: the advice is to export there, not to edit an MCP client's env block
    assert "  export ENGATI_API_KEY='<the key from the portal>'" in err and "export ENGATI_BOT_KEY=" in err
    assert "env` block" not in err


def test_check_succeeds_against_a_working_engati(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock:
        route = respx.get(USERS_URL).mock(return_value=httpx.Response(200, json={"users": []}))
        code = main(["check", "--api-key", FAKE_KEY, "--customer-id", CUSTOMER, "--bot-key", BOT, "--base-url", BASE])
    out = capsys.readouterr()
    assert code == 0 and "work" in out.out and route.call_count == 1
    assert FAKE_KEY not in out.out + out.err


def test_check_prints_the_mapped_error_with_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock:
        respx.get(USERS_URL).mock(return_value=httpx.Response(401, json={}))
        code = main(["check", "--api-key", FAKE_KEY, "--customer-id", CUSTOMER, "--bot-key", BOT, "--base-url", BASE])
    err = capsys.readouterr().err
    assert code == 1 and "Create a new key" in err and FAKE_KEY not in err


def test_call_and_demo_print_a_result_with_the_same_function(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engati_mcp import demo

    monkeypatch.setattr(demo, "result_text", lambda result: f"<rendered, error={result.is_error}>")
    assert (
        main(["call", "find_users", "attribute_name=email", "attribute_value=asha.rao@example.com", "--sandbox"]) == 0
    )
    assert capsys.readouterr().out == "<rendered, error=False>\n"
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.count("<rendered, error=False>") == 3  # find_users, then two histories


def test_serve_help_names_the_flag_that_opens_a_network_address(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "--allow-unauthenticated" in out and "ENGATI_MCP_HTTP_TOKEN" in out


def test_an_unexpected_error_is_reported_in_one_scrubbed_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engati_mcp import cli

    async def explode(_: object) -> int:
        raise RuntimeError(f"boom with Basic {FAKE_KEY}")

    monkeypatch.setattr(cli, "_check", explode)
    assert main(["check", "--api-key", FAKE_KEY]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: boom with Basic ***" in err and "Traceback" not in err and FAKE_KEY[:8] not in err
