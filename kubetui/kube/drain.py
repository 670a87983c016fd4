"""Drain a node as `kubectl drain --ignore-daemonsets` does, through the Eviction API:
cordon it, list its pods, skip DaemonSet and mirror (static) pods, ask before pods with
emptyDir data (`--delete-emptydir-data`) and pods no controller manages (`--force`),
then POST a policy/v1 Eviction for each. A pod a PodDisruptionBudget protects is
answered 429 and retried every 5 s (kubectl's interval); the drain ends when every
evicted pod is gone, or is cancelled. No Textual here: the screen reads `Drain.pods`."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .actions import Actions
from .client import ApiError, KubeClient
from .kinds import KINDS

log = logging.getLogger("kubetui.kube")

RETRY_SECONDS = 5.0  # kubectl drain retries a refused eviction after 5 s
POLL_SECONDS = 1.0  # how often it looks whether evicted pods are gone
MIRROR = "kubernetes.io/config.mirror"

# a pod's states through a drain
WAITING, EVICTING, BLOCKED, EVICTED, GONE, FAILED, SKIPPED = (
    "waiting", "evicting", "blocked", "evicted", "gone", "failed", "skipped")


@dataclass
class DrainPod:
    namespace: str
    name: str
    uid: str
    owner: str  # "ReplicaSet/web-7d9", "" when unmanaged
    skip: str = ""  # why it stays: "DaemonSet-managed", "mirror pod"
    emptydir: bool = False
    finished: bool = False  # Succeeded or Failed: nothing is lost with it
    state: str = WAITING
    message: str = ""  # the server's words when blocked or failed
    tries: int = 0
    next_try: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def plan(client: KubeClient, node: str) -> list[DrainPod]:
    """The pods on `node`, each with what the drain will do with it."""
    items = client.get_json(KINDS["Pod"].path(None), {
        "fieldSelector": f"spec.nodeName={node}"}).get("items") or []
    out = []
    for pod in sorted(items, key=lambda p: (p["metadata"].get("namespace", ""),
                                            p["metadata"]["name"])):
        meta = pod["metadata"]
        ref = next((r for r in meta.get("ownerReferences") or () if r.get("controller")),
                   None)
        p = DrainPod(meta["namespace"], meta["name"], meta.get("uid", ""),
                     f"{ref['kind']}/{ref['name']}" if ref else "")
        if MIRROR in (meta.get("annotations") or {}):
            p.skip = "mirror pod"
        elif ref is not None and ref.get("kind") == "DaemonSet":
            p.skip = "DaemonSet-managed"
        p.emptydir = any("emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or ())
        p.finished = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
        if p.skip:
            p.state = SKIPPED
        out.append(p)
    return out


def warnings(pods: list[DrainPod]) -> list[str]:
    """What kubectl drain refuses without a flag, to be confirmed: one line each (a
    finished pod is let go without one, as kubectl does)."""
    out = []
    unmanaged = [p.key for p in pods if not p.skip and not p.owner and not p.finished]
    local = [p.key for p in pods if not p.skip and p.emptydir and not p.finished]
    if unmanaged:
        out.append("not managed by a controller, they will not come back (kubectl's "
                   "--force): " + ", ".join(unmanaged))
    if local:
        out.append("using emptyDir, their local data is lost (kubectl's "
                   "--delete-emptydir-data): " + ", ".join(local))
    return out


@dataclass
class Drain:
    """One drain in progress: `run()` in a thread, `cancel()` from any; `changed` is
    called (from the drain's thread) after each step."""

    client: KubeClient
    node: str
    pods: list[DrainPod]
    readonly: bool = False
    changed: Callable[[], None] = lambda: None
    state: str = "cordoning"  # cordoning, draining, drained, cancelled, failed
    message: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def to_evict(self) -> list[DrainPod]:
        return [p for p in self.pods if not p.skip]

    def cancel(self) -> None:
        self._stop.set()

    def run(self) -> None:
        try:
            Actions(self.client, self.readonly).cordon(self.node)
        except Exception as exc:  # a refused cordon ends the drain before any eviction
            log.exception("cannot cordon node %s", self.node)
            self._end("failed", f"cannot cordon node {self.node}: "
                                f"{getattr(exc, 'message', exc)}")
            return
        self.state = "draining"
        self.changed()
        while not self._stop.is_set():
            now = time.time()
            for p in self.to_evict:
                if self._stop.is_set():
                    break
                if p.state in (WAITING, BLOCKED) and now >= p.next_try:
                    self._evict(p)
            self._look_for_gone()
            left = [p for p in self.to_evict if p.state not in (GONE, FAILED)]
            if not left:
                failed = [p for p in self.to_evict if p.state == FAILED]
                self._end("failed" if failed else "drained",
                          f"{len(failed)} pod(s) could not be evicted" if failed else
                          f"node/{self.node} drained")
                return
            self._stop.wait(POLL_SECONDS)
        self._end("cancelled", f"drain of {self.node} cancelled (the node stays cordoned)")

    def _end(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self.changed()

    def _evict(self, p: DrainPod) -> None:
        p.state, p.tries = EVICTING, p.tries + 1
        self.changed()
        body = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": p.name, "namespace": p.namespace}}
        try:
            self.client.send_json("POST", KINDS["Pod"].path(p.namespace, p.name, "eviction"),
                                  body)
            p.state, p.message = EVICTED, ""
        except ApiError as exc:
            if exc.status == 404:  # already gone: nothing left to evict
                p.state, p.message = GONE, ""
            elif exc.status == 429 or exc.status >= 500:
                # a budget says not now (429), or two budgets match (500): kubectl retries.
                # A budget's no is the API working as meant (shown on the screen, logged
                # once per pod); a 5xx is a failure, logged with its traceback
                if exc.status != 429:
                    log.error("eviction of %s failed, retrying in %.0fs: %s", p.key,
                              RETRY_SECONDS, exc, exc_info=True)
                elif p.tries == 1:
                    log.info("eviction of %s refused, retrying every %.0fs: %s", p.key,
                             RETRY_SECONDS, exc)
                p.state = BLOCKED
                p.message = " ".join([exc.message, *exc.causes])
                p.next_try = time.time() + RETRY_SECONDS
            else:
                log.exception("cannot evict %s", p.key)
                p.state, p.message = FAILED, exc.message
        except Exception as exc:  # the boundary: the rest of the drain goes on
            log.exception("cannot evict %s", p.key)
            p.state, p.message = FAILED, f"{type(exc).__name__}: {exc}"
        self.changed()

    def _look_for_gone(self) -> None:
        """Evicted pods are gone when the API no longer has them (or has a new pod of the
        same name, a StatefulSet's)."""
        for p in self.to_evict:
            if p.state != EVICTED:
                continue
            try:
                pod = self.client.get_json(KINDS["Pod"].path(p.namespace, p.name))
            except ApiError as exc:
                if exc.status == 404:
                    p.state = GONE
                    self.changed()
                else:
                    log.exception("cannot look at %s", p.key)
                continue
            if pod["metadata"].get("uid") != p.uid:
                p.state = GONE
                self.changed()
