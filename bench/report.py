#!/usr/bin/env python3
"""The side-by-side table of OTP++'s benchmarks (bench/README.md).

    python3 bench/report.py RESULTS_FILE...

Reads the `RESULT bench=<name> impl=<otp|erl|caf> schedulers=<N> key=value ...` lines that
scripts/bench.sh collects (other lines are ignored) and prints one markdown table row per
workload, parameters, scheduler count and metric: the median (min-max) of each implementation,
OTP++'s speed-up over the BEAM and over CAF, the issue's target and whether it is met.

Speed-ups are written so that > 1 always means OTP++ is better: OTP++/peer for throughput,
peer/OTP++ for time, latency and memory. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from collections import defaultdict
from typing import Callable, Iterable, Optional

IMPLS = ("otp", "erl", "caf")
IMPL_NAMES = {"otp": "OTP++", "erl": "BEAM", "caf": "CAF"}


@dataclasses.dataclass(frozen=True)
class Metric:
    """One row kind of the table: a RESULT key of a workload and how to judge it."""

    key: str
    unit: str
    higher_better: bool
    beam_factor: Optional[float] = None  # target: speed-up over the BEAM of at least this
    max_value: Optional[float] = None  # target: OTP++'s value at most this (memory)
    # Where each implementation's figure comes from, when not from the row's own workload
    # (a note row compares a variant with the other implementations' plain workload).
    sources: tuple[tuple[str, str], ...] = ()
    note: str = ""
    vs_caf: bool = True  # "ahead of CAF on every row"
    # False for a row that describes the run rather than rates it (no speed-ups, no target).
    compared: bool = True
    # A latency of C concurrent clients. A system whose C clients did not overlap (its calls in
    # flight, by Little's law, under C/2) ran them one after another: its latencies are one
    # client's, not this workload's, so they are shown but neither judged nor judged against.
    needs_overlap: bool = False

    def source(self, bench: str, impl: str) -> str:
        return dict(self.sources).get(impl, bench)


# The workloads in table order, and their rows.
METRICS: dict[str, list[Metric]] = {
    "pingpong": [Metric("msgs_per_s", "msgs/s", True, beam_factor=3)],
    "counting": [Metric("msgs_per_s", "msgs/s", True, beam_factor=3)],
    "fanin": [Metric("msgs_per_s", "msgs/s", True, beam_factor=3)],
    "fjthrput": [Metric("msgs_per_s", "msgs/s", True)],
    "fjthrput_onheap": [
        Metric("msgs_per_s", "msgs/s", True, sources=(("otp", "fjthrput"), ("caf", "fjthrput")),
               note="BEAM on_heap; OTP++, CAF: fjthrput", vs_caf=False)
    ],
    "fjcreate": [Metric("us_per_spawn", "µs/spawn", False, beam_factor=5)],
    "threadring": [Metric("hops_per_s", "hops/s", True, beam_factor=3)],
    "big": [Metric("msgs_per_s", "msgs/s", True, beam_factor=3)],
    "spawnhold": [
        Metric("bytes_per_proc", "B/proc", False),
        Metric("rss_bytes_per_proc", "B/proc RSS", False),
        Metric("us_per_spawn", "µs/spawn", False),
    ],
    "spawnhold_fiber": [
        Metric("bytes_per_proc", "B/proc", False, sources=(("erl", "spawnhold"), ("caf", "spawnhold")),
               note="OTP++ fibers; BEAM, CAF: spawnhold", vs_caf=False)
    ],
    "gsidle": [
        Metric("bytes_per_proc", "B/proc", False, max_value=512),
        Metric("rss_bytes_per_proc", "B/proc RSS", False),
        Metric("us_per_spawn", "µs/start", False),
    ],
    "gscall": [
        Metric("p50_ns", "ns p50", False, beam_factor=3, needs_overlap=True),
        Metric("p99_ns", "ns p99", False, beam_factor=3, needs_overlap=True),
        Metric("p999_ns", "ns p99.9", False, needs_overlap=True),
        Metric("calls_per_s", "calls/s", True),
        # Little's law over the run: C when the C clients' calls overlapped, 1 when the clients
        # ran one after another (then the latency rows are one client's, whatever C is).
        Metric("calls_in_flight", "calls in flight (mean)", True, compared=False),
    ],
    "dist": [
        Metric("oneway_msgs_per_s", "msgs/s", True, beam_factor=2, note="OTP++↔OTP++; BEAM↔BEAM"),
        Metric("rtt_us", "µs RTT", False, note="OTP++↔OTP++; BEAM↔BEAM"),
    ],
    # OTP++'s client node against a BEAM peer node, next to the BEAM↔BEAM pair.
    "dist_beam": [
        Metric("oneway_msgs_per_s", "msgs/s", True, beam_factor=2, sources=(("erl", "dist"),),
               note="OTP++→BEAM peer; BEAM↔BEAM", vs_caf=False),
        Metric("rtt_us", "µs RTT", False, sources=(("erl", "dist"),), note="OTP++→BEAM peer; BEAM↔BEAM",
               vs_caf=False),
    ],
}

# For the C++ implementations bytes_per_proc already is the RSS delta.
RSS_FALLBACK = {"rss_bytes_per_proc": "bytes_per_proc"}


def _div(a: str, b: str) -> Callable[[dict], int]:
    return lambda kv: int(float(kv[a])) // int(float(kv[b]))


def _key(a: str) -> Callable[[dict], int]:
    return lambda kv: int(float(kv[a]))


# The workload's arguments, for lines without `args=` (scripts/bench.sh adds it to every line).
DERIVED_ARGS: dict[str, list[Callable[[dict], int]]] = {
    "pingpong": [_key("roundtrips")],
    "counting": [_key("msgs")],
    "fanin": [_key("senders"), _div("msgs", "senders")],
    "fjthrput": [_key("actors"), _div("msgs", "actors")],
    "fjthrput_onheap": [_key("actors"), _div("msgs", "actors")],
    "fjcreate": [_key("actors")],
    "threadring": [_key("ring"), _key("hops")],
    "big": [_key("actors"), _key("pings_per_actor")],
    "spawnhold": [_key("procs")],
    "spawnhold_fiber": [_key("procs")],
    "gsidle": [_key("procs")],
    "gscall": [_div("calls", "clients"), _key("clients")],
    "dist": [_key("oneway_msgs")],
}


@dataclasses.dataclass
class Run:
    bench: str
    impl: str
    schedulers: int
    args: str
    values: dict[str, str]


def parse_line(line: str) -> Optional[Run]:
    """A RESULT line as a Run; None for any other line. Raises ValueError on a malformed one."""
    line = line.strip()
    if not line.startswith("RESULT "):
        return None
    kv = {}
    for field in line.split()[1:]:
        key, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"not key=value: {field!r} in {line!r}")
        kv[key] = value
    for required in ("bench", "impl", "schedulers"):
        if required not in kv:
            raise ValueError(f"no {required}= in {line!r}")
    bench = kv.pop("bench")
    args = kv.pop("args", None)
    if args is None:
        derive = DERIVED_ARGS.get(bench)
        args = ",".join(str(f(kv)) for f in derive) if derive else "?"
    return Run(bench, kv.pop("impl"), int(kv.pop("schedulers")), args, kv)


def parse(lines: Iterable[str]) -> list[Run]:
    runs = []
    for number, line in enumerate(lines, 1):
        try:
            run = parse_line(line)
        except (ValueError, KeyError, ZeroDivisionError) as e:
            raise ValueError(f"line {number}: {e}") from e
        if run is not None:
            runs.append(run)
    return runs


@dataclasses.dataclass
class Stats:
    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Optional["Stats"]:
        if not values:
            return None
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclasses.dataclass
class Row:
    bench: str
    args: str
    schedulers: int
    metric: Metric
    stats: dict[str, Optional[Stats]]  # by impl
    vs_beam: Optional[float]  # speed-up of OTP++ over the BEAM (> 1: OTP++ better)
    vs_caf: Optional[float]
    target: str
    met: str


def speedup(metric: Metric, otp: Optional[Stats], peer: Optional[Stats]) -> Optional[float]:
    if otp is None or peer is None or otp.median <= 0 or peer.median <= 0:
        return None
    return otp.median / peer.median if metric.higher_better else peer.median / otp.median


def not_overlapping(slot: dict[str, list[float]]) -> Optional[str]:
    """Why a run of C clients is not a C-client run (its clients ran one after another), or None."""
    clients = Stats.of(slot.get("clients", []))
    in_flight = Stats.of(slot.get("calls_in_flight", []))
    if clients is None or in_flight is None or clients.median < 2 or in_flight.median >= clients.median / 2:
        return None
    return f"its clients ran one at a time: {in_flight.median:.2f} of {clients.median:g} calls in flight"


def judge(metric: Metric, otp: Optional[Stats], vs_beam: Optional[float],
          vs_caf: Optional[float], has_caf: bool,
          excluded: Optional[dict[str, str]] = None) -> tuple[str, str]:
    """The target text and whether it is met: 'yes', 'no (...)', or '—' without data.

    `excluded` names the implementations whose figure is not of this workload (impl -> why):
    OTP++'s own leaves the row unjudged; a peer's drops the part of the target against it.
    """
    excluded = excluded or {}
    if "otp" in excluded:
        return f"— (OTP++ not judged: {excluded['otp']})", "—"
    parts: list[tuple[str, Optional[bool]]] = []
    skipped: list[str] = []
    if metric.beam_factor is not None:
        factor = f"{metric.beam_factor:g}"
        text = f"≥{factor}× BEAM" if metric.higher_better else f"≤1/{factor} of BEAM"
        if "erl" in excluded:
            skipped.append(f"BEAM not judged: {excluded['erl']}")
        else:
            parts.append((text, None if vs_beam is None else vs_beam >= metric.beam_factor))
    if metric.max_value is not None:
        parts.append((f"≤{metric.max_value:g} {metric.unit}",
                      None if otp is None else otp.median <= metric.max_value))
    if metric.vs_caf and has_caf:
        if "caf" in excluded:
            skipped.append(f"CAF not judged: {excluded['caf']}")
        else:
            parts.append(("ahead of CAF", None if vs_caf is None else vs_caf > 1))
    target = ", ".join(text for text, _ in parts) or "—"
    if skipped:
        target += " (" + "; ".join(skipped) + ")"
    if not parts:
        return target, "—"
    if any(ok is None for _, ok in parts):
        return target, "—"
    missed = [text for text, ok in parts if not ok]
    return target, "yes" if not missed else "no (" + ", ".join(missed) + ")"


def build_rows(runs: list[Run]) -> list[Row]:
    # values[(bench, args, schedulers, impl)][key] -> list of floats
    values: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    groups: set[tuple[str, str, int]] = set()
    first_seen: dict[tuple[str, str], int] = {}  # (bench, args): the order scripts/bench.sh ran them
    for run in runs:
        first_seen.setdefault((run.bench, run.args), len(first_seen))
        slot = values[(run.bench, run.args, run.schedulers, run.impl)]
        for key, value in run.values.items():
            try:
                slot[key].append(float(value))
            except ValueError:
                pass  # a non-numeric key (mqd=off_heap)
        groups.add((run.bench, run.args, run.schedulers))

    order = {name: i for i, name in enumerate(METRICS)}

    def group_order(g: tuple[str, str, int]):
        bench, args, schedulers = g
        return (order.get(bench, len(order)), bench, first_seen[(bench, args)], schedulers)

    rows = []
    for bench, args, schedulers in sorted(groups, key=group_order):
        metrics = METRICS.get(bench)
        if metrics is None:
            continue  # a workload this report does not know
        for metric in metrics:
            stats: dict[str, Optional[Stats]] = {}
            for impl in IMPLS:
                slot = values.get((metric.source(bench, impl), args, schedulers, impl), {})
                key = metric.key
                if key not in slot and impl != "erl":
                    key = RSS_FALLBACK.get(key, key)
                stats[impl] = Stats.of(slot.get(key, []))
            if all(s is None for s in stats.values()):
                continue
            if metric.compared:
                vs_beam = speedup(metric, stats["otp"], stats["erl"])
                vs_caf = speedup(metric, stats["otp"], stats["caf"])
                excluded: dict[str, str] = {}
                if metric.needs_overlap:
                    for impl in IMPLS:
                        why = not_overlapping(values.get((bench, args, schedulers, impl), {}))
                        if why is not None:
                            excluded[impl] = why
                target, met = judge(metric, stats["otp"], vs_beam, vs_caf, stats["caf"] is not None, excluded)
            else:
                vs_beam = vs_caf = None
                target, met = "—", "—"
            rows.append(Row(bench, args, schedulers, metric, stats, vs_beam, vs_caf, target, met))
    return rows


# A run whose core-to-core round trip (core_rtt_ns, probed by scripts/bench.sh around it) is this
# many times the file's median ran while the host had moved the vCPUs far apart.
SLOW_HOST_FACTOR = 3.0


def host_notes(runs: list[Run]) -> list[str]:
    """Lines naming the runs made in a slow-host spell (annotation only: verdicts are unchanged)."""
    probed: list[tuple[Run, float]] = []
    for run in runs:
        try:
            probed.append((run, float(run.values["core_rtt_ns"])))
        except (KeyError, ValueError):
            pass
    if not probed:
        return []
    usual = statistics.median(rtt for _, rtt in probed)
    lines = [f"Core-to-core round trip (bench/host/core_rtt.cpp, around each run): median {fmt_value(usual)} ns "
             f"over {len(probed)} runs."]
    # (bench, args, schedulers) -> impl -> [slow runs, runs, worst rtt]
    spells: dict[tuple[str, str, int], dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
    for run, rtt in probed:
        count = spells[(run.bench, run.args, run.schedulers)][run.impl]
        count[1] += 1
        if rtt > SLOW_HOST_FACTOR * usual:
            count[0] += 1
            count[2] = max(count[2], rtt)
    for (bench, args, schedulers), by_impl in spells.items():
        slow = [(impl, c) for impl, c in by_impl.items() if c[0] > 0]
        if not slow:
            continue
        parts = ", ".join(f"{int(c[0])} of {int(c[1])} {IMPL_NAMES.get(impl, impl)} runs" for impl, c in slow)
        worst = max(c[2] for _, c in slow)
        lines.append(f"- {bench} {args.replace(',', ' ')}, {schedulers} sched: {parts} ran while the round trip "
                     f"was over {SLOW_HOST_FACTOR:g}× its median (up to {fmt_value(worst)} ns), when the host "
                     f"made every cross-core transfer slower; their figures stay in the table.")
    return lines


def fmt_value(v: float) -> str:
    """A figure with 3-4 significant digits and a k/M/G suffix for large ones."""
    a = abs(v)
    for threshold, scale, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if a >= threshold:
            scaled = v / scale
            return f"{scaled:.3g}{suffix}" if abs(scaled) < 1000 else f"{scaled:.0f}{suffix}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}" if a >= 0.01 else f"{v:.3g}"


def fmt_stats(s: Optional[Stats]) -> str:
    if s is None:
        return "—"
    if s.n == 1 or s.low == s.high:
        return fmt_value(s.median)
    return f"{fmt_value(s.median)} ({fmt_value(s.low)}–{fmt_value(s.high)})"


def fmt_ratio(r: Optional[float]) -> str:
    return "—" if r is None else f"{r:.2f}×"


HEADER = ("| Workload | Params | Sched | Metric | OTP++ median (min–max) | BEAM | CAF "
          "| Speed-up vs BEAM | Speed-up vs CAF | Target | Met |")


def render(rows: list[Row], notes: Optional[list[str]] = None) -> str:
    out = [
        "Speed-up > 1 means OTP++ is better: OTP++/peer for throughput (msgs/s, hops/s, calls/s),",
        "peer/OTP++ for time, latency and memory (µs, ns, bytes). Figures: median of the runs",
        "(min–max). Sched: scheduler threads (erl +S N:N, CAF scheduler.max-threads, OTP++",
        "--schedulers). B/proc: the RSS delta per process for OTP++ and CAF, the",
        "erlang:memory(processes) delta for the BEAM; B/proc RSS: the RSS delta of the whole OS",
        "process for all three. Note rows compare a variant (in parentheses) with the others.",
        "",
        HEADER,
        "|" + "---|" * (HEADER.count("|") - 1),
    ]
    for r in rows:
        metric = r.metric.unit + (f" ({r.metric.note})" if r.metric.note else "")
        otp = fmt_stats(r.stats["otp"])
        out.append(f"| {r.bench} | {r.args.replace(',', ' ')} | {r.schedulers} | {metric} | {otp} "
                   f"| {fmt_stats(r.stats['erl'])} | {fmt_stats(r.stats['caf'])} "
                   f"| {fmt_ratio(r.vs_beam)} | {fmt_ratio(r.vs_caf)} | {r.target} | {r.met} |")
    counts = sorted({s.n for r in rows for s in r.stats.values() if s is not None})
    if counts:
        runs = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
        out += ["", f"Runs per figure: {runs}."]
    if notes:
        out += [""] + notes
    return "\n".join(out) + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="files with RESULT lines ('-' for stdin)")
    opts = parser.parse_args(argv)
    lines: list[str] = []
    for name in opts.files:
        if name == "-":
            lines += sys.stdin.read().splitlines()
        else:
            with open(name, encoding="utf-8") as f:
                lines += f.read().splitlines()
    try:
        runs = parse(lines)
    except ValueError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 1
    if not runs:
        print("report.py: no RESULT lines", file=sys.stderr)
        return 1
    sys.stdout.write(render(build_rows(runs), host_notes(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
