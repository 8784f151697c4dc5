"""The sandbox's HTTP side: Engati's two endpoints as a Starlette app, with optional faults.

It follows docs/engati-api.md: `Authorization: Basic <key>` with the key verbatim
(401 otherwise), the customer id and bot key in the path (1002 when wrong, as for an unknown
user), dates in epoch milliseconds with end after start (1003), page numbers from 1 (1004), and
the success envelope `{"status": {"code": 1000, ...}, "responseObject": ...}` seen on Engati's
other endpoints. Messages use the shape a public client of the real endpoint reads: `sender`,
`type`, `response`, a local-time `timestamp` such as `2025/03/01 13:45:10.123+0530`, `payload`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engati_mcp.sandbox import SANDBOX_API_KEY, SANDBOX_BOT_KEY, SANDBOX_CUSTOMER_ID, FaultPlan
from engati_mcp.sandbox.data import HISTORY_END, Dataset, build_dataset

_PREFIX = "/bot-api/v1.0/customer/{customer_id}/bot/{bot_key}"
_DIGITS = re.compile(r"\d{1,15}")
_HISTORY_END_MS = int(HISTORY_END.timestamp() * 1000)


def create_sandbox_app(*, seed: int = 7, faults: FaultPlan | None = None) -> Starlette:
    """The sandbox as an ASGI app: reach it in-process with `httpx.ASGITransport`, or serve it."""
    data = build_dataset(seed)
    plan = faults or FaultPlan()

    async def users(request: Request) -> Response:
        return await _answer(request, plan, lambda: _users(request, data))

    async def conversations(request: Request) -> Response:
        return await _answer(request, plan, lambda: _conversations(request, data))

    return Starlette(
        routes=[
            Route(_PREFIX + "/users", users, methods=["GET"]),
            Route(_PREFIX + "/channel-user/{channel_user_id:path}/conversations", conversations, methods=["GET"]),
        ]
    )


async def _answer(request: Request, plan: FaultPlan, respond: Any) -> Response:
    fault = plan.next()
    if fault == "slow":
        await asyncio.sleep(plan.slow_seconds)
    elif fault == "drop":
        import httpx

        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    elif fault is not None:
        return _fault_response(fault, plan)
    if request.headers.get("authorization") != f"Basic {SANDBOX_API_KEY}":
        return _status(401, 401, "Unauthorized", "The API key is missing, invalid or revoked.")
    if (request.path_params["customer_id"], request.path_params["bot_key"]) != (SANDBOX_CUSTOMER_ID, SANDBOX_BOT_KEY):
        return _invalid_ids()
    return respond()


def _fault_response(fault: str, plan: FaultPlan) -> Response:
    if fault == "429":
        return Response(
            '{"status": {"code": 429, "desc": "Too Many Requests"}}',
            status_code=429,
            headers={"Retry-After": str(plan.retry_after)},
            media_type="application/json",
        )
    if fault == "truncated":
        body = json.dumps(_envelope({"conversations": [{"sender": "bot", "response": "cut here"}] * 20}))
        return Response(body[: len(body) // 2], media_type="application/json")
    if fault == "html":
        return Response("<html><body><h1>502 Bad Gateway</h1></body></html>", media_type="text/html")
    return Response(f"<html><body>{fault} error</body></html>", status_code=int(fault), media_type="text/html")


def _users(request: Request, data: Dataset) -> Response:
    name = request.query_params.get("attribute_name", "")
    value = request.query_params.get("attribute_value", "")
    if not name or not value:
        return _status(400, 400, "BAD_REQUEST", "attribute_name and attribute_value are required.")
    found = data.matching(name, value)
    return JSONResponse(_envelope({"users": [u.as_wire() for u in found], "total_records": len(found)}))


def _conversations(request: Request, data: Dataset) -> Response:
    user = data.user(request.path_params["channel_user_id"])
    if user is None:
        return _invalid_ids()
    query = request.query_params
    start, end = query.get("start_date", ""), query.get("end_date", "")
    if (start and not _DIGITS.fullmatch(start)) or (end and not _DIGITS.fullmatch(end)):
        return _invalid_dates()
    start_ms = int(start) if start else 0
    end_ms = int(end) if end else _now_ms()
    if end_ms <= start_ms:
        return _invalid_dates()
    page_number, page_size = query.get("page_number", "1"), query.get("page_size", "500")
    if (
        not _DIGITS.fullmatch(page_number)
        or int(page_number) < 1
        or not _DIGITS.fullmatch(page_size)
        or int(page_size) < 1
    ):
        return _status(400, 1004, "INVALID_PAGE_NUMBER", "page_number and page_size must be positive integers.")
    window = [message for ms, message in data.conversation(user) if start_ms <= ms < end_ms]
    first = (int(page_number) - 1) * int(page_size)
    page = window[first : first + int(page_size)]
    return JSONResponse(
        _envelope(
            {
                "conversations": page,
                "total_records": len(window),
                "page_number": int(page_number),
                "page_size": int(page_size),
            }
        )
    )


def _now_ms() -> int:
    """The sandbox's "now": the wall clock, but never before its data ends, so a blank end_date
    returns the same records on any machine, whatever its clock says."""
    return max(int(time.time() * 1000), _HISTORY_END_MS)


def _envelope(response_object: dict[str, Any]) -> dict[str, Any]:
    return {"status": {"code": 1000, "desc": "Success"}, "responseObject": response_object}


def _status(http_status: int, code: int, desc: str, message: str) -> JSONResponse:
    return JSONResponse({"status": {"code": code, "desc": desc, "message": message}}, status_code=http_status)


def _invalid_ids() -> JSONResponse:
    return _status(400, 1002, "INVALID_BOT_OR_CUSTOMER_ID", "The bot id, customer id or user id is invalid.")


def _invalid_dates() -> JSONResponse:
    return _status(400, 1003, "INVALID_INPUT_DATE_VALUE", "Dates must be milliseconds and end_date > start_date.")
