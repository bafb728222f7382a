"""igraph plumbing shared by the analysis modules (private): conversion and seeding.

igraph is imported inside the functions, so that importing :mod:`graph.analysis` stays cheap.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from ..lazy import lazy

nx = lazy("networkx")


__all__ = ["seeded", "to_igraph"]


def to_igraph(g: nx.Graph, attribute: str, default: float = 1.0) -> tuple[list[str], Any, list[float] | None]:
    """``g`` as an igraph Graph (vertices in sorted id order), with one edge attribute as a list.

    Returns the sorted node ids (vertex ``i`` is ``nodes[i]``), the igraph Graph and the
    attribute per edge in igraph's edge order (``None`` when there are no edges).
    """
    import igraph as ig

    nodes = sorted(g.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = sorted(g.edges)
    h = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in edges], directed=g.is_directed())
    return nodes, h, ([g.edges[u, v].get(attribute, default) for u, v in edges] if edges else None)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Inside the block igraph draws from ``random.Random(seed)``; afterwards from the
    :mod:`random` module again, whose state is as it was before the block.

    igraph's random number generator is global to the process, and igraph's default is the
    :mod:`random` module. python-igraph has no call that returns the generator in use, so a
    generator a caller set with ``igraph.set_random_number_generator`` is replaced by the
    default, not by the caller's own.
    """
    import igraph as ig

    state = random.getstate()
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)
        random.setstate(state)
