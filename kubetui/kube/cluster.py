"""One context's live connection: its client and the informers the views asked for.
Switching context builds a new `Cluster` and closes the old one, which stops every
informer thread and closes the client's sockets.

`InformerGroup` is what a view watches: one informer for the whole scope, or, when the
user may not list the kind cluster-wide (403), one informer per namespace the user may
read, sharing one store. It never gives up for good: the namespaces are looked at again
every minute, and the cluster-wide watch is tried again too."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from kubetui.render.json_types import Obj

from .client import ApiError, KubeClient
from .config import KubeConfigSet
from .informer import FORBIDDEN, LIVE, STOPPED, Health, Informer
from .kinds import KINDS, Kind
from .metrics_read import forget_reads
from .store import Store
from .wake import Waker

log = logging.getLogger("kubetui.cluster")
# what a group of informers is shared by: kind, namespace, label and field selector, table
GroupKey = tuple[str, "str | None", "str | None", "str | None", bool]


REVIEWS = "/apis/authorization.k8s.io/v1"


def can_i(client: KubeClient, verb: str, kind: Kind, namespace: str | None = None) -> bool:
    """A SelfSubjectAccessReview: may the current user do this? An error (including a
    user who may not even ask) raises ApiError: no answer is not a no."""
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": verb, "group": kind.group,
                                            "resource": kind.plural,
                                            "namespace": namespace or ""}}}
    out = client.send_json("POST", f"{REVIEWS}/selfsubjectaccessreviews", body)
    return bool((out.get("status") or {}).get("allowed"))


def rules_allow(rules: list[Obj], verb: str, kind: Kind) -> bool:
    """Whether a SelfSubjectRulesReview's resource rules grant `verb` on every object of
    `kind` (a rule limited to resourceNames does not: it cannot list)."""
    for rule in rules:
        verbs, groups = rule.get("verbs") or (), rule.get("apiGroups") or ()
        resources = rule.get("resources") or ()
        if rule.get("resourceNames"):
            continue
        if ("*" in verbs or verb in verbs) and ("*" in groups or kind.group in groups) and (
                "*" in resources or kind.plural in resources):
            return True
    return False


def may_watch(client: KubeClient, kind: Kind, namespace: str | None) -> bool:
    """May the user list and watch `kind` in `namespace` (None: cluster-wide)? One
    SelfSubjectRulesReview answers for a namespace when the server answers it completely
    (not every authorizer can: a webhook's answer is `incomplete`); else two access
    reviews; and when the user may not even ask, a list of one object says."""
    if namespace:
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                "spec": {"namespace": namespace}}
        try:
            status = client.send_json("POST", f"{REVIEWS}/selfsubjectrulesreviews",
                                      body).get("status") or {}
        except ApiError as exc:
            if exc.status not in (401, 403, 404):
                raise
            log.info("rules review in %s not answered (%s); asking access reviews",
                     namespace, exc)
        else:
            rules = status.get("resourceRules") or []
            if rules_allow(rules, "list", kind) and rules_allow(rules, "watch", kind):
                return True
            if not status.get("incomplete"):
                return False
    try:
        return can_i(client, "list", kind, namespace) and can_i(client, "watch", kind,
                                                                 namespace)
    except ApiError as exc:
        if exc.status not in (401, 403):
            raise
        log.info("access review for %s in %s not answered (%s); trying a list",
                 kind.plural, namespace or "the cluster", exc)
    try:
        client.request("GET", kind.path(namespace), {"limit": 1})
        return True
    except ApiError as exc:
        if exc.status in (401, 403):
            return False
        raise


def candidate_namespaces(*namespaces: str | None) -> list[str]:
    """The namespaces to try when the user may not list them: those given (the context's
    namespace, -n, the config's favourites; "a,b" counts as two), then `default`, each
    once, in that order."""
    out: list[str] = []
    for entry in (*namespaces, "default"):
        for ns in (entry or "").split(","):
            ns = ns.strip()
            if ns and ns not in out:
                out.append(ns)
    return out


class InformerGroup:
    recheck_seconds = 60.0

    def __init__(self, client: KubeClient, kind: Kind, namespace: str | None = None,
                 candidates: list[str] | None = None, label_selector: str | None = None,
                 field_selector: str | None = None, table: bool = False,
                 wake: Callable[[], None] | None = None):
        self.client, self.kind, self.namespace = client, kind, namespace
        self.selectors: dict[str, Any] = {
            "label_selector": label_selector, "field_selector": field_selector, "table": table}
        # where to look when the user may not list namespaces (see candidate_namespaces)
        self.candidates = candidates or ["default"]
        self.tried: list[str] = []  # the namespaces the last look went through
        self.listable = True  # whether that look could list the namespaces
        self.store = Store(wake)
        self.scoped: dict[str, Informer] = {}  # namespace -> informer, after a 403
        self.main: Informer | None = None
        self._stop = threading.Event()
        self._poke = threading.Event()  # stop, or the cluster-wide informer's state changed
        self._supervisor = threading.Thread(target=self._supervise, daemon=True,
                                            name=f"supervisor {kind.plural}")

    def start(self) -> "InformerGroup":
        if self.namespace and "," in self.namespace:  # several namespaces, by choice
            self.scoped = {ns: Informer(self.client, self.kind, self.store, ns,
                                        **self.selectors).start()
                           for ns in sorted({n.strip() for n in self.namespace.split(",")
                                             if n.strip()})}
            return self
        self.main = self._cluster_wide(self.namespace)
        self._supervisor.start()
        return self

    def _cluster_wide(self, namespace: str | None) -> Informer:
        """The main informer (all namespaces, or the one chosen), which tells the
        supervisor when its state changes (a 403: fall back to namespaces)."""
        informer = Informer(self.client, self.kind, self.store, namespace, **self.selectors)
        informer.on_state = self._poke.set
        return informer.start()

    @property
    def informers(self) -> list[Informer]:
        main, scoped = self.main, self.scoped  # (each read once: threads swap them)
        return [i for i in (main, *scoped.values()) if i is not None]

    @property
    def columns(self) -> list[Obj] | None:
        """The server's column definitions, for a group reading the Table API."""
        return next((i.columns for i in self.informers if i.columns), None)

    @property
    def synced(self) -> bool:
        return bool(self.informers) and all(i.synced.is_set() for i in self.informers)

    def wait_synced(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.synced:
                return True
            time.sleep(0.02)
        return self.synced

    @property
    def health(self) -> Health:
        if self.main is not None:
            return self.main.health
        scoped = self.scoped
        parts = [i.health for i in scoped.values()]
        if not parts:
            message = f"you may not list {self.kind.plural} in any namespace"
            if self.tried and not self.listable:
                message += (f" tried ({', '.join(self.tried)}); you may not list namespaces: "
                            "-n NAME or favorites in the config add more to try")
            return Health(state=FORBIDDEN, message=message, since=time.time())
        worst = next((h for h in parts if h.state != LIVE), parts[0])
        names = ", ".join(sorted(scoped))
        if self.namespace and "," in self.namespace:
            return replace(worst, listed=sum(h.listed for h in parts),
                           total=sum(h.total for h in parts))
        note = f"{self.kind.plural} cluster-wide is forbidden; watching {names}"
        if not self.listable:
            note += " (of those tried: the context's namespace, -n, favorites)"
        return replace(worst, message=f"{worst.message}; {note}" if worst.message else note,
                       listed=sum(h.listed for h in parts), total=sum(h.total for h in parts))

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        self._poke.set()
        for informer in self.informers:
            informer._stop.set()
            if informer._stream is not None:
                informer._stream.close()
        for informer in self.informers:
            informer.stop(wait)
        if self._supervisor.is_alive():
            self._supervisor.join(wait)

    # -- falling back to namespaces the user may read
    def _supervise(self) -> None:
        """The supervisor thread's body: it ends only when stopped. A failed look at the
        namespaces (the server down, an answer nothing expected) is logged with its
        traceback and tried again after a backoff; the informers keep what they have."""
        next_check = 0.0
        failures = 0
        while not self._stop.is_set():
            # asleep until there is something to do: the cluster-wide informer's state
            # changed (it pokes), or the time to look at the namespaces again came. It
            # had looked five times a second: 15 kinds, 75 wake-ups a second when idle.
            main = self.main
            timeout: float | None = None
            if main is None or failures:
                timeout = max(0.0, next_check - time.monotonic())
            elif main.health.state == FORBIDDEN and self.namespace is None:
                timeout = 0.0
            self._poke.wait(timeout)
            self._poke.clear()
            if self._stop.is_set():
                break
            try:
                main = self.main
                if main is not None and main.health.state == FORBIDDEN and \
                        self.namespace is None:
                    next_check = time.monotonic() + self.recheck_seconds
                    self._fall_back(main)
                elif main is None and time.monotonic() >= next_check:
                    next_check = time.monotonic() + self.recheck_seconds
                    self._recheck()
                failures = 0
            except Exception:
                if self._stop.is_set():
                    break
                failures += 1
                delay = min(self.recheck_seconds, 2.0 ** failures)
                next_check = time.monotonic() + delay
                log.exception("%s: looking for the namespaces to watch failed (again in "
                              "%.0fs)", self.kind.plural, delay)
        for informer in self.informers:  # any started while the group was being stopped
            informer.stop(wait=0)

    def _fall_back(self, main: Informer) -> None:
        log.info("%s: cluster-wide list forbidden, trying namespaces", self.kind.plural)
        main.stop(wait=2)
        self.main = None
        self.store.clear()
        self._recheck()

    def _recheck(self) -> None:
        """Watch cluster-wide again if that is allowed now, else the namespaces that
        are. `scoped` is copied on write: the UI thread iterates the dict it took while
        this thread builds the next one and swaps it in."""
        current = self.scoped
        if may_watch(self.client, self.kind, None):
            self.scoped = {}
            for informer in current.values():
                informer.stop(wait=2)
            self.store.clear()
            self.main = self._cluster_wide(None)
            return
        allowed = set(self._readable())
        fresh = {ns: informer for ns, informer in current.items() if ns in allowed}
        for ns in sorted(allowed - set(current)):
            if self._stop.is_set():
                break
            fresh[ns] = Informer(self.client, self.kind, self.store, ns,
                                 **self.selectors).start()
        self.scoped = fresh
        for ns in set(current) - allowed:
            current[ns].stop(wait=2)
            self.store.clear(ns)

    def _readable(self) -> list[str]:
        """The namespaces where the user may list and watch the kind: of all of them when
        it may list namespaces, else of the candidates."""
        try:
            names = [n["metadata"]["name"] for n in
                     self.client.get_json("/api/v1/namespaces").get("items") or ()]
            self.listable = True
        except ApiError as exc:
            if exc.status not in (401, 403):
                raise
            log.info("%s: namespaces cannot be listed (%s); trying %s", self.kind.plural,
                     exc, ", ".join(self.candidates))
            names, self.listable = list(self.candidates), False
        self.tried = sorted(names)
        return [ns for ns in names if may_watch(self.client, self.kind, ns)]


class Cluster:
    """A context's client and informers; `close()` ends them all."""

    def __init__(self, kc: KubeConfigSet, context: str | None = None, readonly: bool = False,
                 namespaces: Iterable[str | None] = ()):
        """`namespaces`: where to look, besides the context's namespace and `default`,
        if the user may not list namespaces (-n, the config's favourites)."""
        self.kubeconfig = kc
        self.client = KubeClient.connect(kc, context)
        self.context = self.client.context
        self.readonly = readonly
        self.candidates = candidate_namespaces(self.context.namespace, *namespaces)
        self.groups: dict[GroupKey, InformerGroup] = {}
        self._users: dict[GroupKey, int] = {}  # group key -> views using it now
        self._idle: list[InformerGroup] = []  # unused groups kept warm, oldest first
        self._froze = False
        self.wake = Waker()  # every store and informer health of this session says so

    def watch(self, kind: Kind | str, namespace: str | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              table: bool = False) -> InformerGroup:
        """The informers of `kind` in `namespace` (None: all), started on first use and
        shared by every view that asks for the same thing. `table` reads rows from the
        server's Table API (for kinds without a built-in view). Each call is one use:
        hand it back with `release()` when the view stops showing it."""
        k = KINDS[kind] if isinstance(kind, str) else kind
        key = (k.kind, namespace, label_selector, field_selector, table)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = InformerGroup(
                self.client, k, namespace, self.candidates, label_selector,
                field_selector, table, self.wake).start()
        self._users[key] = self._users.get(key, 0) + 1
        self._idle = [g for g in self._idle if g is not group]
        return group

    def release(self, group: InformerGroup, keep_warm: bool = False, keep: int = 4) -> None:
        """A view stops using a group. Another view may still use it; when none does, it
        stops (its threads end, its cache is freed), unless `keep_warm`: the browser's
        `keep` most recent views stay warm so that going back is instant."""
        key = next((k for k, g in self.groups.items() if g is group), None)
        if key is None:
            return  # already stopped
        users = self._users.get(key, 0) - 1
        if users > 0:
            self._users[key] = users
            return
        self._users.pop(key, None)
        if keep_warm:
            self._idle = [g for g in self._idle if g is not group] + [group]
        else:
            self._stop_group(key)
        while len(self._idle) > keep:
            old = self._idle[0]
            self._stop_group(next(k for k, g in self.groups.items() if g is old))

    def _stop_group(self, key: GroupKey) -> None:
        """Stop a group without waiting: its threads see the signal (their streams are
        closed under them) and end on their own, so the screen never waits for them."""
        group = self.groups.pop(key)
        self._users.pop(key, None)
        self._idle = [g for g in self._idle if g is not group]
        group.stop(wait=0)

    def touch(self, group: InformerGroup) -> None:
        """(`watch()` does this now: a group in use is never idle.)"""
        self._idle = [g for g in self._idle if g is not group]

    def freeze_heap(self) -> None:
        """After a large initial sync: move what is alive out of the collector's way, so
        full collections stay short (10k pods: milliseconds instead of a long pause).
        Everything alive is frozen, and what is frozen is never collected as cyclic
        garbage, so call it only when nothing alive is on its way out (the app's
        `HeapFreezer` decides when); `close()` unfreezes."""
        gc.collect()
        gc.freeze()
        self._froze = True

    def close(self, wait: float = 5.0) -> None:
        """(From a background thread, after a context switch: a screen left open on this
        session may still release a group meanwhile, so the groups are taken first.)"""
        groups, self.groups, self._idle = list(self.groups.values()), {}, []
        for group in groups:
            group.stop(wait)
        forget_reads(self.client)  # (10,000 pods' usage: not kept till a collection)
        self.client.close()
        if self._froze:
            gc.unfreeze()
            self._froze = False

    @property
    def threads_alive(self) -> int:
        return sum(1 for g in self.groups.values() for i in g.informers if i.alive)


def switch(current: Cluster | None, kc: KubeConfigSet, context: str,
           readonly: bool = False) -> Cluster:
    """Connect to `context`, then close `current`: a failed switch keeps the old one."""
    fresh = Cluster(kc, context, readonly)
    if current is not None:
        current.close()
    return fresh


__all__ = ["Cluster", "InformerGroup", "STOPPED", "can_i", "candidate_namespaces", "may_watch",
           "switch"]
