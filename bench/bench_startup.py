"""Cold start to the first tools/list over stdio: engati-mcp next to the reference mcp-server-time.

Target (issue 5): engati-mcp's median must be within 1.05x of mcp-server-time's.

Each run spawns the server fresh, writes `initialize`, `notifications/initialized` and
`tools/list` as JSON-RPC lines on its stdin, and stops the clock when the tools/list answer
arrives on stdout. Runs alternate between the two servers so machine noise hits both alike.
mcp-server-time is installed from PyPI into its own virtualenv (bench/.venv-time) on first use,
so its dependencies cannot disturb ours.

    python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIME_VENV = HERE / ".venv-time"
TARGET = 1.05
_REQUESTS = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]


def time_server_command() -> list[str]:
    python = TIME_VENV / "bin" / "python"
    if not python.exists():
        print("installing mcp-server-time into bench/.venv-time ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(TIME_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "mcp-server-time"], check=True)
    return [str(python), "-m", "mcp_server_time", "--local-timezone", "UTC"]


def engati_command() -> list[str]:
    script = Path(sys.executable).parent / "engati-mcp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "engati_mcp"]


def cold_start(command: list[str], env: dict[str, str]) -> float:
    payload = "".join(json.dumps(r) + "\n" for r in _REQUESTS).encode()
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin and proc.stdout
    proc.stdin.write(payload)
    proc.stdin.flush()
    try:
        for line in proc.stdout:
            message = json.loads(line)
            if message.get("id") == 2:
                if "result" not in message or not message["result"].get("tools"):
                    raise RuntimeError(f"{command[0]}: tools/list failed: {line[:200]!r}")
                return time.perf_counter() - started
        raise RuntimeError(f"{command[0]} closed stdout before answering tools/list")
    finally:
        proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGATI_")}
    env.update(ENGATI_API_KEY="bench-key-not-real", ENGATI_CUSTOMER_ID="10294", ENGATI_BOT_KEY="1a1c9bfa5e0f41ed")
    commands = {"engati-mcp": engati_command(), "mcp-server-time": time_server_command()}
    for command in commands.values():  # warm the OS file cache and .pyc files, not measured
        cold_start(command, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(cold_start(command, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, values in samples.items():
        print(
            f"{name:16s} median {medians[name] * 1000:7.1f} ms   min {min(values) * 1000:7.1f} ms   "
            f"max {max(values) * 1000:7.1f} ms   ({len(values)} runs)"
        )
    ratio = medians["engati-mcp"] / medians["mcp-server-time"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"{verdict}: engati-mcp / mcp-server-time = {ratio:.3f} (target <= {TARGET})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
