"""kubetui.sim: a simulated Kubernetes cluster that speaks the real REST API on loopback.

It is what `kubetui --demo`, the tests and the benchmarks run against, and kubectl can
use it too (`kubetui sim --write-kubeconfig FILE`). It is a simulation, not a cluster:
no containers run. What it serves and does not is listed in `docs/sim.md`.

This package imports nothing from kubetui except the pure printing rules in
`kubetui.render` (the same ones the real API server's Table printers apply).
"""

from .cluster import SimCluster

__all__ = ["SimCluster"]
