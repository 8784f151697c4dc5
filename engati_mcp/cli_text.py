"""What the command line prints to help a person set up: shell advice, the sandbox's instructions.

Kept apart from `cli` (argument parsing and the commands) because it is text, read and changed on
its own.
"""

from __future__ import annotations

import json
import shlex
import textwrap
from urllib.parse import urlsplit


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL: no user info, path, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


_SHELL_EXAMPLES = {
    "ENGATI_API_KEY": "'<the key from the portal>'",
    "ENGATI_CUSTOMER_ID": "10294",
    "ENGATI_BOT_KEY": "1a1c9bfa5e0f41ed",
    "ENGATI_BASE_URL": "https://api.engati.com",
}


def for_a_shell(message: str) -> str:
    """The configuration problem with advice for someone at a shell, not in an MCP client's config."""
    problems = [line for line in message.splitlines() if line.startswith("- ")]
    if not problems:
        return message
    names = list(dict.fromkeys(line[2:].split(" ", 1)[0] for line in problems))  # "- NAME is ..."
    exports = [f"  export {name}={_SHELL_EXAMPLES.get(name, '...')}" for name in names]
    return "\n".join(
        [
            "engati-mcp is not configured correctly:",
            *problems,
            "Set them in this shell (or pass them as flags, see --help), then run the check again, e.g.:",
            *exports,
            (
                "ENGATI_API_KEY, ENGATI_CUSTOMER_ID and ENGATI_BOT_KEY are shown in the Engati portal under "
                "Integration > Engati API. Once the check passes, give the MCP client the same values."
            ),
        ]
    )


def sandbox_instructions(base_url: str) -> str:
    """What `engati-mcp sandbox` prints once it listens: the URL, the credentials, and how to use them."""
    from engati_mcp.sandbox import sandbox_environment

    env = sandbox_environment(base_url)
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    env_block = '"env": ' + json.dumps(env, indent=2)  # to paste into the client's entry for engati-mcp
    return "\n".join(
        [
            f"Engati sandbox (a fake Engati API with made-up users) at {base_url}; Ctrl-C stops it.",
            "Its credentials are public and fixed:",
            f"  base URL     {base_url}",
            *(f"  {label:<12} {env[name]}" for label, name in _CREDENTIAL_LABELS),
            "",
            "Check it from another terminal:",
            f"  {assignments} engati-mcp check",
            "",
            "Or point an MCP client's engati-mcp entry at it with this env block:",
            textwrap.indent(env_block, "  "),
            "then ask it what asha.rao@example.com asked the bot.",
        ]
    )


_CREDENTIAL_LABELS = (
    ("API key", "ENGATI_API_KEY"),
    ("customer id", "ENGATI_CUSTOMER_ID"),
    ("bot key", "ENGATI_BOT_KEY"),
)
