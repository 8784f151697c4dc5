"""The `engati-mcp` command line.

The bare command runs the stdio server, so an MCP client's configuration needs nothing more
than `engati-mcp` (`engati-mcp --sandbox` serves the built-in sandbox instead of Engati).
Subcommands help a person before they wire it into a client:

    engati-mcp serve [--transport stdio|http] [--host 127.0.0.1] [--port 8000] [--sandbox]
    engati-mcp demo                          # the whole flow on the built-in sandbox, no account
    engati-mcp call TOOL name=value ... [--sandbox] [--json]
    engati-mcp check                         # validate configuration, one authenticated request
    engati-mcp sandbox [--port 8765]         # the fake Engati on loopback, for `check` or a client

Heavy modules (the MCP SDK, httpx, the sandbox) are imported inside the commands that need
them, so `--help` and `--version` answer at once.

Everything the commands print goes through `_say`, which scrubs it of secrets
(`engati_mcp.scrub`): a tool result, Engati's error text or an unexpected exception can quote the
API key, and a terminal's scrollback or a CI log is no place for it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from engati_mcp import __version__
from engati_mcp.cli_text import for_a_shell, origin, sandbox_instructions
from engati_mcp.prompt_files import PromptFileError
from engati_mcp.scrub import remember, scrub, scrub_json

logger = logging.getLogger("engati_mcp.cli")

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
    "  engati-mcp serve --sandbox --transport http --stateless\n"
    "  ENGATI_MCP_HTTP_TOKEN=... engati-mcp serve --transport http --host 0.0.0.0",
    "demo": "examples:\n  engati-mcp demo",
    "call": "examples:\n"
    "  engati-mcp call find_users attribute_name=email attribute_value=asha.rao@example.com --sandbox\n"
    "  engati-mcp call get_chat_history channel_user_id=919876543210 start_date=7d detail=questions\n"
    "  engati-mcp call get_chat_history channel_user_id=919876543210 max_tokens=1000 --json",
    "check": "examples:\n"
    "  ENGATI_API_KEY=... ENGATI_CUSTOMER_ID=10294 ENGATI_BOT_KEY=1a1c9bfa5e0f41ed engati-mcp check",
    "sandbox": "examples:\n  engati-mcp sandbox\n  engati-mcp sandbox --port 0    # any free port",
}
SANDBOX_PORT = 8765
# With `--sandbox` before (or instead of) a command: the commands that can use the sandbox.
_SANDBOX_COMMANDS = (None, "serve", "call", "demo")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `engati-mcp` console script and of `python -m engati_mcp`."""
    args = _parser().parse_args(argv)
    _apply_sandbox_flag(args)
    command = args.command or "serve"
    _setup_logging(args)
    try:
        if command == "serve":
            return _serve(args)
        if command == "demo":
            return asyncio.run(_demo())
        if command == "call":
            return asyncio.run(_call(args))
        if command == "sandbox":
            return _sandbox(args)
        return asyncio.run(_check(args))
    except KeyboardInterrupt:
        return 130
    except PromptFileError as exc:
        # A malformed prompt file stops the server at start, with the file named, not a traceback.
        _say(f"engati-mcp: cannot start: {exc}", sys.stderr)
        return 1
    except Exception as exc:  # the traceback goes to the (scrubbed) log, not raw to stderr
        logger.debug("unexpected error", exc_info=True)
        _say(
            f"engati-mcp: unexpected error: {type(exc).__name__}: {exc} (ENGATI_LOG_LEVEL=DEBUG shows where)",
            sys.stderr,
        )
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
        epilog="examples:\n  engati-mcp demo\n  engati-mcp sandbox\n  engati-mcp check\n"
        "  engati-mcp serve --transport http\n  engati-mcp --sandbox    # the stdio server on the sandbox",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[config],
    )
    parser.add_argument("--version", action="version", version=f"engati-mcp {__version__}")
    # Its own dest: a subcommand's `--sandbox` default would otherwise overwrite it.
    parser.add_argument(
        "--sandbox",
        dest="sandbox_first",
        action="store_true",
        help="serve the built-in sandbox instead of Engati (alone: the same as `serve --sandbox`)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = _subparser(sub, "serve", "run the MCP server (stdio by default)", config)
    serve.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=_port, default=8000, help="HTTP port (default 8000)")
    serve.add_argument(
        "--stateless", action="store_true", help="HTTP without sessions, for several instances behind a load balancer"
    )
    serve.add_argument("--sandbox", action="store_true", help="serve the built-in sandbox instead of Engati")
    serve.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="serve HTTP on a non-loopback address without ENGATI_MCP_HTTP_TOKEN "
        "(only behind a proxy that authenticates every request)",
    )

    _subparser(sub, "demo", "play an assistant's session against the built-in sandbox (no account)", config)

    call = _subparser(sub, "call", "call one tool and print its result", config)
    call.add_argument("tool", choices=["find_users", "get_chat_history"])
    call.add_argument(
        "arguments",
        nargs="*",
        metavar="name=value",
        help="tool arguments; values that look like JSON numbers are sent as numbers",
    )
    call.add_argument("--sandbox", action="store_true", help="call the built-in sandbox instead of Engati")
    call.add_argument("--json", action="store_true", help="print the raw result as JSON")

    _subparser(sub, "check", "validate the configuration and make one authenticated request", config)

    # No configuration flags: the sandbox's credentials are fixed, and it prints them.
    sandbox = _subparser(
        sub,
        "sandbox",
        "serve the built-in fake Engati on loopback until interrupted, "
        "and print how to point `check` or an MCP client at it",
        None,
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1); any other address is refused"
    )
    sandbox.add_argument(
        "--port", type=_port, default=SANDBOX_PORT, help=f"port (default {SANDBOX_PORT}; 0 takes a free one)"
    )
    return parser


def _subparser(sub: Any, name: str, help_text: str, config: argparse.ArgumentParser | None) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help_text,
        description=help_text.capitalize() + ".",
        epilog=_EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[config] if config else [],
    )


def _port(value: str) -> int:
    """A TCP port number for argparse: 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


def _apply_sandbox_flag(args: argparse.Namespace) -> None:
    """`engati-mcp --sandbox [serve|call|demo]` means that command's own `--sandbox`."""
    if not args.sandbox_first:
        return
    if args.command not in _SANDBOX_COMMANDS:
        _usage_error(f"--sandbox goes with no command, serve, call or demo, not {args.command}")
    args.sandbox = True


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
    _say(f"engati-mcp: error: {message}", sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _say(text: str, stream: IO[str] | None = None) -> None:
    """Print `text` scrubbed of every secret the process knows: the CLI's only way to print."""
    print(scrub(text), file=stream or sys.stdout)


class _ScrubbedStream:
    """A text stream that scrubs what is written to it, for code that prints on its own (the demo)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(scrub(text))

    def flush(self) -> None:
        self._stream.flush()


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

        return serve_http(
            server,
            host=args.host,
            port=args.port,
            stateless=args.stateless,
            allow_unauthenticated=args.allow_unauthenticated,
        )
    server.run()
    return 0


async def _call(args: argparse.Namespace) -> int:
    from mcp import Client

    from engati_mcp.demo import result_text

    arguments = _parse_tool_arguments(args.arguments)
    async with Client(_build_server(args, args.sandbox)) as client:
        result = await client.call_tool(args.tool, arguments)
    if args.json:
        _say(
            json.dumps(
                scrub_json(result.model_dump(mode="json", by_alias=True, exclude_none=True)),
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        _say(result_text(result))
    return 1 if result.is_error else 0


async def _check(args: argparse.Namespace) -> int:
    from engati_mcp.client import EngatiClient
    from engati_mcp.config import ConfigProblem, load_settings
    from engati_mcp.errors import EngatiAPIError, EngatiError, account_ids_error

    settings = load_settings(_overrides(args))
    if isinstance(settings, ConfigProblem):
        _say(for_a_shell(settings.message), sys.stderr)
        return 1
    remember(settings.api_key.get_secret_value())
    # Scheme, host and port only: a path (a proxy's prefix) can carry a token of its own.
    _say(f"Configuration OK: customer {settings.customer_id}, bot {settings.bot_key}, {origin(settings.base_url)}")
    try:
        async with EngatiClient(settings) as client:
            await client.ping()
    except EngatiAPIError as exc:  # the ping looks users up: a 1002 can only be the customer id or bot key
        _say(f"Engati check failed: {account_ids_error(exc)}", sys.stderr)
        return 1
    except EngatiError as exc:
        _say(f"Engati check failed: {exc}", sys.stderr)
        return 1
    _say("Engati answered an authenticated request: the API key, customer id and bot key work.")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from engati_mcp.http import is_loopback
    from engati_mcp.sandbox import serve_sandbox

    if not is_loopback(args.host):
        _say(
            f"engati-mcp: refusing to serve the sandbox on {args.host}: it is served on loopback only "
            "(127.0.0.1, ::1 or localhost)",
            sys.stderr,
        )
        return EXIT_USAGE
    try:
        serve_sandbox(args.host, args.port, ready=lambda url: _print_public(sandbox_instructions(url)))
    except OSError as exc:  # the port is taken, most often
        _say(
            f"engati-mcp: cannot serve the sandbox on {args.host}:{args.port}: {exc.strerror or exc}. "
            "Pick another --port (0 takes a free one).",
            sys.stderr,
        )
        return 1
    return 0


def _print_public(text: str) -> None:
    """Print without scrubbing: for the sandbox's public credentials only. A shell that still
    exports the sandbox key (as `check` above suggests) would otherwise see *** where the command
    to copy should be. Flushed: a piped stdout is block-buffered, and the reader is waiting."""
    print(text, flush=True)


async def _demo() -> int:
    from engati_mcp.demo import run_demo

    return await run_demo(_build_server(argparse.Namespace(), sandbox=True), out=_ScrubbedStream(sys.stdout))
