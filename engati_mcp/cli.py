"""The `engati-mcp` command line.

The bare command runs the stdio server, so an MCP client's configuration needs nothing more
than `engati-mcp`. Subcommands help a person before they wire it into a client:

    engati-mcp serve [--transport stdio|http] [--host 127.0.0.1] [--port 8000] [--sandbox]
    engati-mcp demo                          # the whole flow on the built-in sandbox, no account
    engati-mcp call TOOL name=value ... [--sandbox] [--json]
    engati-mcp check                         # validate configuration, one authenticated request

Heavy modules (the MCP SDK, httpx, the sandbox) are imported inside the commands that need
them, so `--help` and `--version` answer at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from engati_mcp import __version__
from engati_mcp.prompt_files import PromptFileError

EXIT_USAGE = 2
_CONFIG_FLAGS = (
    ("--api-key", "api_key", "ENGATI_API_KEY (prefer the environment: flags show in process lists)"),
    ("--customer-id", "customer_id", "ENGATI_CUSTOMER_ID, digits"),
    ("--bot-key", "bot_key", "ENGATI_BOT_KEY"),
    ("--base-url", "base_url", "ENGATI_BASE_URL, default https://api.engati.com"),
    ("--timeout", "timeout", "ENGATI_TIMEOUT, seconds per request, default 30"),
    ("--log-level", "log_level", "ENGATI_LOG_LEVEL: DEBUG, INFO, WARNING (default), ERROR"),
)
_EXAMPLES = {
    "serve": "examples:\n  engati-mcp serve\n  engati-mcp serve --transport http --port 8000\n"
             "  engati-mcp serve --sandbox --transport http --stateless",
    "demo": "examples:\n  engati-mcp demo",
    "call": "examples:\n  engati-mcp call find_users attribute_name=email attribute_value=asha.rao@example.com --sandbox\n"
            "  engati-mcp call get_chat_history channel_user_id=919876543210 start_date=7d detail=questions\n"
            "  engati-mcp call get_chat_history channel_user_id=919876543210 max_tokens=1000 --json",
    "check": "examples:\n  ENGATI_API_KEY=... ENGATI_CUSTOMER_ID=10294 ENGATI_BOT_KEY=1a1c9bfa5e0f41ed engati-mcp check",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `engati-mcp` console script and of `python -m engati_mcp`."""
    args = _parser().parse_args(argv)
    command = args.command or "serve"
    _setup_logging(args)
    try:
        if command == "serve":
            return _serve(args)
        if command == "demo":
            return asyncio.run(_demo())
        if command == "call":
            return asyncio.run(_call(args))
        return asyncio.run(_check(args))
    except KeyboardInterrupt:
        return 130
    except PromptFileError as exc:
        # A malformed prompt file stops the server at start, with the file named, not a traceback.
        print(f"engati-mcp: cannot start: {exc}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------------------------------------
# Argument parsing


def _parser() -> argparse.ArgumentParser:
    config = argparse.ArgumentParser(add_help=False)
    group = config.add_argument_group("configuration (each also an environment variable)")
    for flag, dest, help_text in _CONFIG_FLAGS:
        # SUPPRESS: a flag given before the subcommand must not be reset by the subcommand's default.
        group.add_argument(flag, dest=dest, default=argparse.SUPPRESS, help=help_text)

    parser = argparse.ArgumentParser(
        prog="engati-mcp",
        description="MCP server that finds an Engati chatbot's users and reads what they said. "
                    "With no subcommand it runs the stdio server (what MCP clients launch).",
        epilog="examples:\n  engati-mcp demo\n  engati-mcp check\n  engati-mcp serve --transport http",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[config],
    )
    parser.add_argument("--version", action="version", version=f"engati-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = _subparser(sub, "serve", "run the MCP server (stdio by default)", config)
    serve.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument("--stateless", action="store_true",
                       help="HTTP without sessions, for several instances behind a load balancer")
    serve.add_argument("--sandbox", action="store_true", help="serve the built-in sandbox instead of Engati")

    _subparser(sub, "demo", "play an assistant's session against the built-in sandbox (no account)", config)

    call = _subparser(sub, "call", "call one tool and print its result", config)
    call.add_argument("tool", choices=["find_users", "get_chat_history"])
    call.add_argument("arguments", nargs="*", metavar="name=value",
                      help="tool arguments; values that look like JSON numbers are sent as numbers")
    call.add_argument("--sandbox", action="store_true", help="call the built-in sandbox instead of Engati")
    call.add_argument("--json", action="store_true", help="print the raw result as JSON")

    _subparser(sub, "check", "validate the configuration and make one authenticated request", config)
    return parser


def _subparser(sub: Any, name: str, help_text: str, config: argparse.ArgumentParser) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=help_text.capitalize() + ".", epilog=_EXAMPLES[name],
                          formatter_class=argparse.RawDescriptionHelpFormatter, parents=[config])


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {dest: getattr(args, dest) for _, dest, _ in _CONFIG_FLAGS if getattr(args, dest, None) is not None}


def _parse_tool_arguments(pairs: Sequence[str]) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            _usage_error(f"tool arguments are name=value pairs; got {pair!r}")
        arguments[name] = _typed(value)
    return arguments


def _typed(value: str) -> Any:
    """Numbers as numbers (page_size=100), everything else as the string typed."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if isinstance(parsed, int | float) and not isinstance(parsed, bool) else value


def _usage_error(message: str) -> None:
    print(f"engati-mcp: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _setup_logging(args: argparse.Namespace) -> None:
    from engati_mcp.logs import configure_logging

    level = (getattr(args, "log_level", None) or os.environ.get("ENGATI_LOG_LEVEL") or "WARNING").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        level = "WARNING"  # a bad level is reported by the tools' configuration check, not fatal here
    key = getattr(args, "api_key", None) or os.environ.get("ENGATI_API_KEY", "")
    secrets = [key.strip(), os.environ.get("ENGATI_MCP_HTTP_TOKEN", "").strip()]
    configure_logging(level, secrets=[s for s in secrets if s])


# ---------------------------------------------------------------------------------------------
# Commands


def _build_server(args: argparse.Namespace, sandbox: bool) -> Any:
    from engati_mcp.server import create_server

    if sandbox:
        from engati_mcp.sandbox import SANDBOX_SETTINGS

        return create_server(_overrides(args) | SANDBOX_SETTINGS, transport=sandbox_transport())
    return create_server(_overrides(args))


def sandbox_transport() -> Any:
    """An httpx transport that reaches the built-in sandbox in-process (no port is opened)."""
    import httpx

    from engati_mcp.sandbox import create_sandbox_app

    return httpx.ASGITransport(app=create_sandbox_app())


def _serve(args: argparse.Namespace) -> int:
    server = _build_server(args, getattr(args, "sandbox", False))
    if getattr(args, "transport", "stdio") == "http":
        from engati_mcp.http import serve_http

        return serve_http(server, host=args.host, port=args.port, stateless=args.stateless)
    server.run()
    return 0


async def _call(args: argparse.Namespace) -> int:
    from mcp import Client

    arguments = _parse_tool_arguments(args.arguments)
    async with Client(_build_server(args, args.sandbox)) as client:
        result = await client.call_tool(args.tool, arguments)
    if args.json:
        print(json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2, ensure_ascii=False))
    else:
        print(_result_text(result))
    return 1 if result.is_error else 0


def _result_text(result: Any) -> str:
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return "\n".join(texts)


async def _check(args: argparse.Namespace) -> int:
    from engati_mcp.client import EngatiClient
    from engati_mcp.config import ConfigProblem, load_settings
    from engati_mcp.errors import EngatiError

    settings = load_settings(_overrides(args))
    if isinstance(settings, ConfigProblem):
        print(settings.message, file=sys.stderr)
        return 1
    print(f"Configuration OK: customer {settings.customer_id}, bot {settings.bot_key}, {settings.base_url}")
    try:
        async with EngatiClient(settings) as client:
            await client.ping()
    except EngatiError as exc:
        print(f"Engati check failed: {exc}", file=sys.stderr)
        return 1
    print("Engati answered an authenticated request: the API key, customer id and bot key work.")
    return 0


async def _demo() -> int:
    from engati_mcp.demo import run_demo

    return await run_demo(_build_server(argparse.Namespace(), sandbox=True))
