"""What the Python test tools share (tests/api_fuzz, tests/orb_client): a pinned venv of their
own beside each script, a free loopback port, and a call of the engine through /rpc."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def ensure_venv(here: Path) -> Path:
    """The venv in `here`/.venv with `here`/requirements.txt installed (PyPI through pip), made
    again when the requirements change; its python."""
    venv = here / ".venv"
    python = venv / "bin" / "python"
    marker = venv / "requirements.installed"
    wanted = (here / "requirements.txt").read_text()
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    # --clear: a venv left half-made (an interrupted install) would keep pip from putting
    # its scripts back.
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(here / "requirements.txt")],
        check=True,
    )
    marker.write_text(wanted)
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(base: str, operation: str, payload: dict) -> dict:
    """Runs an operation of the list on the server at `base` (loopback: no sign-in)."""
    request = urllib.request.Request(
        f"{base}/rpc/{operation}",
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def serve(counterfoil: Path, book: Path, log: Path, ready: str, *extra: str):
    """Starts `counterfoil serve` on `book` on a free loopback port (its log in `log`) and
    waits until `ready` (a path) answers; the process and its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(counterfoil), "serve", "--book", str(book), "--listen", f"127.0.0.1:{port}", *extra],
        stderr=open(log, "w"),
        env={**os.environ, "RUST_LOG": "warn"},
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}{ready}", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base
