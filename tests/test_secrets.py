"""The API key never appears anywhere: stderr, log records, tool results, error texts, even when
Engati's own error body echoes it back and HTTP debug logging is on; and the scrubber behind that
(`engati_mcp.scrub`) masks every form of the key, fast, and leaves other text alone."""

from __future__ import annotations

import base64
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import respx

from engati_mcp.logs import configure_logging
from engati_mcp.scrub import SecretScrubber, scrub
from tests.conftest import FAKE_KEY, connect

DEADLINE = 2  # seconds per tool call: the timeout case must end well within the test

FAILURES = [
    httpx.Response(401, json={"status": {"code": 401, "desc": f"key {FAKE_KEY} revoked"}}),
    httpx.Response(400, json={"status": {"code": 1002, "desc": f"Authorization: Basic {FAKE_KEY}"}}),
    httpx.Response(500, text=f"Internal error for Basic {FAKE_KEY}"),
    httpx.Response(200, json={"status": {"code": 1099, "desc": FAKE_KEY}}),
    httpx.Response(200, content=f"<html>{FAKE_KEY}</html>".encode(), headers={"content-type": "text/html"}),
    httpx.ConnectError(f"cannot connect with {FAKE_KEY}"),
    httpx.ReadTimeout("timed out"),
    httpx.Response(200, json={"users": [{"channel_user_id": "1", "attributes": {"note": "x"}}], "odd": FAKE_KEY}),
]


def answer_with(failure: Any) -> Any:
    def respond(_: httpx.Request) -> httpx.Response:
        if isinstance(failure, Exception):
            raise failure
        return failure

    return respond


def result_text(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content) + str(result.structured_content)


@pytest.mark.parametrize("failure", FAILURES, ids=lambda f: type(f).__name__ + str(getattr(f, "status_code", "")))
async def test_the_key_appears_in_no_output_of_a_failure(
    failure: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG", secrets=[FAKE_KEY])
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        async with connect(call_deadline=DEADLINE) as client:
            with respx.mock:
                respx.get(url__regex=r".*").mock(side_effect=answer_with(failure))
                results = [
                    await client.call_tool("find_users", {"attribute_name": "email", "attribute_value": "x"}),
                    await client.call_tool("get_chat_history", {"channel_user_id": "919876543210"}),
                ]
            results.append(await client.call_tool("get_chat_history", {"channel_user_id": "a/b"}))
        captured = capfd.readouterr()
        everything = captured.out + captured.err + caplog.text + "".join(map(result_text, results))
        everything += "".join(str(r.msg) + str(r.args) for r in caplog.records)
        assert FAKE_KEY not in everything
        assert "GET /bot-api" in captured.err  # the logs really were written, to stderr
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "engati-mcp-stderr"]:
            root.removeHandler(handler)


async def test_missing_configuration_errors_do_not_echo_a_malformed_key() -> None:
    async with connect(api_key=f"{FAKE_KEY} trailing-part") as client:
        result = await client.call_tool("find_users", {"attribute_name": "email", "attribute_value": "x"})
    assert result.is_error and FAKE_KEY not in result_text(result) and "trailing-part" not in result_text(result)


# ---------------------------------------------------------------------------------------------
# The scrubber itself (engati_mcp.scrub): every form the key travels in, and nothing else


def _b64(text: str, alphabet: str = "std") -> str:
    encode = base64.urlsafe_b64encode if alphabet == "url" else base64.b64encode
    return encode(text.encode()).decode()


@pytest.mark.parametrize(
    "form",
    [
        FAKE_KEY,
        FAKE_KEY.upper(),
        FAKE_KEY.lower(),
        quote(FAKE_KEY, safe=""),
        _b64(FAKE_KEY),
        _b64(FAKE_KEY).rstrip("="),
        _b64(FAKE_KEY, "url"),
        _b64(f"{FAKE_KEY}:"),
        _b64(f":{FAKE_KEY}"),
        _b64(f"u:{FAKE_KEY}")[4:],
        _b64(f"ad:{FAKE_KEY}:")[4:],
        quote(_b64(f":{FAKE_KEY}"), safe=""),
        FAKE_KEY[:12],
        FAKE_KEY[-8:],
        FAKE_KEY[10:18],  # what a cut leaves: any 8 characters or more
    ],
    ids=lambda form: form[:14],
)
def test_every_form_of_the_key_is_masked(form: str) -> None:
    masked = SecretScrubber([FAKE_KEY]).scrub(f"Authorization: Basic {form} (echoed)")
    assert masked == "Authorization: Basic *** (echoed)"


def test_a_fragment_is_widened_to_the_whole_run_of_the_key() -> None:
    scrubber = SecretScrubber([FAKE_KEY])
    assert scrubber.scrub(f"xx{FAKE_KEY[3:25]}yy and {FAKE_KEY}") == "xx***yy and ***"


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-01T08:00:00Z order ORD-48213 phone 919876543210 ₹1,499.00",
        "a UUID 7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "zeros 00000000 and 0000-4000",
        "e52ba55 is seven characters of it",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert SecretScrubber([FAKE_KEY, "00000000-0000-4000-8000-000000000000-Sbx7Q2z"]).scrub(text) == text


def test_json_is_scrubbed_keys_and_all() -> None:
    value = {f"Basic {FAKE_KEY}": [FAKE_KEY[:10], {"n": 1, "ok": True, "v": None}], "t": (f"x{FAKE_KEY}",)}
    assert SecretScrubber([FAKE_KEY]).scrub_json(value) == {
        "Basic ***": ["***", {"n": 1, "ok": True, "v": None}],
        "t": ("x***",),
    }


def test_too_short_a_secret_is_not_masked() -> None:
    assert SecretScrubber(["abc", "", "  "]).scrub("abc abc") == "abc abc"


def test_the_process_scrubber_knows_the_environments_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "http-token-5f1c8a9e2b7d"
    monkeypatch.setenv("ENGATI_MCP_HTTP_TOKEN", token)
    monkeypatch.setenv("ENGATI_API_KEY", f"  {FAKE_KEY}  ")
    assert scrub(f"Bearer {token}; Basic {FAKE_KEY[:-3]}") == "Bearer ***; Basic ***"


def test_scrubbing_a_megabyte_is_fast() -> None:
    scrubber = SecretScrubber([FAKE_KEY, "test-http-token-0123456789"])
    line = '{"sender": "user", "timestamp": "2026/06/04 17:30:49.000+0530", "response": "Where is order ORD-48213?"}\n'
    text = (line * (1_000_000 // len(line)))[:1_000_000]
    text = text[:500_000] + f"Basic {_b64('u:' + FAKE_KEY)}" + text[500_000:]
    scrubber.scrub(text)  # the first call pays for nothing more than the others: the regex is built already
    started = time.perf_counter()
    masked = scrubber.scrub(text)
    elapsed = time.perf_counter() - started
    assert masked.count("***") == 1
    assert elapsed < 1.0, f"scrubbing 1 MB took {elapsed:.3f} s"  # about 0.06 s on a laptop


def test_a_log_record_is_scrubbed_of_the_encoded_key(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", secrets=[FAKE_KEY])
    try:
        logging.getLogger("engati_mcp.test").warning("header was %s", f"Basic {_b64(FAKE_KEY + ':')}")
        try:
            raise RuntimeError(f"echo {FAKE_KEY[:14]}")
        except RuntimeError:
            logging.getLogger("engati_mcp.test").exception("failed")
        err = capfd.readouterr().err
        assert "header was Basic ***" in err and "echo ***" in err and FAKE_KEY[:10] not in err
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "engati-mcp-stderr"]:
            root.removeHandler(handler)
