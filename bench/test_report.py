#!/usr/bin/env python3
"""Tests of bench/report.py on bench/testdata/sample-results.txt (ctest: bench.report).

Every expected figure below is worked out by hand from the sample, so a wrong median, min-max,
speed-up direction or verdict fails a test. Run: python3 bench/test_report.py
"""

import io
import os
import sys
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

SAMPLE = os.path.join(HERE, "testdata", "sample-results.txt")


def rows_by(rows, bench, args, schedulers, key, note=""):
    found = [r for r in rows
             if (r.bench, r.args, r.schedulers, r.metric.key, r.metric.note) == (bench, args, schedulers, key, note)]
    assert len(found) == 1, f"{len(found)} rows for {bench} {args} {schedulers} {key} {note!r}"
    return found[0]


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SAMPLE, encoding="utf-8") as f:
            cls.lines = f.read().splitlines()
        cls.runs = report.parse(cls.lines)
        cls.rows = report.build_rows(cls.runs)
        out = io.StringIO()
        with redirect_stdout(out):
            cls.status = report.main([SAMPLE])
        cls.text = out.getvalue()

    def test_parses_only_result_lines(self):
        self.assertEqual(len(self.runs), sum(1 for l in self.lines if l.startswith("RESULT ")))

    def test_median_not_mean_and_min_max(self):
        # otp 30,10,90,20,40 M: median 30 (mean would be 38); erl 9,11,10,12,2 M: median 10 (mean 8.8)
        r = rows_by(self.rows, "pingpong", "5000000", 1, "msgs_per_s")
        self.assertEqual(r.stats["otp"].median, 30e6)
        self.assertEqual((r.stats["otp"].low, r.stats["otp"].high, r.stats["otp"].n), (10e6, 90e6, 5))
        self.assertEqual(r.stats["erl"].median, 10e6)
        self.assertEqual(r.stats["caf"].median, 5e6)
        self.assertAlmostEqual(r.vs_beam, 3.0)
        self.assertAlmostEqual(r.vs_caf, 6.0)
        self.assertEqual(r.target, "≥3× BEAM, ahead of CAF")
        self.assertEqual(r.met, "yes")

    def test_even_count_median(self):
        r = rows_by(self.rows, "counting", "10000000", 1, "msgs_per_s")
        self.assertEqual(r.stats["otp"].median, 25)  # 10 20 30 40
        self.assertAlmostEqual(r.vs_beam, 5.0)
        self.assertEqual(r.met, "yes")  # no CAF figure: the BEAM target alone

    def test_schedulers_and_args_are_separate_rows(self):
        r = rows_by(self.rows, "pingpong", "5000000", 2, "msgs_per_s")
        self.assertAlmostEqual(r.vs_beam, 2.0)
        self.assertIsNone(r.stats["caf"])
        self.assertEqual(r.target, "≥3× BEAM")
        self.assertEqual(r.met, "no (≥3× BEAM)")
        small = rows_by(self.rows, "pingpong", "1000", 1, "msgs_per_s")
        self.assertIsNone(small.stats["otp"])
        self.assertEqual(small.met, "—")

    def test_lower_is_better_inverts_the_ratio(self):
        r = rows_by(self.rows, "fjcreate", "1000000", 1, "us_per_spawn")
        self.assertAlmostEqual(r.stats["otp"].median, 0.2)
        self.assertAlmostEqual(r.stats["erl"].median, 1.0)
        self.assertAlmostEqual(r.vs_beam, 5.0)  # 1.0 / 0.2: OTP++ five times faster
        self.assertAlmostEqual(r.vs_caf, 15.0)
        self.assertEqual(r.target, "≤1/5 of BEAM, ahead of CAF")
        self.assertEqual(r.met, "yes")

    def test_memory_target_and_rss_fallback(self):
        r = rows_by(self.rows, "gsidle", "1000000", 1, "bytes_per_proc")
        self.assertEqual(r.stats["otp"].median, 510)
        self.assertAlmostEqual(r.vs_caf, 1200 / 510)
        self.assertAlmostEqual(r.vs_beam, 2600 / 510)
        self.assertEqual(r.target, "≤512 B/proc, ahead of CAF")
        self.assertEqual(r.met, "yes")
        rss = rows_by(self.rows, "gsidle", "1000000", 1, "rss_bytes_per_proc")
        self.assertEqual(rss.stats["otp"].median, 510)  # C++: bytes_per_proc is the RSS delta
        self.assertEqual(rss.stats["erl"].median, 5100)
        self.assertEqual(rss.stats["caf"].median, 1200)

    def test_args_derived_when_absent(self):
        # the otp gscall line has no args=: 1000000 calls / 4 clients -> "250000,4"
        p50 = rows_by(self.rows, "gscall", "250000,4", 1, "p50_ns")
        self.assertAlmostEqual(p50.vs_beam, 4.0)
        self.assertEqual(p50.met, "yes")
        p99 = rows_by(self.rows, "gscall", "250000,4", 1, "p99_ns")
        self.assertAlmostEqual(p99.vs_beam, 2.0)
        self.assertEqual(p99.met, "no (≤1/3 of BEAM)")

    def test_descriptive_row_has_no_ratio_or_target(self):
        # calls in flight says how the run went (4: the clients overlapped; 1: one at a time), so
        # neither a higher nor a lower figure is better: no speed-ups, no target.
        r = rows_by(self.rows, "gscall", "250000,4", 1, "calls_in_flight")
        self.assertEqual((r.stats["otp"].median, r.stats["erl"].median, r.stats["caf"].median), (3.98, 3.99, 1.0))
        self.assertEqual((r.vs_beam, r.vs_caf, r.target, r.met), (None, None, "—", "—"))
        self.assertIn("| gscall | 250000 4 | 1 | calls in flight (mean) | 3.98 | 3.99 | 1.00 | — | — | — | — |",
                      self.text)

    def test_latency_of_clients_that_did_not_overlap_is_not_judged(self):
        # The sample's CAF ran its 4 clients one at a time (1.00 call in flight): its latencies
        # are one client's, so the 4-client rows show them and their ratio but judge nothing by them.
        caf_note = "CAF not judged: its clients ran one at a time: 1.00 of 4 calls in flight"
        p50 = rows_by(self.rows, "gscall", "250000,4", 1, "p50_ns")
        self.assertAlmostEqual(p50.vs_caf, 1.1)
        self.assertEqual(p50.target, f"≤1/3 of BEAM ({caf_note})")
        p99 = rows_by(self.rows, "gscall", "250000,4", 1, "p99_ns")
        self.assertEqual(p99.met, "no (≤1/3 of BEAM)")  # 2x: the BEAM part still judges
        # calls/s is not a latency: every client's calls count whatever their order
        rate = rows_by(self.rows, "gscall", "250000,4", 1, "calls_per_s")
        self.assertEqual((rate.target, rate.met), ("ahead of CAF", "yes"))

    def test_overlap_rule(self):
        self.assertIsNone(report.not_overlapping({"clients": [1.0], "calls_in_flight": [0.96]}))
        self.assertIsNone(report.not_overlapping({"clients": [4.0] * 3, "calls_in_flight": [3.9, 2.0, 1.0]}))
        self.assertIsNone(report.not_overlapping({"calls_in_flight": [1.0]}))  # clients unknown
        self.assertEqual(report.not_overlapping({"clients": [4.0] * 3, "calls_in_flight": [0.97, 1.9, 1.0]}),
                         "its clients ran one at a time: 1.00 of 4 calls in flight")
        p999 = report.METRICS["gscall"][2]
        self.assertEqual(p999.key, "p999_ns")
        otp = report.Stats(1e6, 1e6, 1e6, 1)
        # a peer left out: nothing else to judge this row by
        self.assertEqual(report.judge(p999, otp, 0.03, 0.002, True, {"caf": "why"}),
                         ("— (CAF not judged: why)", "—"))
        self.assertEqual(report.judge(p999, otp, 0.03, 0.002, True), ("ahead of CAF", "no (ahead of CAF)"))
        # OTP++'s own clients not overlapping: the row is judged against nobody
        p50 = report.METRICS["gscall"][0]
        self.assertEqual(report.judge(p50, otp, 9.0, 9.0, True, {"otp": "why"}),
                         ("— (OTP++ not judged: why)", "—"))
        self.assertEqual(report.judge(p50, otp, 2.0, 9.0, True, {"erl": "why"}),
                         ("ahead of CAF (BEAM not judged: why)", "yes"))

    def test_note_rows(self):
        r = rows_by(self.rows, "fjthrput_onheap", "60,100000", 2, "msgs_per_s",
                    note="BEAM on_heap; OTP++, CAF: fjthrput")
        self.assertEqual(r.stats["otp"].median, 9e6)  # OTP++'s plain fjthrput
        self.assertAlmostEqual(r.vs_beam, 9.0)
        plain = rows_by(self.rows, "fjthrput", "60,100000", 2, "msgs_per_s")
        self.assertAlmostEqual(plain.vs_beam, 2.0)
        self.assertEqual(plain.target, "—")  # no target against the BEAM, no CAF figure

    def test_dist_rows(self):
        r = rows_by(self.rows, "dist", "2000000", 1, "oneway_msgs_per_s", note="OTP++↔OTP++; BEAM↔BEAM")
        self.assertEqual(r.stats["otp"].median, 500000)
        self.assertEqual(r.stats["erl"].median, 200000)
        self.assertAlmostEqual(r.vs_beam, 2.5)
        self.assertEqual(r.met, "yes")
        rtt = rows_by(self.rows, "dist", "2000000", 1, "rtt_us", note="OTP++↔OTP++; BEAM↔BEAM")
        self.assertAlmostEqual(rtt.vs_beam, 0.4)  # 70 / 175: a time, so BEAM's over OTP++'s
        # OTP++'s client with a BEAM peer, against the BEAM pair: 1.5x misses the 2x target.
        mixed = rows_by(self.rows, "dist_beam", "2000000", 1, "oneway_msgs_per_s",
                        note="OTP++→BEAM peer; BEAM↔BEAM")
        self.assertEqual(mixed.stats["erl"].median, 200000)
        self.assertAlmostEqual(mixed.vs_beam, 1.5)
        self.assertEqual(mixed.met, "no (≥2× BEAM)")

    def test_rendered_table(self):
        self.assertEqual(self.status, 0)
        for expected in [
            "| pingpong | 5000000 | 1 | msgs/s | 30M (10M–90M) | 10M (2M–12M) | 5M (4M–6M) "
            "| 3.00× | 6.00× | ≥3× BEAM, ahead of CAF | yes |",
            "| pingpong | 5000000 | 2 | msgs/s | 20M | 10M | — | 2.00× | — | ≥3× BEAM | no (≥3× BEAM) |",
            "| fjcreate | 1000000 | 1 | µs/spawn | 0.200 (0.100–0.300) | 1.00 (0.900–1.20) | 3.00 "
            "| 5.00× | 15.00× | ≤1/5 of BEAM, ahead of CAF | yes |",
            "| gsidle | 1000000 | 1 | B/proc | 510 (500–520) | 2600 | 1200 | 5.10× | 2.35× "
            "| ≤512 B/proc, ahead of CAF | yes |",
            "| dist | 2000000 | 1 | msgs/s (OTP++↔OTP++; BEAM↔BEAM) | 500k | 200k | — | 2.50× | — "
            "| ≥2× BEAM | yes |",
            "| dist_beam | 2000000 | 1 | msgs/s (OTP++→BEAM peer; BEAM↔BEAM) | 300k | 200k | — | 1.50× | — "
            "| ≥2× BEAM | no (≥2× BEAM) |",
            "Runs per figure: 1–5.",
        ]:
            self.assertIn(expected, self.text)
        # rows in workload order: pingpong before counting before fjcreate before gsidle
        order = [self.text.index(f"| {b} |") for b in ("pingpong", "counting", "fjcreate", "gsidle", "gscall", "dist")]
        self.assertEqual(order, sorted(order))

    def test_malformed_line_is_an_error(self):
        with self.assertRaises(ValueError):
            report.parse(["RESULT bench=pingpong impl=otp"])
        with self.assertRaises(ValueError):
            report.parse(["RESULT bench=pingpong impl=otp schedulers=1 junk"])



class HostNotes(unittest.TestCase):
    """core_rtt_ns: runs made while the host's core-to-core round trip was far above its median."""

    @staticmethod
    def line(impl: str, secs: float, rtt: float) -> str:
        return (f"RESULT bench=gscall impl={impl} schedulers=2 args=250000,4 clients=4 calls=1000000 "
                f"secs={secs} calls_per_s={1e6 / secs} p50_ns=1000 p99_ns=5000 calls_in_flight=3.9 core_rtt_ns={rtt}")

    def test_slow_runs_are_named_per_implementation(self):
        runs = report.parse([self.line("otp", 0.5, 80), self.line("otp", 1.4, 450), self.line("otp", 0.5, 78),
                             self.line("erl", 2.1, 82), self.line("erl", 2.9, 460), self.line("erl", 2.0, 79)])
        notes = report.host_notes(runs)
        self.assertIn("median 81.0 ns over 6 runs", notes[0])
        self.assertEqual(len(notes), 2)
        self.assertIn("gscall 250000 4, 2 sched: 1 of 3 OTP++ runs, 1 of 3 BEAM runs", notes[1])
        self.assertIn("up to 460 ns", notes[1])
        text = report.render(report.build_rows(runs), notes)
        self.assertIn(notes[1], text)

    def test_no_probe_no_notes_and_an_even_host_no_spell(self):
        self.assertEqual(report.host_notes(report.parse(
            ["RESULT bench=pingpong impl=otp schedulers=1 args=10 secs=1 msgs_per_s=10"])), [])
        even = report.host_notes(report.parse([self.line("otp", 0.5, 80), self.line("otp", 0.6, 200)]))
        self.assertEqual(len(even), 1)  # 200 is not over 3x the median (140)


if __name__ == "__main__":
    unittest.main(verbosity=2)
