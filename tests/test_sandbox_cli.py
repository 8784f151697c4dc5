"""The newcomer's path: `engati-mcp sandbox` serves the fake Engati on loopback and prints how to
use it (the `check` it prints passes), and `engati-mcp --sandbox` is the stdio server on the
sandbox, as an MCP client launches it. Nothing leaves loopback; every wait is bounded."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from engati_mcp.cli import main, sandbox_instructions
from engati_mcp.sandbox import SANDBOX_API_KEY, sandbox_environment

README = Path(__file__).parents[1] / "README.md"
STARTUP = 30  # seconds for a subprocess to start and answer; far more than it takes


def installed_script() -> str:
    script = Path(sys.executable).parent / "engati-mcp"
    if not script.exists():
        pytest.fail("the engati-mcp console script is not installed; install the project first (see README)")
    return str(script)


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """The process's stdout lines, read by a thread, so that each wait for one can be bounded."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def printed_until(lines: queue.Queue[str], last: str) -> list[str]:
    """Lines up to the one starting with `last` (the end of what the sandbox prints)."""
    seen: list[str] = []
    while not (seen and seen[-1].startswith(last)):
        seen.append(lines.get(timeout=STARTUP))
    return seen


@pytest.fixture
def sandbox_process() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`engati-mcp sandbox --port 0` in a subprocess, with what it printed once it listens."""
    process = subprocess.Popen(
        [installed_script(), "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
    )
    try:
        yield process, printed_until(lines_of(process), "then ask it")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_the_sandbox_command_serves_on_loopback_and_the_check_it_prints_passes(
    sandbox_process: tuple[subprocess.Popen[str], list[str]],
) -> None:
    process, printed = sandbox_process
    command = shlex.split(next(line for line in printed if line.strip().endswith("engati-mcp check")))
    env = dict(word.split("=", 1) for word in command[:-2])
    url = urlsplit(env["ENGATI_BASE_URL"])
    assert (url.scheme, url.hostname) == ("http", "127.0.0.1") and url.port
    assert env == sandbox_environment(env["ENGATI_BASE_URL"])
    assert f"  API key      {SANDBOX_API_KEY}" in printed and f"  base URL     {env['ENGATI_BASE_URL']}" in printed

    check = subprocess.run(
        [installed_script(), "check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=STARTUP,
        env={"PATH": os.environ.get("PATH", "")} | env,
    )
    assert check.returncode == 0, check.stderr
    assert "Engati answered an authenticated request" in check.stdout

    process.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn shuts down gracefully
    # 130 is KeyboardInterrupt; 0 when the test runner's own SIGINT is ignored (a background job),
    # which the child inherits, so uvicorn's re-raised signal does nothing.
    assert process.wait(STARTUP) in {0, 130}


def test_the_env_block_it_prints_is_json_for_an_mcp_client_entry() -> None:
    printed = sandbox_instructions("http://127.0.0.1:8765")
    block = printed[printed.index('"env": {') : printed.index("}") + 1]
    assert json.loads("{" + block + "}") == {"env": sandbox_environment("http://127.0.0.1:8765")}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "sandbox.example.com"])
def test_the_sandbox_refuses_an_address_other_machines_can_reach(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--host", host]) == 2
    assert f"refusing to serve the sandbox on {host}" in capsys.readouterr().err


def test_a_taken_port_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["sandbox", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot serve the sandbox on 127.0.0.1:{port}" in err and "Pick another --port" in err


async def test_the_sandbox_flag_alone_is_the_stdio_server_on_the_sandbox(tmp_path: Path) -> None:
    # No ENGATI_* variable: the sandbox needs none (and conftest removed any the developer has).
    params = StdioServerParameters(
        command=installed_script(), args=["--sandbox"], env={"PATH": os.environ.get("PATH", "")}
    )
    async with asyncio.timeout(STARTUP), Client(params) as client:
        tools = (await client.list_tools()).tools
        found = await client.call_tool(
            "find_users", {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}
        )
    assert {tool.name for tool in tools} == {"find_users", "get_chat_history"}
    assert not found.is_error
    assert [user["channel_user_id"] for user in found.structured_content["users"]] == ["919876543210"]


def test_the_sandbox_flag_before_call_means_calls_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--sandbox",
                "call",
                "find_users",
                "attribute_name=email",
                "attribute_value=asha.rao@example.com",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["structuredContent"]["users"][0]["channel_user_id"] == "919876543210"


def test_the_readme_shows_a_client_entry_for_the_sandbox_and_the_sandbox_command() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Try it against the sandbox from a client") : text.index("## Install")]
    entry = json.loads(section[section.index("```json") + len("```json") : section.index("```", section.index("{"))])
    server = entry["mcpServers"]["engati-sandbox"]
    assert server["command"].endswith("/.venv/bin/engati-mcp") and server["args"] == ["--sandbox"]
    assert "engati-mcp sandbox" in section and "engati-mcp check" in section
