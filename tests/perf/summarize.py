#!/usr/bin/env python3
"""Summarises `spamguard bench --loopback --json` outputs written by tests/perf/bench.sh.

summarize.py DIR      medians per mode and build over DIR/<mode>-<build>-<n>.json
summarize.py --one F  one line for one output
"""
import json
import pathlib
import statistics
import sys

FIGURES = [
    ("checks/s", lambda r: r["check"]["median_requests_per_second"], "{:,.0f}"),
    ("no-op/s", lambda r: r["noop"]["median_requests_per_second"], "{:,.0f}"),
    ("ratio", lambda r: r["check_to_noop_throughput_ratio"], "{:.3f}"),
    ("check p50 ms", lambda r: r["check"]["p50_ms"], "{:.2f}"),
    ("check p99 ms", lambda r: r["check"]["p99_ms"], "{:.2f}"),
    ("no-op p50 ms", lambda r: r["noop"]["p50_ms"], "{:.2f}"),
    ("no-op p99 ms", lambda r: r["noop"]["p99_ms"], "{:.2f}"),
    ("p99 ratio", lambda r: r["check_to_noop_p99_ratio"], "{:.2f}"),
    ("B/check", lambda r: r["check"]["server_bytes_allocated_per_call"], "{:,.0f}"),
    ("B/no-op", lambda r: r["noop"]["server_bytes_allocated_per_call"], "{:,.0f}"),
    ("server CPU µs/check", lambda r: r["check"]["server_cpu_us_per_call"], "{:.0f}"),
    ("server CPU µs/no-op", lambda r: r["noop"]["server_cpu_us_per_call"], "{:.0f}"),
    ("failed", lambda r: r["check"]["failed"] + r["noop"]["failed"], "{:.0f}"),
    ("without reputation", lambda r: r["check"]["without_reputation"], "{:.0f}"),
]


def one(report):
    return ", ".join(f"{name} {fmt.format(get(report))}" for name, get, fmt in FIGURES)


def main():
    if sys.argv[1] == "--one":
        print(one(json.loads(pathlib.Path(sys.argv[2]).read_text())))
        return
    groups = {}
    for path in sorted(pathlib.Path(sys.argv[1]).glob("*-*-*.json")):
        mode, build, _ = path.stem.split("-")
        groups.setdefault((mode, build), []).append(json.loads(path.read_text()))
    for (mode, build), reports in sorted(groups.items()):
        medians = ", ".join(
            f"{name} {fmt.format(statistics.median(get(r) for r in reports))}" for name, get, fmt in FIGURES)
        print(f"median of {len(reports)}, {mode} {build}: {medians}")


if __name__ == "__main__":
    main()
