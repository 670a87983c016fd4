"""Across the fleet, once: where objects are (`find`: by name or label selector, list
calls in every context at once) and the footgun lint's counts per cluster (`lint`).
Each context is looked at on a thread of its own and its answer is handed over as soon
as it is in: a slow or unreachable context delays no other. A context that could not
be looked at is said as such ("could not look: ..."), never as no match."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypedDict

import orjson

from kubetui.render.json_types import Obj

from .client import ApiError, KubeClient
from .config import KubeConfigError, KubeConfigSet
from .informer import describe_failure
from .kinds import KINDS, Kind
from .paging import Fetch, read_pages

if TYPE_CHECKING:
    from kubetui.diagnose.lint import LintConfig

log = logging.getLogger("kubetui.fleet")

DEFAULT_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Pod", "Service")
# what runs an image (a pod a controller owns is found through its controller)
IMAGE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Pod")
LIMIT = 500  # per kind and context (a page)
IMAGE_PAGES = 20  # an image is matched here, not by the server: up to 10,000 per kind
TIMEOUT = (3, 20)


@dataclass(frozen=True)
class Query:
    name: str | None = None
    selector: str | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS
    image: str | None = None  # a part of an image reference (`nginx:1.27`, `team/api`)

    @property
    def text(self) -> str:
        what = self.name if self.name else f"image {self.image}" if self.image else \
            f"-l {self.selector}"
        kinds = ",".join(KINDS[k].plural for k in self.kinds)
        return f"{what} in {kinds}"


@dataclass
class Found:
    context: str
    kind: str
    namespace: str
    name: str
    info: str  # ready counts, phase, type
    images: str = ""


@dataclass
class Answer:
    """One context's answer: what it found, what it could not look at (kind -> why),
    or why it could not be looked at at all."""
    context: str
    found: list[Found] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    error: str = ""
    more: bool = False  # a kind had more than LIMIT matches
    scoped: dict[str, str] = field(default_factory=dict)  # kind -> the only namespace seen


def _images(spec: Obj | None) -> str:
    return ",".join(sorted({c.get("image", "") for c in (spec or {}).get("containers") or ()}))


def summary(kind: str, obj: Obj) -> tuple[str, str]:
    """(info, images) of a found object."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        return (f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)} ready",
                _images((spec.get("template") or {}).get("spec")))
    if kind == "DaemonSet":
        return (f"{status.get('numberReady', 0)}/{status.get('desiredNumberScheduled', 0)} "
                "ready", _images((spec.get("template") or {}).get("spec")))
    if kind == "Pod":
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in status.get("conditions") or ())
        return (f"{status.get('phase', '?')}{'' if ready else ', not ready'}",
                _images(spec))
    if kind == "Service":
        return spec.get("type", "ClusterIP"), ""
    if kind in ("Job", "CronJob"):
        return "", _images(((spec.get("jobTemplate") or {}).get("spec") or spec).get(
            "template", {}).get("spec"))
    return "", ""


def _fetch(client: KubeClient, context: str, k: Kind, params: dict[str, Any],
           answer: Answer) -> Fetch:
    """A page of `k` everywhere, or, where that is forbidden, in the context's namespace
    (said in `answer.scoped`) from then on."""
    ns = client.context.namespace
    path = k.path(None)

    def fetch(token: str | None) -> tuple[list[Obj], Obj]:
        nonlocal path
        params["continue"] = token
        try:
            doc = orjson.loads(client.request("GET", path, params, timeout=TIMEOUT))
        except ApiError as exc:  # cluster-wide forbidden: the context's namespace
            if exc.status != 403 or not ns or not k.namespaced or path != k.path(None):
                raise
            log.info("fleet find in %s: %s; looking in %s", context, exc, ns)
            path = k.path(ns)
            doc = orjson.loads(client.request("GET", path, params, timeout=TIMEOUT))
            answer.scoped[k.plural] = ns
        return doc.get("items") or [], doc.get("metadata") or {}
    return fetch


def find_in(client: KubeClient, context: str, query: Query) -> Answer:
    answer = Answer(context)
    for kind in query.kinds:
        k = KINDS[kind]
        params = {"limit": LIMIT, "labelSelector": query.selector,
                  "fieldSelector": f"metadata.name={query.name}" if query.name else None}
        try:
            items, more = read_pages(_fetch(client, context, k, params, answer),
                                     IMAGE_PAGES if query.image else 1)
        except (ApiError, ValueError) as exc:
            log.exception("fleet find in %s: %s", context, k.plural)
            answer.failed[k.plural] = exc.message if isinstance(exc, ApiError) else str(exc)
            continue
        if more:
            answer.more = True
        for obj in items:
            meta = obj.get("metadata") or {}
            info, images = summary(kind, obj)
            if query.image and (query.image not in images or (
                    kind == "Pod" and meta.get("ownerReferences"))):
                continue
            answer.found.append(Found(context, kind, meta.get("namespace", ""),
                                      meta.get("name", ""), info, images))
    return answer


class LintCounts(TypedDict):
    """One cluster's lint findings, counted (`lint_in`)."""

    severity: dict[str, int]  # error / warning / info -> findings
    rules: dict[str, int]  # rule -> findings
    unread: dict[str, str]  # what could not be read -> why
    notes: list[str]  # what was skipped, and why


def lint_in(client: KubeClient, context: str, config: LintConfig) -> LintCounts:
    """The footgun lint's findings of one cluster, counted: by severity and by rule,
    and the kinds it could not read."""
    from kubetui.diagnose.lint import lint

    from .lint_source import fetch
    src = fetch(client, None, config.reads())
    findings = lint(src.objects, config, src.metrics)
    by_severity: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for f in findings:
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return {"severity": by_severity, "rules": by_rule, "unread": dict(src.unread),
            "notes": list(src.notes)}


def everywhere(kc: KubeConfigSet, contexts: list[str], work: Callable[[KubeClient, str], object],
               done: Callable[[str, object, str], None],
               client_for: Callable[[str], KubeClient | None] | None = None,
               ) -> list[threading.Thread]:
    """Run `work(client, context)` in every context at once, each on its own thread;
    `done(context, result, error)` is called from that thread as each ends (error: why
    it could not look, in one line). `client_for` may lend a connected client (the
    fleet's); otherwise one is made and closed."""
    def run(name: str) -> None:
        lent = client_for(name) if client_for is not None else None
        client = lent
        try:
            if client is None:
                client = KubeClient.connect(kc, name)
            result = work(client, name)
        except KubeConfigError as exc:
            log.exception("fleet: %s", name)
            done(name, None, str(exc).splitlines()[0])
        except ApiError as exc:
            log.exception("fleet: %s", name)
            done(name, None, exc.message)
        except Exception as exc:  # unreachable, timed out, an unexpected answer
            log.exception("fleet: %s", name)
            server = client.server if client is not None else kc.contexts[name].server
            done(name, None, describe_failure(exc, server))
        else:
            done(name, result, "")
        finally:
            if client is not None and lent is None:
                client.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True, name=f"fleet look {n}")
               for n in contexts]
    for t in threads:
        t.start()
    return threads


__all__ = ["Answer", "DEFAULT_KINDS", "IMAGE_KINDS", "Found", "LintCounts", "Query",
           "everywhere", "find_in", "lint_in", "summary"]
