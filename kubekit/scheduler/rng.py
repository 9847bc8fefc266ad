"""The seeded tie-breaker, in Python (twin of ``_fast._sched.Rng``).

kube-scheduler picks uniformly among the best-scoring nodes with a global
random source; kubekit does the same with splitmix64 so that a given seed
always gives the same placements: with ``k`` nodes tied, it takes the
``below(k)``-th of them in slot order, drawing only when ``k > 1``.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


class PyRng:
    __slots__ = ("state",)

    def __init__(self, seed: int = 0) -> None:
        self.state = seed & _MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return (self.next() * n) >> 64
