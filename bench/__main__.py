"""The benchmark suite: Tessera against the raw-driver floor on a freshly seeded database.

    .venv/bin/python -m bench [--quick | --users N --tokens M] [--url URL] [--scroll-pages P]

Creates a fresh database (on the server of ``--url``/``BENCH_DATABASE_URL``, or an embedded
server in a temporary folder), seeds it with ``app.infrastructure.seeding`` (100,000 users
and 1,000,000 tokens; ``--quick``: 10,000 and 100,000), VACUUM ANALYZEs it (as autovacuum
would), then measures everything side by side in this process on a qasync loop with an
offscreen window, and start-up in subprocesses. Prints median, min and max per measure with
its goal, and writes ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil
import qasync
from PySide6.QtWidgets import QApplication

from app.infrastructure.seeding import SeedPlan, default_now, seed_database
from bench import measures, startup
from bench.common import dsn, scratch_database

RESULTS = Path(__file__).with_name("results.json")


@dataclass
class Result:
    """One line of the table: samples, how to summarise them, and the goal."""

    name: str
    samples: list[float]
    unit: str
    goal: float
    note: str = ""

    @property
    def value(self) -> float:
        return statistics.median(self.samples)

    @property
    def ok(self) -> bool:
        return self.value <= self.goal


def _ratios(floor: list[float], ours: list[float]) -> list[float]:
    """Each of ours over the floor's median: the spread of the ratio, median of medians."""
    base = statistics.median(floor)
    return [t / base for t in ours]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, folder: Path) -> tuple[list[Result], str]:
    """Seed, measure in process, and return the results and the server's version."""
    results: list[Result] = []
    async with scratch_database(folder / "data", url=args.url) as (tessera, settings):
        version = await tessera.server_version()
        plan = SeedPlan(args.users, args.tokens // args.users, 0, 1, default_now())
        seeded = await seed_database(tessera.database.engine, plan)
        print(f"seeded {seeded.users:,} users, {seeded.tokens:,} tokens in {seeded.seconds:.1f} s")
        results.append(Result("seed_s", [seeded.seconds], "s", 12, "one run: the fixture"))
        raw = await measures.connect_raw(dsn(tessera))
        try:
            await raw.execute("VACUUM ANALYZE users, tokens")
            floor, ours = await measures.pk_lookup(tessera, raw, seeded.tokens)
            service = await measures.service_get(tessera, seeded.tokens)
            results.append(Result("pk_lookup_ratio", _ratios(floor, ours), "×", 2.0,
                                  f"repository get {statistics.median(ours):.3f} ms, "
                                  f"raw {statistics.median(floor):.3f} ms, service get "
                                  f"(own unit) {statistics.median(service):.2f} ms"))  # fmt: skip
            depth = min(900_000, seeded.tokens * 9 // 10)
            shallow, deep = await measures.deep_page(tessera, raw, depth)
            results.append(Result("deep_page_ratio", _ratios(shallow, deep), "×", 1.2,
                                  f"depth {depth:,}: {statistics.median(deep):.2f} ms, "
                                  f"depth 0: {statistics.median(shallow):.2f} ms"))  # fmt: skip
            floor, ours = await measures.last_page(tessera)
            results.append(Result("last_page_ms", ours, "ms", 500,
                                  f"the read End needs, not yet the window's jump; first page "
                                  f"{statistics.median(floor):.2f} ms"))  # fmt: skip
            floor, ours = await measures.count(tessera, raw)
            results.append(
                Result("count_ms", ours, "ms", 2, f"raw {statistics.median(floor):.2f} ms")
            )
            floor, ours = await measures.search(tessera, raw)
            note = f"{seeded.users:,} users; raw ILIKE {statistics.median(floor):.2f} ms"
            results.append(Result("search_ms", ours, "ms", 10, note))
            revoked = min(100_000, seeded.tokens // 2)
            floor, ours = await measures.change_log_overhead(raw, revoked)
            results.append(Result("change_log_overhead_ratio", _ratios(floor, ours), "×", 1.5,
                                  f"bulk revoke of {revoked:,} tokens: "
                                  f"{statistics.median(ours):.0f} ms logged, "
                                  f"{statistics.median(floor):.0f} ms unlogged"))  # fmt: skip
            live = await measures.live_update(
                tessera, raw, str(folder / "live.ini"), settings.expiring_soon
            )
            results.append(Result("live_update_ms", live, "ms", 300,
                                  "raw UPDATE on another connection → row repainted"))  # fmt: skip
        finally:
            await raw.close()
        lags, pages, notes = await measures.ui_session(
            tessera, str(folder / "ui.ini"), settings.expiring_soon, 50, args.scroll_pages
        )
        rss = psutil.Process().memory_info().rss / 2**20
    scrolled = (
        f"{int(notes['rows_scrolled']):,} rows scrolled in {notes['scroll_s']:.0f} s, "
        f"{int(notes['pages_held'])} pages held"
    )
    results.append(
        Result("page_ms", pages, "ms", 3, "next page: fetchMore → rows in the model (window)")
    )
    p99 = _p(lags, 0.99)
    actions = ", ".join(f"{k} {v:.0f}" for k, v in notes.items() if k.endswith("_ms"))
    results.append(Result("ui_stall_p99_ms", [p99], "ms", 16, f"{len(lags)} ticks; {scrolled}"))
    worst = ", ".join(
        f"{k.removeprefix('worst lag in ')} {v:.0f}"
        for k, v in notes.items()
        if k.startswith("worst")
    )
    results.append(
        Result("ui_stall_max_ms", [max(lags)], "ms", 50, f"worst lag by phase: {worst}; {actions}")
    )
    results.append(Result("rss_mb", [rss], "MB", 400, f"after {scrolled}"))
    return results, version


def _startup(folder: Path, repeat: int) -> list[Result]:
    startup.prepare_warm(folder / "warm")
    warm = [startup.warm(folder / "warm") / 1000 for _ in range(repeat)]
    cold = []
    for n in range(repeat):
        cold.append(startup.cold(folder / f"cold{n}") / 1000)
    return [
        Result("startup_warm_s", warm, "s", 1.5, "1,000 users, server stopped before each run"),
        Result("startup_cold_s", cold, "s", 4, "tessera --self-test: initdb + migrations"),
    ]


def _machine() -> dict[str, object]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": platform.platform(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def _print(results: list[Result]) -> None:
    print(f"\n{'measure':<17}{'median':>10}{'min':>10}{'max':>10}{'n':>5}  {'goal':<9}ok")
    for r in results:
        goal = f"≤ {r.goal:g} {r.unit}"
        verdict = "ok" if r.ok else "NOT MET"
        print(f"{r.name:<17}{r.value:>10.2f}{min(r.samples):>10.2f}{max(r.samples):>10.2f}"
              f"{len(r.samples):>5}  {goal:<9}{verdict}  {r.note}")  # fmt: skip


def main() -> None:
    """Parse the arguments, run everything, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 users, 100,000 tokens")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL") or None)
    parser.add_argument(
        "--scroll-pages", type=int, default=None, help="stop scrolling after P pages (default: all)"
    )
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.quick:
        args.users, args.tokens = 10_000, 100_000
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tessera-bench-") as scratch:
        folder = Path(scratch)
        results, version = qasync.run(run(args, folder))
        results += _startup(folder, args.startup_runs)
    _print(results)
    print(f"\n{len(results)} measures in {time.perf_counter() - began:.0f} s")
    report = {
        "machine": _machine(),
        "postgresql": version,
        "dataset": {"users": args.users, "tokens": args.tokens},
        "results": [
            {"name": r.name, "value": round(r.value, 3), "unit": r.unit, "goal": r.goal,
             "ok": r.ok, "min": round(min(r.samples), 3), "max": round(max(r.samples), 3),
             "runs": len(r.samples), "note": r.note}
            for r in results
        ],
    }  # fmt: skip
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
