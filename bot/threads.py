"""Thread pinning: how many threads the numeric libraries may start in this process.

numpy's OpenBLAS (and OpenMP, MKL, torch, Rust's rayon and the tokenizers' pools) start one thread per core by
default, and those threads spin while they wait for work. Two bot processes on 2 cores then fight over the cores:
5.9 questions/s for two bots against 46 for one. Pinned to one thread each, two bots give about 1.4x one.

The limits are environment variables the libraries read once, when they load, so `pin_threads()` must run before
numpy is imported: the `pia` entry point (bot/cli) calls it first. PIA_THREADS (default 1) is the number; 0 leaves
the libraries' own defaults. A variable already set in the environment wins, so an operator can still set, say,
OPENBLAS_NUM_THREADS for one process. Processes started by this one (uvicorn and Socket Mode workers) inherit it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",  # numpy's bundled OpenBLAS
    "OMP_NUM_THREADS",  # OpenMP (torch, onnxruntime, OpenBLAS built with OpenMP)
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",  # macOS Accelerate
    "RAYON_NUM_THREADS",  # Rust thread pools (tokenizers)
)


def configured_threads(environ: MutableMapping[str, str] | None = None) -> int:
    """PIA_THREADS from the environment or .env (the settings object), 1 when unset or unreadable."""
    env = os.environ if environ is None else environ
    raw = env.get("PIA_THREADS")
    if raw is None:
        try:
            from bot.settings import get_settings

            return int(get_settings().pia_threads)
        except Exception:  # a bad .env is reported by the command itself, with its own message
            return 1
    try:
        return max(0, int(raw))
    except ValueError:
        return 1


def pin_threads(threads: int | None = None, environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set the libraries' thread limits (without overriding ones already set); returns what it set. Does nothing
    once numpy is loaded (the limits would not apply: the caller is a library user, not the `pia` command)."""
    env = os.environ if environ is None else environ
    n = configured_threads(env) if threads is None else threads
    if n <= 0 or (environ is None and "numpy" in sys.modules):
        return {}
    applied: dict[str, str] = {}
    for name in THREAD_VARIABLES:
        if name not in env:
            env[name] = str(n)
            applied[name] = str(n)
    if "TOKENIZERS_PARALLELISM" not in env and n == 1:
        env["TOKENIZERS_PARALLELISM"] = "false"
        applied["TOKENIZERS_PARALLELISM"] = "false"
    return applied
