"""What every benchmark shares: medians and percentiles, ratios, table rows, the machine.

Benchmarks run on a machine other work shares: each one measures AOAI Lab and its reference
alternately in the same run, and the table reports the ratio of medians, which the shared load
affects far less than either figure alone.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: Sequence[float]) -> float:
    """The median; NaN for no values."""
    return statistics.median(values) if values else float("nan")


@dataclass(frozen=True)
class Row:
    """One line of the results table: what, ours, the reference, and ours ÷ reference."""

    benchmark: str
    what: str
    ours: float
    reference: float | None
    unit: str
    reference_name: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """ours ÷ reference (None without a reference)."""
        if self.reference is None or self.reference == 0:
            return None
        return self.ours / self.reference

    def markdown(self) -> str:
        """The row as a Markdown table line."""
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}×"
        reference = "—" if self.reference is None else f"{fmt(self.reference)} {self.unit}"
        ref_name = f" ({self.reference_name})" if self.reference_name and self.reference is not None else ""
        return f"| {self.benchmark} | {self.what} | {fmt(self.ours)} {self.unit} | {reference}{ref_name} | {ratio} | {self.note} |"


def fmt(value: float) -> str:
    """A figure with sensible precision."""
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


HEADER = "| benchmark | what | AOAI Lab | reference | ratio | note |\n|---|---|---|---|---|---|"


def python_speed(iterations: int = 5_000_000) -> float:
    """Seconds one core takes to add up ``iterations`` integers in a Python loop, best of three.

    Shared machines change speed from hour to hour (the same commit measured 2× slower in the
    afternoon of 2026-12-02): this figure, printed with every run, tells runs on a slow machine
    from slow code. Ratios against a reference hold better, but not for CPU-bound parts only.
    """
    import time

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for value in range(iterations):
            total += value
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> str:
    """One line describing the machine and software the figures come from."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    import streamlit

    return (
        f"{platform.node() or 'host'}: {os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, "
        f"Python {sys.version.split()[0]}, streamlit {streamlit.__version__}; load average at the start {load}; "
        f"a 5M-step Python loop took {python_speed():.2f} s"
    )


def print_rows(rows: Sequence[Row]) -> None:
    """Print rows as a Markdown table (for a benchmark run alone)."""
    print(HEADER)
    for row in rows:
        print(row.markdown())
