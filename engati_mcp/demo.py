"""`engati-mcp demo`: an assistant's session, played against the built-in sandbox.

It uses a real MCP client connected to the real server (in-process), so what it prints is
exactly what an assistant would see: the tool list, a user found by email, then that user's
history under a small token budget, first as the questions they asked, then as a conversation.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

DEMO_EMAIL = "asha.rao@example.com"
_RULE = "─" * 78


async def run_demo(server: Any, out: Any = None) -> int:
    from mcp import Client

    say = _printer(out)
    async with Client(server) as client:
        say("Step 1 · tools/list: what the assistant is offered", rule=True)
        for tool in (await client.list_tools()).tools:
            say(f"  {tool.name} — {tool.title}")
            say(textwrap.indent(textwrap.fill(tool.description or "", 74), "      "))

        say(f"Step 2 · find_users(attribute_name='email', attribute_value='{DEMO_EMAIL}')", rule=True)
        found = await client.call_tool("find_users", {"attribute_name": "email", "attribute_value": DEMO_EMAIL})
        say(result_text(found))
        if found.is_error or not (found.structured_content or {}).get("users"):
            say("The sandbox did not return the demo user; this is a bug, please report it.")
            return 1
        user_id = found.structured_content["users"][0]["channel_user_id"]

        for step, detail, budget in ((3, "questions", 1000), (4, "conversation", 1500)):
            say(
                f"Step {step} · get_chat_history(channel_user_id={user_id!r}, detail={detail!r}, max_tokens={budget})",
                rule=True,
            )
            history = await client.call_tool(
                "get_chat_history", {"channel_user_id": user_id, "detail": detail, "max_tokens": budget}
            )
            say(result_text(history))
            if history.is_error:
                return 1
            facts = history.structured_content or {}
            say(f"\n  structured facts: {json.dumps(_summary(facts), ensure_ascii=False)}")
    say(_RULE)
    say("That is the whole flow. Configure ENGATI_API_KEY, ENGATI_CUSTOMER_ID and ENGATI_BOT_KEY,")
    say("run `engati-mcp check`, then add `engati-mcp` to your MCP client (see the README).")
    # Not the `--sandbox` flag: this stream is scrubbed of the sandbox key, and "-sandbox" is a
    # piece of it. The README shows the flag.
    say("No account yet? `engati-mcp sandbox` serves this sandbox for `check` or an MCP client.")
    return 0


def _printer(out: Any) -> Any:
    def say(text: str, rule: bool = False) -> None:
        if rule:
            print(f"\n{_RULE}\n{text}\n{_RULE}", file=out)
        else:
            print(text, file=out)

    return say


def result_text(result: Any) -> str:
    """A tool result's text blocks, joined: what a client that shows only text would show (also
    what `engati-mcp call` prints)."""
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


def _summary(facts: dict[str, Any]) -> dict[str, Any]:
    keys = ("total_messages", "shown_messages", "omitted_messages", "counts_by_role", "next_call")
    return {key: facts[key] for key in keys if facts.get(key) is not None}
