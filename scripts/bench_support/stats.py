"""Summaries of a bench's samples (shared by the benches in scripts/)."""

from __future__ import annotations


def percentile(values: list[float], fraction: float) -> float:
    """The sample at `fraction` of the sorted values (nearest rank, no interpolation); NaN
    when there is none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
