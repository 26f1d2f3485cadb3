"""CPU time, to tell whether other processes shared the machine while a window was measured
(on a 2-core box a test suite running beside the bench doubles its latencies)."""

from __future__ import annotations

import os
import resource


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has run so far (/proc/stat, all cores)."""
    with open("/proc/stat") as stat:
        fields = [int(f) for f in stat.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
