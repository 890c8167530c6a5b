"""Load on the Slack bot as it is deployed: real `pia serve --http` processes (uvicorn, the real engine, the default
USE embedder) over one pre-built data dir, signed HTTP requests to them, and the local fake Slack
(tests/fake_slack.py) recording when each answer arrives.

    .venv/bin/python benchmarks/bench_load.py [--scenarios burst30,burst100,replicas,mixed,during_check]
                                              [--replicas 1,2,3] [--repeat 1] [--threads 1] [--questions 200]
                                              [--data-dir DIR] [--chroma]

Scenarios (a fresh bot for each, so no cache carries over; every question text is distinct):
- burst30 / burst100: N mentions sent at the same instant to one process.
- replicas: --questions mentions sent as one burst to 1, 2, 3 HTTP workers (`pia serve --workers N`, one socket);
  throughput = questions / (first send -> last answer). --repeat interleaves rounds and reports medians;
  --chroma puts the index on a `chroma run` server instead of the shared embedded data dir.
- mixed: 4 /pia-check of the 61-page draft (examples/large_60p.pdf) among 100 mentions spread over ~5 s.
- during_check: a mention sent while a check of the 61-page draft runs (after its チェック中 update), 5 times.

For each: lost events (no 200, or no answer within 120 s), answer time (signed request sent -> chat.postMessage at
the fake Slack) p50/p95/max, ack time (HTTP response) p50/p95/max, throughput, and the peak resident memory of
every bot process (VmHWM). The load average before and after each run is reported: the machine may be shared.
Prints one JSON document on stdout and a table on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_slack import BOT_USER, FakeSlack, SignedSender  # noqa: E402

PIA = [sys.executable, "-c", "from bot.cli import run; run()"]
DRAFT = ROOT / "examples" / "large_60p.pdf"


def questions() -> list[str]:
    out: list[str] = []
    for name in ("questions.yaml", "questions_heldout.yaml"):
        path = ROOT / "knowledge" / "eval" / name
        if path.exists():
            out += [q["q"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]
    return out


def distinct(n: int, offset: int = 0) -> list[str]:
    """n distinct question texts (the eval sets' questions; past them, the same with a number)."""
    qs = questions()
    return [qs[(offset + i) % len(qs)] + ("" if offset + i < len(qs) else f"（{offset + i}）") for i in range(n)]


def pct(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))], 4)


def stats(xs: list[float]) -> dict:
    return {"n": len(xs), "p50_s": pct(xs, 50), "p95_s": pct(xs, 95), "max_s": round(max(xs), 4) if xs else None}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the bot processes


CHROMA_ENV: dict[str, str] = {}  # CHROMA_HOST/CHROMA_PORT with --chroma


def start_chroma(tmp: Path) -> subprocess.Popen:
    """A real `chroma run` on loopback (the several-hosts deployment of docs/deploy.md, on one machine)."""
    import urllib.request

    port = free_port()
    log = open(tmp / "chroma.log", "wb")  # noqa: SIM115 (the server keeps it)
    proc = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--host", "127.0.0.1", "--port",
                             str(port), "--path", str(tmp / "chroma-db")], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    CHROMA_ENV.update({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)})
    return proc


class Bot:
    def __init__(self, fake: FakeSlack, data_dir: Path, workers: int, threads: int, tmp: Path):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PIA_", "OPENBLAS", "OMP_"))}
        env.update(CHROMA_ENV)
        env.update({"PIA_DATA_DIR": str(data_dir), "PIA_EMBEDDER": "use", "PIA_THREADS": str(threads),
                    "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": fake.bot_token,
                    "SLACK_SIGNING_SECRET": "fake-signing-secret", "SLACK_API_URL": fake.api_url,
                    "PIA_MAX_UPLOAD_MB": "30"})
        self.log = open(tmp / f"bot-{self.port}.log", "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen([*PIA, "serve", "--http", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--workers", str(workers)], env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}/slack/events"

    def wait_ready(self, timeout: float = 300) -> float:
        import urllib.request

        t0 = time.monotonic()
        pids: set[int] = set()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"the bot exited ({self.proc.returncode}); see {self.log.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    if body["status"] == "ready":
                        pids.add(body["pid"])
                        if len(pids) >= self.workers:
                            return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("the bot never became ready")

    def per_worker(self, tries: int = 60) -> dict[str, int]:
        """Questions each worker answered (each /healthz request is a new connection, so it reaches any worker)."""
        import urllib.request

        done: dict[str, int] = {}
        for _ in range(tries):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    done[str(body["pid"])] = body["questions"]["completed"]
            except OSError:
                pass
            if len(done) >= self.workers:
                break
        return done

    def pids(self) -> list[int]:
        out = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            out += [int(c) for c in children]
        except OSError:
            pass
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the bot's processes: what a question costs, whatever else runs
        on the machine."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
        return total

    def peak_rss_mb(self) -> dict[str, float]:
        peaks = {}
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[str(pid)] = round(int(line.split()[1]) / 1024, 1)
            except OSError:
                continue
        return peaks

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


# --------------------------------------------------------------------------- load


class Load:
    """Sends mentions (each to its own channel) and slash commands, and reads the answers off the fake Slack."""

    def __init__(self, fake: FakeSlack, bot: Bot, tag: str):
        self.fake, self.bot, self.tag = fake, bot, tag
        self.sender = SignedSender(bot.url)
        self.sent: dict[str, float] = {}
        self.acks: dict[str, float] = {}
        self.failed: dict[str, str] = {}
        self._lock = threading.Lock()
        self._n = 0

    def channel(self) -> str:
        with self._lock:
            self._n += 1
            return f"C{self.tag}{self._n:05d}"

    def mention(self, text: str, channel: str | None = None) -> str:
        channel = channel or self.channel()
        msg = self.fake.add_message(channel, "UBENCH001", f"<@{BOT_USER}> {text}")
        event = {"type": "app_mention", "user": "UBENCH001", "text": msg["text"], "channel": channel,
                 "ts": msg["ts"], "event_ts": msg["ts"]}
        body = json.dumps(self.sender.event_body(event))
        t0 = time.monotonic()
        with self._lock:
            self.sent[channel] = t0
        try:
            status, _ = self.sender.post(body, "application/json")
        except OSError as e:  # a connection reset or refused: Slack would see this event as lost
            with self._lock:
                self.failed[channel] = type(e).__name__
            return channel
        with self._lock:
            self.acks[channel] = time.monotonic() - t0
            if status != 200:
                self.failed[channel] = f"HTTP {status}"
        return channel

    def check(self, channel: str | None = None) -> str:
        channel = channel or self.channel()
        meta = self.fake.add_file(DRAFT.name, DRAFT.read_bytes(), user="UBENCH001", channel=channel)
        t0 = time.monotonic()
        status, _ = self.sender.command("/pia-check", meta["id"], user="UBENCH001", channel=channel)
        with self._lock:
            self.sent[channel] = t0
            self.acks[channel] = time.monotonic() - t0
            if status != 200:
                self.failed[channel] = f"HTTP {status}"
        return channel

    def burst(self, texts: list[str], concurrency: int | None = None) -> list[str]:
        """All at once: `concurrency` sender threads (default: one per mention), released together."""
        n = concurrency or len(texts)
        barrier = threading.Barrier(min(n, len(texts)))

        def go(text: str) -> str:
            if n >= len(texts):
                barrier.wait()
            return self.mention(text)

        with ThreadPoolExecutor(n) as ex:
            return list(ex.map(go, texts))

    def answers(self, channels: list[str], timeout: float = 120.0, method: str = "chat.postMessage") -> dict:
        """First post per channel (the answer), waiting until all arrived or the timeout."""
        want = set(channels) - set(self.failed)
        deadline = time.monotonic() + timeout
        got: dict[str, float] = {}
        while time.monotonic() < deadline:
            for c in self.fake.calls_to(method):
                ch = c.params.get("channel")
                if ch in want and ch not in got and c.response and c.response.get("ok"):
                    got[ch] = c.at
            if len(got) >= len(want):
                break
            time.sleep(0.05)
        return got

    def report(self, channels: list[str], got: dict[str, float], t_start: float | None = None) -> dict:
        times = [got[c] - self.sent[c] for c in channels if c in got]
        acks = [self.acks[c] for c in channels if c in self.acks]
        lost = [c for c in channels if c not in got]
        first = t_start if t_start is not None else min(self.sent[c] for c in channels)
        span = max(got.values()) - first if got else None
        return {"sent": len(channels), "lost": len(lost), "lost_reasons": sorted({self.failed.get(c, "no answer")
                                                                                   for c in lost}),
                "answer": stats(times), "ack": stats(acks), "throughput_qps": round(len(got) / span, 2) if span
                else None, "wall_s": round(span, 3) if span else None}


# --------------------------------------------------------------------------- scenarios


def run_burst(fake, data_dir, tmp, n: int, threads: int) -> dict:
    bot = Bot(fake, data_dir, 1, threads, tmp)
    try:
        ready = bot.wait_ready()
        load = Load(fake, bot, f"B{n}")
        before = loadavg()
        channels = load.burst(distinct(n, offset=7 * n))
        got = load.answers(channels)
        out = load.report(channels, got)
        return {**out, "ready_s": round(ready, 2), "peak_rss_mb": bot.peak_rss_mb(), "loadavg_before": before,
                "loadavg_after": loadavg(), "threads": threads}
    finally:
        bot.stop()


def run_replicas(fake, data_dir, tmp, workers: int, n: int, threads: int, rnd: int = 0) -> dict:
    bot = Bot(fake, data_dir, workers, threads, tmp)
    try:
        ready = bot.wait_ready()
        load = Load(fake, bot, f"R{workers}x{rnd}")
        load.burst(distinct(20, offset=150), concurrency=8)  # warm every worker's first-question paths
        time.sleep(1.0)
        before = loadavg()
        cpu0 = bot.cpu_seconds()
        t0 = time.monotonic()
        channels = load.burst(distinct(n), concurrency=64)
        got = load.answers(channels, timeout=300)
        out = load.report(channels, got, t_start=t0)
        cpu = bot.cpu_seconds() - cpu0
        return {**out, "workers": workers, "threads": threads, "ready_s": round(ready, 2),
                "bot_cpu_ms_per_question": round(1000 * cpu / max(1, len(got)), 1),
                "answered_per_worker": bot.per_worker(), "peak_rss_mb": bot.peak_rss_mb(),
                "loadavg_before": before, "loadavg_after": loadavg()}
    finally:
        bot.stop()


def run_mixed(fake, data_dir, tmp, threads: int) -> dict:
    bot = Bot(fake, data_dir, 1, threads, tmp)
    try:
        bot.wait_ready()
        load = Load(fake, bot, "MX")
        before = loadavg()
        checks: list[str] = []
        mentions: list[str] = []
        texts = distinct(100, offset=40)
        with ThreadPoolExecutor(16) as ex:
            futures = []
            for i, text in enumerate(texts):
                if i % 25 == 0:
                    futures.append(("check", ex.submit(load.check)))
                futures.append(("mention", ex.submit(load.mention, text)))
                time.sleep(0.05)
            for kind, f in futures:
                (checks if kind == "check" else mentions).append(f.result())
        got = load.answers(mentions)
        done: dict[str, float] = {}
        deadline = time.monotonic() + 300
        while len(done) < len(checks) and time.monotonic() < deadline:
            for c in fake.calls_to("files.completeUploadExternal"):
                ch = c.params.get("channel_id")
                if ch in checks and ch not in done:
                    done[ch] = c.at
            time.sleep(0.1)
        check_times = [done[c] - load.sent[c] for c in checks if c in done]
        return {"questions": load.report(mentions, got), "checks": {"sent": len(checks),
                "finished": len(done), "total_with_report": stats(check_times),
                "ack": stats([load.acks[c] for c in checks if c in load.acks])},
                "peak_rss_mb": bot.peak_rss_mb(), "loadavg_before": before, "loadavg_after": loadavg(),
                "threads": threads}
    finally:
        bot.stop()


def run_during_check(fake, data_dir, tmp, threads: int, rounds: int = 5) -> dict:
    bot = Bot(fake, data_dir, 1, threads, tmp)
    try:
        bot.wait_ready()
        load = Load(fake, bot, "DC")
        before = loadavg()
        latencies, overlapped = [], 0
        texts = distinct(rounds, offset=90)
        for i in range(rounds):
            check_channel = load.check()
            fake.wait_for("chat.update", lambda c, ch=check_channel: c.params.get("channel") == ch
                          and "チェック中" in c.params.get("text", ""), timeout=60)
            q = load.mention(texts[i])
            got = load.answers([q], timeout=60)
            if q in got:
                latencies.append(got[q] - load.sent[q])
            fake.wait_for("files.completeUploadExternal", lambda c, ch=check_channel: c.params.get("channel_id")
                          == ch, timeout=120)
            finished = [c.at for c in fake.calls_to("chat.update") if c.params.get("channel") == check_channel
                        and "終わりました" in c.params.get("text", "")]
            if q in got and finished and got[q] < finished[0]:
                overlapped += 1  # the answer came while the check was still running
            time.sleep(0.5)
        return {"answer_during_check": stats(latencies), "answered_before_the_check_ended": overlapped,
                "rounds": rounds, "draft": DRAFT.name, "loadavg_before": before, "loadavg_after": loadavg(),
                "threads": threads}
    finally:
        bot.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", default="burst30,burst100,replicas,mixed,during_check")
    ap.add_argument("--replicas", default="1,2,3")
    ap.add_argument("--threads", type=int, default=1, help="PIA_THREADS of the bot processes")
    ap.add_argument("--questions", type=int, default=200, help="mentions per replicas run")
    ap.add_argument("--data-dir", default=None, help="an indexed data dir (default: index into a temp dir)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of the replicas runs (medians reported)")
    ap.add_argument("--chroma", action="store_true", help="the bots share a `chroma run` server, not a data dir")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    chroma = start_chroma(tmp) if args.chroma else None
    data_dir = Path(args.data_dir) if args.data_dir else tmp / "data"
    if not args.data_dir or chroma is not None:
        env = {**os.environ, **CHROMA_ENV, "PIA_DATA_DIR": str(data_dir), "PIA_EMBEDDER": "use",
               "PYTHONPATH": str(ROOT)}
        subprocess.run([*PIA, "index"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fake = FakeSlack().start()
    scenarios = args.scenarios.split(",")
    result: dict = {"cpus": os.cpu_count(), "threads": args.threads, "loadavg_start": loadavg()}
    try:
        if "burst30" in scenarios:
            result["burst30"] = run_burst(fake, data_dir, tmp, 30, args.threads)
        if "burst100" in scenarios:
            result["burst100"] = run_burst(fake, data_dir, tmp, 100, args.threads)
        if "replicas" in scenarios:
            counts = [int(w) for w in args.replicas.split(",")]
            runs = []
            for rep in range(args.repeat):  # interleaved, so a busy minute on a shared machine hits every count
                for w in counts:
                    runs.append({**run_replicas(fake, data_dir, tmp, w, args.questions, args.threads, rep),
                                 "round": rep})
            by_count = {w: [r["throughput_qps"] for r in runs if r["workers"] == w and r["throughput_qps"]]
                        for w in counts}
            medians = {w: statistics.median(v) for w, v in by_count.items() if v}
            base = medians.get(counts[0]) or 0
            result["replicas"] = runs
            result["replicas_median"] = [{"workers": w, "throughput_qps": round(m, 2), "runs": by_count[w],
                                          "speedup_vs_first": round(m / base, 2) if base else None}
                                         for w, m in medians.items()]
        if "mixed" in scenarios:
            result["mixed"] = run_mixed(fake, data_dir, tmp, args.threads)
        if "during_check" in scenarios:
            result["during_check"] = run_during_check(fake, data_dir, tmp, args.threads)
    finally:
        fake.stop()
        if chroma is not None:
            chroma.terminate()
            chroma.wait(30)
    result["store"] = "chroma server" if chroma is not None else "embedded"
    result["loadavg_end"] = loadavg()
    print(json.dumps(result, ensure_ascii=False))
    summary(result)


def summary(r: dict) -> None:
    def line(name, x):
        a, k = x["answer"], x["ack"]
        print(f"{name:<22} lost {x['lost']}/{x['sent']}  answer p50 {a['p50_s']}s p95 {a['p95_s']}s max "
              f"{a['max_s']}s  ack p95 {k['p95_s']}s max {k['max_s']}s  {x['throughput_qps']} q/s", file=sys.stderr)

    for key in ("burst30", "burst100"):
        if key in r:
            line(key, r[key])
    for x in r.get("replicas", []):
        line(f"replicas={x['workers']} (round {x['round']})", x)
        print(f"{'':<22} bot CPU {x['bot_cpu_ms_per_question']} ms/question  per worker "
              f"{x['answered_per_worker']}  peak RSS {x['peak_rss_mb']}  load {x['loadavg_before']}", file=sys.stderr)
    for m in r.get("replicas_median", []):
        print(f"replicas={m['workers']}: median {m['throughput_qps']} q/s over {m['runs']}, "
              f"{m['speedup_vs_first']}x", file=sys.stderr)
    if "mixed" in r:
        line("mixed: questions", r["mixed"]["questions"])
        c = r["mixed"]["checks"]
        print(f"{'mixed: checks':<22} {c['finished']}/{c['sent']} done, total p95 {c['total_with_report']['p95_s']}s, "
              f"ack max {c['ack']['max_s']}s", file=sys.stderr)
    if "during_check" in r:
        d = r["during_check"]
        print(f"{'during a 61-page check':<22} answer p50 {d['answer_during_check']['p50_s']}s max "
              f"{d['answer_during_check']['max_s']}s, before the check ended {d['answered_before_the_check_ended']}/"
              f"{d['rounds']}", file=sys.stderr)
    print(f"load average: start {r['loadavg_start']}, end {r['loadavg_end']}", file=sys.stderr)


if __name__ == "__main__":
    main()
