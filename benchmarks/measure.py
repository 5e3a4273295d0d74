"""Timing helpers shared by the benchmarks."""

import time


def timed(function, *args):
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - start) * 1000, result


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
