"""The rules about pods: what a workload's pod template says (requests, probes, service
account, images, a database's image) and what its pods do at run time (OOM kills,
restarts by the liveness probe, usage against limits; start times against a config's
last change are lint_stale_config's). Each is told on the workload (a bare pod: on
itself); see lint_base."""

from __future__ import annotations

from collections.abc import Mapping

from kubetui.render.events import count as event_count
from kubetui.render.json_types import Obj
from kubetui.render.metrics import Reading, of_containers, top_memory

from .lint_base import (
    ERROR,
    INFO,
    RANK,
    RUNTIME_KINDS,
    WARNING,
    Finding,
    LintView,
    all_containers,
    cached_probe_text,
    claim_size,
    cpu_request_text,
    dump,
    image_name,
    image_tag,
    memory_request_text,
    meta,
    patch_fix,
    pod_owner,
    pod_template,
    quantity_or_none,
    spec_patch,
    template_subject,
)


# -- 1 missing-requests
def missing_requests(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    own = spec.get("resources") or {}  # what the pod requests for itself (PodLevelResources)
    wanted = [r for r in ("cpu", "memory")
              if r not in {**(own.get("limits") or {}), **(own.get("requests") or {})}]
    lacking: list[tuple[str, list[str]]] = []
    for c in all_containers(spec):
        res = c.get("resources") or {}
        have = {**(res.get("limits") or {}), **(res.get("requests") or {})}  # a limit alone
        gone = [r for r in wanted if r not in have]  # is the request
        if gone:
            lacking.append((c.get("name", ""), gone))
    if not lacking:
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    evidence = tuple(f"container {c}: resources.requests has no {' and no '.join(g)}"
                     for c, g in lacking)
    what = "; ".join(f"{c} ({', '.join(g)})" for c, g in lacking)

    def fix() -> str:
        items = []
        for c, gone in lacking:
            used = v.usage(kind, ns, name, c)
            req = {}
            for r in gone:
                if used is not None:
                    req[r] = (cpu_request_text(used[0] * 1.2) if r == "cpu"
                              else memory_request_text(used[1] * 1.2))
                else:
                    req[r] = "100m" if r == "cpu" else "128Mi"
            items.append({"name": c, "resources": {"requests": req}})
        note = ("requests from what its pods use now (kubectl top), plus a fifth" if any(
            v.usage(kind, ns, name, c) for c, _ in lacking) else
            "starting values: set them from what it uses (kubectl top pod)")
        return patch_fix(kind, ns, name, spec_patch(kind, {"containers": items}), note)

    return [Finding("missing-requests", WARNING, kind, ns, name,
                    f"no resource requests: {what}", evidence, make_fix=fix)]


# -- 2 tight-memory-limit
NEAR_LIMIT = 0.9  # a container using this share of its memory limit is near it


def _limits(containers: list[Obj]) -> dict[object, float | None]:
    return {c.get("name"): quantity_or_none(((c.get("resources") or {}).get("limits")
                                             or {}).get("memory")) for c in containers}


def _memory_limits(pod: Obj) -> dict[object, float | None]:
    """Each container's memory limit, worked out once per workload: a metrics read checks
    every pod."""
    return of_containers(pod, "memory limits", _limits)


def near_limit(pod: Obj, metrics: Reading | None) -> bool:
    """Whether a container of the pod uses NEAR_LIMIT of its memory limit or more."""
    if not metrics:
        return False
    limits = _memory_limits(pod)
    for c in metrics.get("containers") or ():
        limit = limits.get(c.get("name"))
        if limit:
            used = quantity_or_none((c.get("usage") or {}).get("memory"))
            if used is not None and used >= NEAR_LIMIT * limit:
                return True
    return False


def near_limit_pods(pods: Mapping[str, Obj], metrics: Mapping[str, Reading]) -> set[str]:
    """The pods with a container near its memory limit under these metrics (every pod
    looked at: run it off the UI's thread, 0.5-1.6 s at 100,000 pods)."""
    items = list(metrics.items())  # (at once: a read updates its dict in place)
    return {key for key, m in items
            if (pod := pods.get(key)) is not None and near_limit(pod, m)}


def tight_memory_limit(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    if kind not in RUNTIME_KINDS or (kind == "Pod" and pod_owner(obj) is not None):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    ns, name = m.get("namespace", ""), m.get("name", "")
    pods = [obj] if kind == "Pod" else v.pods_of(kind, ns, name)
    out = []
    for c in all_containers(spec, init=False):
        cname = c.get("name", "")
        limit_text = ((c.get("resources") or {}).get("limits") or {}).get("memory")
        limit = quantity_or_none(limit_text)
        if not limit:
            continue
        killed, near = [], []
        for p in pods:
            for cs in (p.get("status") or {}).get("containerStatuses") or ():
                if cs.get("name") != cname:
                    continue
                last = ((cs.get("lastState") or {}).get("terminated") or {}).get("reason")
                now_ = ((cs.get("state") or {}).get("terminated") or {}).get("reason")
                if "OOMKilled" in (last, now_):
                    killed.append(f"pod {meta(p).get('name')}: OOMKilled (exit 137), "
                                  f"{cs.get('restartCount', 0)} restarts")
            used = v.usage("Pod", meta(p).get("namespace", ""), meta(p).get("name", ""), cname)
            if used is not None and used[1] >= NEAR_LIMIT * limit:
                near.append((used[1], meta(p).get("name", "")))
        if not killed and not near:
            continue
        top = max((u for u, _ in near), default=0.0)
        evidence = (f"container {cname}: resources.limits.memory = {limit_text}",
                    *killed[:5], *(f"pod {p}: uses {top_memory(u)} of {limit_text} "
                                   f"({u / limit:.0%})" for u, p in sorted(near)[-3:]))
        if killed:
            plural = "s" if len(killed) > 1 else ""
            severity, message = ERROR, (f"{cname} was OOMKilled at its {limit_text} memory "
                                        f"limit ({len(killed)} pod{plural})")
        else:
            severity, message = WARNING, (f"{cname} uses {top / limit:.0%} of its "
                                          f"{limit_text} memory limit")

        def fix(cname: str = cname, limit: float = limit, top: float = top,
                limit_text: object = limit_text) -> str:  # a quantity, as written
            wanted = memory_request_text(max(2 * limit, 1.5 * top))
            doc = spec_patch(kind, {"containers": [{"name": cname, "resources": {
                "limits": {"memory": wanted}}}]})
            return patch_fix(kind, ns, name, doc, f"was {limit_text}: give it room, then "
                             "watch kubectl top (a JVM also needs -Xmx below the limit)")

        out.append(Finding("tight-memory-limit", severity, kind, ns, name, message, evidence,
                           cname, make_fix=fix))
    return out


# -- 3 liveness-probe
HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")


def _handler(probe: Obj) -> tuple[tuple[str, str], ...]:
    return tuple((h, repr(probe.get(h))) for h in HANDLERS if probe.get(h) is not None)


def _probe_port(probe: Obj) -> object:  # an int or a named port, None without one
    for h in ("httpGet", "tcpSocket", "grpc"):
        if probe.get(h):
            return probe[h].get("port")
    return None


def liveness_probe(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    template = template_subject(kind, obj)
    runtime = kind in RUNTIME_KINDS and not (kind == "Pod" and pod_owner(obj) is not None)
    if not template and not runtime:
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    ns, name = m.get("namespace", ""), m.get("name", "")
    pods = ([obj] if kind == "Pod" else v.pods_of(kind, ns, name)) if runtime else []
    out = []
    for c in all_containers(spec, init=False):
        live = c.get("livenessProbe")
        if not live:
            continue
        cname, ready = c.get("name", ""), c.get("readinessProbe")
        problems: list[tuple[str, str, str]] = []  # (severity, message, evidence)
        restarts, failures = 0, []
        for p in pods:
            events = v.liveness_events(meta(p).get("namespace", ""), meta(p).get("name", ""),
                                       cname)
            if not events:
                continue
            cs: Obj = next((s for s in (p.get("status") or {}).get("containerStatuses") or ()
                       if s.get("name") == cname), {})
            if cs.get("restartCount", 0):
                restarts += cs["restartCount"]
                failures.extend(events)
        if restarts:
            newest = max(failures, key=lambda e: e.get("lastTimestamp") or "")
            n = sum(event_count(e) for e in failures)
            problems.append((ERROR, f"its liveness probe restarted {cname} {restarts} "
                             f"time{'s' if restarts > 1 else ''}",
                             f"event Unhealthy (x{n}): {newest.get('message', '')}"))
        if template:
            if ready and _handler(live) == _handler(ready):
                problems.append((WARNING, f"{cname}'s liveness probe asks the same endpoint "
                                 "as its readiness probe",
                                 f"readiness {cached_probe_text(ready)}"))
            if live.get("failureThreshold") == 1:
                problems.append((WARNING, f"{cname}'s liveness probe restarts it at the "
                                 "first failure (failureThreshold 1)", ""))
            if live.get("timeoutSeconds", 1) <= 1:
                # (a footgun of the spec, not a diagnosis: it read as the cause of
                # restarts whose events said "connection refused")
                problems.append((INFO, f"{cname}'s liveness probe allows "
                                 f"{live.get('timeoutSeconds', 1)}s for an answer: under "
                                 "load a slow one counts as a failure", ""))
        if not problems:
            continue
        problems.sort(key=lambda p: RANK[p[0]])
        evidence = (f"container {cname}: liveness {cached_probe_text(live)}",
                    *(e for _, _, e in problems if e))
        message = "; ".join(dict.fromkeys(msg for _, msg, _ in problems))

        def fix(cname: str = cname, live: Obj = live, ready: Obj | None = ready) -> str:
            probe = {k: live[k] for k in HANDLERS if k in live}
            if ready and _handler(live) == _handler(ready) and _probe_port(live) is not None:
                probe = {"tcpSocket": {"port": _probe_port(live)}}
            probe.update({"periodSeconds": max(live.get("periodSeconds", 10), 10),
                          "timeoutSeconds": max(live.get("timeoutSeconds", 1), 3),
                          "failureThreshold": max(live.get("failureThreshold", 3), 3)})
            doc = spec_patch(kind, {"containers": [{"name": cname, "livenessProbe": probe}]})
            return patch_fix(kind, ns, name, doc, "liveness: cheap and independent of "
                             "other services (a tcp check of its own port), patient")

        out.append(Finding("liveness-probe", problems[0][0], kind, ns, name, message,
                           evidence, cname, make_fix=fix))
    return out


# -- 4 readiness-without-liveness
def readiness_without_liveness(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    lacking = [c for c in all_containers(spec, init=False)
               if c.get("readinessProbe") and not c.get("livenessProbe")]
    if not lacking:
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    names = ", ".join(c.get("name", "") for c in lacking)
    evidence = tuple(f"container {c.get('name')}: readiness "
                     f"{cached_probe_text(c['readinessProbe'])}"
                     f", no livenessProbe" for c in lacking)

    def fix() -> str:
        items = []
        for c in lacking:
            port = _probe_port(c["readinessProbe"])
            probe = ({"tcpSocket": {"port": port}} if port is not None else
                     {k: c["readinessProbe"][k] for k in HANDLERS if k in c["readinessProbe"]})
            items.append({"name": c.get("name", ""), "livenessProbe": {
                **probe, "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 3,
                "failureThreshold": 3}})
        return patch_fix(kind, ns, name, spec_patch(kind, {"containers": items}),
                         "liveness: is the process alive at all (not: are its dependencies)")

    return [Finding("readiness-without-liveness", WARNING, kind, ns, name,
                    f"readiness probe without a liveness probe: {names}", evidence,
                    make_fix=fix)]


# -- 5 default-service-account
def default_service_account(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    if account != "default":
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    automount = spec.get("automountServiceAccountToken")
    sa = v.get("ServiceAccount", ns, "default")
    from_sa = (sa or {}).get("automountServiceAccountToken")
    if automount is False or (automount is None and from_sa is False):
        return []
    evidence = (f"serviceAccountName: {spec.get('serviceAccountName') or '(unset: default)'}",
                "automountServiceAccountToken: " + (
                    "true" if automount else "(unset: the token is mounted)"),
                f"ServiceAccount {ns}/default: automountServiceAccountToken "
                f"{'unset' if from_sa is None else str(from_sa).lower()}")

    def fix() -> str:
        doc = spec_patch(kind, {"serviceAccountName": name,
                                "automountServiceAccountToken": False})
        return (f"# kubectl -n {ns} create serviceaccount {name}\n" +
                patch_fix(kind, ns, name, doc, "its own account, no token unless it calls "
                          "the Kubernetes API (then bind it a Role for just that)"))

    return [Finding("default-service-account", WARNING, kind, ns, name,
                    "runs as the default ServiceAccount, its API token mounted", evidence,
                    make_fix=fix)]


# -- 11 database-deployment
DATABASES = ("postgres", "postgresql", "mysql", "mariadb", "mongo", "mongodb", "cassandra",
             "couchdb", "cockroach", "cockroachdb", "clickhouse", "clickhouse-server",
             "neo4j", "influxdb", "timescaledb", "elasticsearch", "opensearch", "mssql-server",
             "percona", "percona-server", "scylla", "arangodb", "yugabyte")


STATEFUL_WITH_VOLUME = ("redis", "redis-stack", "valkey", "keydb", "rabbitmq", "kafka",
                        "zookeeper", "etcd", "nats", "minio")


def database_deployment(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m, spec = meta(obj), pod_template(kind, obj)[1]
    ns, name = m.get("namespace", ""), m.get("name", "")
    claims = [vol for vol in spec.get("volumes") or () if vol.get("persistentVolumeClaim")]
    found = None
    for c in all_containers(spec, init=False):
        base = image_name(c.get("image", ""))
        if base in DATABASES or (base in STATEFUL_WITH_VOLUME and claims):
            found = c
            break
    if found is None:
        return []
    dspec = obj.get("spec") or {}
    evidence = (f"container {found.get('name')}: image {found.get('image')}",
                *(f"volume {vol.get('name')}: persistentVolumeClaim "
                  f"{vol['persistentVolumeClaim'].get('claimName')}" for vol in claims),
                f"replicas {dspec.get('replicas', 1)}, strategy "
                f"{(dspec.get('strategy') or {}).get('type', 'RollingUpdate')}")

    def fix() -> str:
        template = dict((obj.get("spec") or {}).get("template") or {})
        tspec = dict(template.get("spec") or {})
        templates = []
        keep = []
        for vol in tspec.get("volumes") or ():
            pvc = vol.get("persistentVolumeClaim")
            if not pvc:
                keep.append(vol)
                continue
            claim = v.get("PersistentVolumeClaim", ns, pvc.get("claimName", "")) or {}
            cspec = claim.get("spec") or {}
            templates.append({"metadata": {"name": vol.get("name")}, "spec": {
                "accessModes": cspec.get("accessModes") or ["ReadWriteOnce"],
                **({"storageClassName": cspec["storageClassName"]}
                   if cspec.get("storageClassName") else {}),
                "resources": {"requests": {"storage": claim_size(claim) if claim else "10Gi"}}}})
        if keep:
            tspec["volumes"] = keep
        else:
            tspec.pop("volumes", None)
        template["spec"] = tspec
        sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": name, "namespace": ns},
               "spec": {"serviceName": name, "replicas": 1,
                        "selector": dspec.get("selector") or {}, "template": template,
                        **({"volumeClaimTemplates": templates} if templates else {})}}
        return ("# a Deployment can run two of it on one volume (a rollout starts the new pod "
                "before\n# the old one stops): a StatefulSet gives one pod its own claim, "
                "in order.\n# Better still, a managed database outside the cluster. Move "
                "the data before switching:\n" + dump(sts))

    return [Finding("database-deployment", WARNING, kind, ns, name,
                    f"runs {image_name(found.get('image', ''))} as a Deployment", evidence,
                    make_fix=fix)]


def latest_tag(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    if not template_subject(kind, obj):
        return []
    m, spec = meta(obj), pod_template(kind, obj)[1]
    bad = [c for c in all_containers(spec) if image_tag(c.get("image", "")) in ("", "latest")]
    if not bad:
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    evidence = tuple(f"container {c.get('name')}: image {c.get('image')}"
                     + ("" if image_tag(c.get("image", "")) else " (no tag: latest)")
                     for c in bad)

    def fix() -> str:
        items = []
        for c in bad:
            digest = v.image_id(kind, ns, name, c.get("name", ""))
            base = c.get("image", "").rsplit(":", 1)[0] if image_tag(c.get("image", "")) \
                else c.get("image", "")
            items.append({"name": c.get("name", ""),
                          "image": f"{base}@{digest.split('@', 1)[1]}" if digest and "@" in
                          digest else f"{base}:<version>"})
        return patch_fix(kind, ns, name, spec_patch(kind, {"containers": items}),
                         "pin the image (the digest is what runs now, where kubetui saw it)")

    images = ", ".join(c.get("image", "") for c in bad)
    return [Finding("latest-tag", WARNING, kind, ns, name,
                    f"unpinned image{'s' if len(bad) > 1 else ''}: {images}", evidence,
                    make_fix=fix)]
