"""Reading metrics.k8s.io for the browser's usage columns (CPU, MEM and their shares
beside pods and nodes), off the UI thread: what to read for a view, and what an answer
means for the columns. Not served (404/503, no metrics-server) is an answer: no columns,
as `kubectl top` has nothing to show either. Any other failure (forbidden, a server
error, no connection, an answer that is not a metrics list) is not: the usage is unknown,
each cell says so, and the user is told once; it is logged once, with its traceback, not
at every 15-s poll."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import urllib3

from kubetui.kube.client import ApiError, KubeClient
from kubetui.kube.metrics_read import ALL_PODS, Metrics, metrics_path, pod_reads, read_metrics

log = logging.getLogger("kubetui.ui")

NOT_A_LIST = ("could not read usage (metrics.k8s.io sent something that is not a "
              "metrics list)")


@dataclass(frozen=True)
class Usage:
    """One read for a kind: usage by row key, or None; `unknown` says why the usage
    cannot be known (the columns stay, each cell unknown); `notice` is what to tell the
    user now (the first failure of its kind only)."""

    kind: str
    found: dict[str, Metrics] | None = None
    unknown: str | None = None
    notice: str | None = None


class MetricsPoll:
    def __init__(self) -> None:
        self.error: str | None = None  # the last failure logged
        self._lock = threading.Lock()  # reads are threads: one says a failure

    def read(self, client: KubeClient, kind: str, namespace: str | None) -> Usage:
        """(In a thread.) Usage of every pod (or node) in view, read now. Every pod's
        goes through the cluster's shared read (kube/metrics_read.PodReads), which the
        lint takes too."""
        path = metrics_path(kind, namespace)
        try:
            found = (pod_reads(client).read(client, max_age=0) if path == ALL_PODS else
                     read_metrics(client, path))
        except (ApiError, ValueError, urllib3.exceptions.HTTPError, OSError) as exc:
            status = exc.status if isinstance(exc, ApiError) else 0
            if status in (404, 503):  # not served: an answer (no metrics-server)
                with self._lock:
                    self.error = None
                return Usage(kind)
            # the rest is not an answer: logged with its traceback once (every 15 s for
            # a user who may not read metrics would bury the log), said to the user once
            message = (NOT_A_LIST if isinstance(exc, ValueError) else
                       f"could not read usage: {exc.message if isinstance(exc, ApiError) else exc}")
            with self._lock:  # (an earlier read's thread may still be finishing)
                said, self.error = self.error, message
            first = message != said
            if first:
                log.error("cannot read %s", path, exc_info=True)
            else:
                log.debug("still cannot read %s: %s", path, message)
            return Usage(kind, unknown=message, notice=message if first else None)
        with self._lock:
            self.error = None
        return Usage(kind, found)


__all__ = ["NOT_A_LIST", "MetricsPoll", "Usage"]
