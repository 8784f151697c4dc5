"""Peak memory of the server against hostile response bodies (issue 9, item 3).

Target: the server's peak RSS grows by less than 100 MB in each case, the call ends in a clear
error naming ENGATI_MAX_RESPONSE_BYTES, and the body is fetched once (never retried).

A small HTTP server on 127.0.0.1 (in this process) plays a hostile Engati; the path prefix picks
the case:

- big:         a 200 MB body with its Content-Length declared;
- big-no-length: the same 200 MB with no length (chunked), so only reading can find its size;
- endless:     a chunked body that never ends;
- gzip-bomb:   ~0.5 MB of gzip (Content-Encoding: gzip) that inflates to 500 MB of zeros.

Each case runs in a fresh subprocess: the whole MCP server in-process (`create_server`, the SDK's
`Client`), one `get_chat_history` call with ENGATI_BASE_URL pointing at the case. The subprocess
measures its resident memory just before the call (current RSS) and its peak after it
(ru_maxrss), so the growth counts everything the call allocated, however briefly.

    python bench/bench_response_size.py [--cases big,endless,gzip-bomb]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIMIT_MB = 100.0
MB = 2**20
CASES = ("big", "big-no-length", "endless", "gzip-bomb")
_CHUNK = b" " * 65536  # JSON whitespace: what the body holds matters less than its size
_PREFIX = b'{"conversations": ['


# ---------------------------------------------------------------------------------------------
# The hostile Engati (parent process)


class HostileEngati:
    """Answers every request by its path's first segment; counts requests per case."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self._bomb = _gzip_zeros(500 * MB)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            case = head.split(b" ", 2)[1].decode().strip("/").split("/")[0]
            self.requests[case] = self.requests.get(case, 0) + 1
            await getattr(self, "_" + case.replace("-", "_"))(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up: what a capped reader does
        finally:
            writer.close()

    async def _big(self, writer: asyncio.StreamWriter) -> None:
        await _send_sized(writer, 200 * MB, {})

    async def _big_no_length(self, writer: asyncio.StreamWriter) -> None:
        writer.write(_head({"transfer-encoding": "chunked"}))
        writer.write(_chunk(_PREFIX))
        for _ in range(200 * MB // len(_CHUNK)):
            writer.write(_chunk(_CHUNK))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _endless(self, writer: asyncio.StreamWriter) -> None:
        writer.write(_head({"transfer-encoding": "chunked"}))
        writer.write(_chunk(_PREFIX))
        while True:
            writer.write(_chunk(_CHUNK))
            await writer.drain()

    async def _gzip_bomb(self, writer: asyncio.StreamWriter) -> None:
        writer.write(_head({"content-encoding": "gzip", "content-length": str(len(self._bomb))}))
        writer.write(self._bomb)
        await writer.drain()


async def _send_sized(writer: asyncio.StreamWriter, size: int, headers: dict[str, str]) -> None:
    writer.write(_head(headers | {"content-length": str(size)}))
    writer.write(_PREFIX)
    chunks, rest = divmod(size - len(_PREFIX), len(_CHUNK))
    for _ in range(chunks):
        writer.write(_CHUNK)
        await writer.drain()
    writer.write(_CHUNK[:rest])
    await writer.drain()


def _head(headers: dict[str, str]) -> bytes:
    lines = [
        "HTTP/1.1 200 OK",
        "content-type: application/json",
        "connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _gzip_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * MB
    return b"".join([*(packer.compress(zeros) for _ in range(size // MB)), packer.flush()])


# ---------------------------------------------------------------------------------------------
# One case (child process)


def _rss_now() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


async def _child(base_url: str) -> dict[str, object]:
    from mcp import Client

    # Imported before the baseline: loading the modules is not the call's memory.
    import engati_mcp.client
    import engati_mcp.tools  # noqa: F401
    from engati_mcp.server import create_server

    config = {
        "api_key": "e52ba556-bdd0-4e88-a0c4-c41b02414ef4-BENCHKY",
        "customer_id": "10294",
        "bot_key": "1a1c9bfa5e0f41ed",
        "base_url": base_url,
        "call_deadline": 20,
    }
    async with Client(create_server(config)) as client:
        await client.list_tools()
        before = _rss_now()
        started = time.perf_counter()
        result = await client.call_tool("get_chat_history", {"channel_user_id": "919876543210"})
        seconds = time.perf_counter() - started
    text = "\n".join(block.text for block in result.content if block.type == "text")
    return {
        "baseline_mb": round(before, 1),
        "peak_mb": round(_peak(), 1),
        "growth_mb": round(_peak() - before, 1),
        "seconds": round(seconds, 2),
        "is_error": result.is_error,
        "text": text[:300],
    }


# ---------------------------------------------------------------------------------------------
# Driver


async def _run(cases: list[str]) -> bool:
    engati = HostileEngati()
    server = await asyncio.start_server(engati.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    ok = True
    print(f"{'case':<15} {'growth':>9} {'peak':>9} {'time':>7} {'requests':>8}  verdict")
    for case in cases:
        report = await _measure(f"http://127.0.0.1:{port}/{case}")
        passed = (
            report["growth_mb"] < LIMIT_MB
            and bool(report["is_error"])
            and "ENGATI_MAX_RESPONSE_BYTES" in str(report["text"])
            and engati.requests.get(case) == 1
        )
        ok &= passed
        print(
            f"{case:<15} {report['growth_mb']:>6.1f} MB {report['peak_mb']:>6.1f} MB {report['seconds']:>6.2f}s "
            f"{engati.requests.get(case, 0):>8}  {'PASS' if passed else 'FAIL'}"
        )
        print(f"{'':<15} {str(report['text']).splitlines()[-1][:140]}")
    server.close()
    return ok


async def _measure(base_url: str) -> dict[str, object]:
    env = os.environ | {"PYTHONPATH": str(HERE.parent)}  # the engati_mcp beside this script, whatever is installed
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        base_url,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=HERE.parent,
        env=env,
    )
    out, _ = await proc.communicate()
    return json.loads(out.decode().strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child))))
        return 0
    print(f"Peak RSS growth per case (target < {LIMIT_MB:.0f} MB; default ENGATI_MAX_RESPONSE_BYTES = 32 MB)")
    return 0 if asyncio.run(_run(args.cases.split(","))) else 1


if __name__ == "__main__":
    sys.exit(main())
