"""The resident memory of this process, as the memory benchmarks read it (Linux)."""

from __future__ import annotations


def memory_mib() -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of this process, in MiB, from /proc/self/status."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) // 1024
    return out
