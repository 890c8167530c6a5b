"""A real `chroma run` server on loopback that a test can kill and start again on the same port and data path."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, path: Path, port: int | None = None):
        self.path = Path(path)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60) -> ChromaServer:
        if not CHROMA.exists():
            raise RuntimeError(f"the chroma CLI is missing at {CHROMA} (it ships with the chromadb package)")
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "server.log", "ab") as log:  # the server writes to its own copy of the descriptor
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.path / "db")],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma server did not start: {(self.path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)

    def kill(self) -> None:
        """An outage: SIGKILL, no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
