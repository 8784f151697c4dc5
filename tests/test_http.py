"""Streamable HTTP on loopback: tools/list through the SDK's client, DNS-rebinding protection,
the optional bearer token (401 before anything reaches MCP), and the rule that a network address
is only served with a token (or an explicit flag)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from engati_mcp.http import bind_refusal, build_http_app, extra_allowed_hosts, security_settings, served_url
from engati_mcp.server import create_server

TOKEN = "test-http-token-0123456789"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(token: str | None, stateless: bool) -> Iterator[str]:
    port = free_port()
    app = build_http_app(create_server({}), host="127.0.0.1", port=port, stateless=stateless, token=token)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("HTTP server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.fixture
def open_server() -> Iterator[str]:
    yield from serve(token=None, stateless=False)


@pytest.fixture
def token_server() -> Iterator[str]:
    yield from serve(token=TOKEN, stateless=True)


async def test_http_transport_serves_tools_list_to_the_sdk_client(open_server: str) -> None:
    async with Client(f"{open_server}/mcp") as client:
        tools = (await client.list_tools()).tools
    assert {t.name for t in tools} == {"find_users", "get_chat_history"}


async def test_stateless_http_with_the_right_token_serves_tools_list(token_server: str) -> None:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
        Client(streamable_http_client(f"{token_server}/mcp", http_client=http)) as client,
    ):
        tools = (await client.list_tools()).tools
    assert len(tools) == 2


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_missing_or_wrong_token_gets_401(token_server: str, authorization: str | None) -> None:
    headers = HEADERS | ({"authorization": authorization} if authorization else {})
    response = httpx.post(f"{token_server}/mcp", json=INIT, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("header", "value"), [("host", "evil.example.com"), ("origin", "http://evil.example.com")])
def test_foreign_host_or_origin_is_refused(open_server: str, header: str, value: str) -> None:
    response = httpx.post(f"{open_server}/mcp", json=INIT, headers=HEADERS | {header: value})
    assert response.status_code in {403, 421}


def test_own_host_and_origin_are_accepted(open_server: str) -> None:
    port = open_server.rsplit(":", 1)[1]
    response = httpx.post(f"{open_server}/mcp", json=INIT, headers=HEADERS | {"origin": f"http://localhost:{port}"})
    assert response.status_code == 200


def test_security_settings_allow_loopback_names_and_configured_extras() -> None:
    settings = security_settings("0.0.0.0", 8000, ["mcp.example.internal:8000"])
    assert "127.0.0.1:8000" in settings.allowed_hosts and "localhost:8000" in settings.allowed_hosts
    assert "mcp.example.internal:8000" in settings.allowed_hosts and "0.0.0.0:8000" not in settings.allowed_hosts
    assert "https://mcp.example.internal:8000" in settings.allowed_origins


def test_allowed_hosts_from_the_environment_keep_the_port_they_were_given() -> None:
    extra = extra_allowed_hosts({"ENGATI_MCP_ALLOWED_HOSTS": " mcp.example.internal:8000 , team.example,, "})
    assert extra == ["mcp.example.internal:8000", "team.example"]
    hosts = security_settings("0.0.0.0", 8000, extra).allowed_hosts
    assert "mcp.example.internal:8000" in hosts and not [host for host in hosts if host.endswith(":8000:8000")]
    assert {"team.example", "team.example:8000"} <= set(hosts)


def test_an_allowed_host_given_with_its_port_is_not_given_a_second_one() -> None:
    settings = security_settings("0.0.0.0", 8000, ["mcp.example.internal:8443", "team.example", "[fe80::1]:9000"])
    assert "mcp.example.internal:8443" in settings.allowed_hosts and "[fe80::1]:9000" in settings.allowed_hosts
    assert {"team.example", "team.example:8000"} <= set(settings.allowed_hosts)
    assert not [host for host in settings.allowed_hosts if host.count(":") > 1 and not host.startswith("[")]


@pytest.mark.parametrize(
    ("host", "token", "allowed", "refused"),
    [
        ("127.0.0.1", None, False, False),
        ("localhost", None, False, False),
        ("::1", None, False, False),
        ("0.0.0.0", None, False, True),
        ("::", None, False, True),
        ("10.1.2.3", None, False, True),
        ("mcp.example.internal", None, False, True),
        ("0.0.0.0", TOKEN, False, False),
        ("0.0.0.0", None, True, False),
    ],
)
def test_a_network_bind_needs_a_token_or_an_explicit_flag(
    host: str, token: str | None, allowed: bool, refused: bool
) -> None:
    assert (bind_refusal(host, token, allowed) is not None) is refused


def test_the_served_url_brackets_an_ipv6_address() -> None:
    assert served_url("::1", 8000) == "http://[::1]:8000/mcp" and served_url("127.0.0.1", 9) == "http://127.0.0.1:9/mcp"
