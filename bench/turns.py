"""Two sizes of one benchmark measured taking turns, so that both meet the same load on a
shared machine (the ratio between them is what the targets are about)."""
from __future__ import annotations

import statistics


def taking_turns(small, large, rounds: int, measure) -> tuple[dict, dict]:
    """``measure(size)`` -> (CPU s, wall s, what it showed) for each size in turn, who goes
    first alternating, after a round that warms the caches. Returns size -> (median CPU,
    median wall) and size -> what the last call showed."""
    samples = {small: ([], []), large: ([], [])}
    shown = {}
    for round_ in range(rounds + 1):
        for size in (small, large) if round_ % 2 else (large, small):
            cpu, wall, shown[size] = measure(size)
            if round_:
                samples[size][0].append(cpu)
                samples[size][1].append(wall)
    medians = {size: (statistics.median(cpu), statistics.median(wall))
               for size, (cpu, wall) in samples.items()}
    return medians, shown
