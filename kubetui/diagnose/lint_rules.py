"""The footgun rules: the seed's "Common footguns" and its "Gotcha" notes, each a pure
function from one object (and what the engine's view `v` lets it read: the pods of a
workload, a ServiceAccount, a ConfigMap's change time ...) to findings. Every finding
names the object, says what is wrong in one line, shows the fields and values it saw,
and carries the fix as a YAML snippet for that object (built on demand).

The rules about pods are in `lint_workloads`; here the rules about Services,
namespaces, claims, HPAs, CronJobs and StatefulSets, and the registry, in the seed's
order."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from kubetui.render.age import human_duration, parse_time
from kubetui.render.json_types import Obj

# what the engine, the reports and the screens take from here  # noqa: F401
from .lint_base import (  # noqa: F401
    ERROR,
    INFO,
    RANK,
    RUNTIME_KINDS,
    TEMPLATE_KINDS,
    WARNING,
    WORKLOADS,
    Finding,
    LintView,
    Rule,
    ago_text,
    all_containers,
    claim_size,
    dump,
    image_tag,
    is_ready,
    key_of,
    kind_word,
    meta,
    patch_fix,
    pod_owner,
    pod_started,
    pod_template,
    quantity_or_none,
    selector_matches,
    spec_patch,
    sts_claim,
    template_subject,
)
from .lint_stale_config import config_changed, config_refs, stale_config  # noqa: F401
from .lint_workloads import (  # noqa: F401
    database_deployment,
    default_service_account,
    latest_tag,
    liveness_probe,
    missing_requests,
    readiness_without_liveness,
    tight_memory_limit,
)


# -- 6 nodeport
def nodeport(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    ns, name = m.get("namespace", ""), m.get("name", "")
    kind_ = spec.get("type", "ClusterIP")
    ports = [p.get("nodePort") for p in spec.get("ports") or () if p.get("nodePort")]
    if kind_ == "NodePort":
        evidence: tuple[str, ...] = (
            f"type: NodePort, nodePort {', '.join(map(str, ports)) or '(allocated)'}",)

        def fix() -> str:
            return patch_fix(kind, ns, name, {"spec": {"type": "ClusterIP"}},
                             "reach it through an Ingress (or a LoadBalancer with "
                             "loadBalancerSourceRanges)")

        return [Finding("nodeport", WARNING, kind, ns, name,
                        f"NodePort: open on every node at port "
                        f"{', '.join(map(str, ports)) or '(allocated)'}", evidence,
                        make_fix=fix)]
    annotations = m.get("annotations") or {}
    if kind_ == "LoadBalancer" and not spec.get("loadBalancerSourceRanges") and not \
            annotations.get("service.beta.kubernetes.io/load-balancer-source-ranges"):
        evidence = ("type: LoadBalancer", "loadBalancerSourceRanges: (unset: 0.0.0.0/0)")

        def fix() -> str:
            return patch_fix(kind, ns, name, {"spec": {"loadBalancerSourceRanges": [
                "203.0.113.0/24"]}}, "the addresses that may reach it (example range)")

        return [Finding("nodeport", WARNING, kind, ns, name,
                        "LoadBalancer open to every address (no loadBalancerSourceRanges)",
                        evidence, make_fix=fix)]
    return []


# -- 8 namespace-stuck
STUCK_AFTER = 60.0  # seconds Terminating before "stuck" without the conditions saying so
STUCK_CONDITIONS = ("NamespaceFinalizersRemaining", "NamespaceContentRemaining",
                    "NamespaceDeletionDiscoveryFailure", "NamespaceDeletionContentFailure",
                    "NamespaceDeletionGroupVersionParsingFailure")


def namespace_stuck(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m = meta(obj)
    deleted = parse_time(m.get("deletionTimestamp"))
    if deleted is None:
        return []
    name, now = m.get("name", ""), v.now
    conds = {c.get("type"): c for c in (obj.get("status") or {}).get("conditions") or ()
             if c.get("status") == "True" and c.get("type") in STUCK_CONDITIONS}
    if not conds and now - deleted < STUCK_AFTER:
        return []
    holders = v.deleting_in(name)
    finalizers = re.findall(r"([\w./-]+) in \d+ resource instances",
                            (conds.get("NamespaceFinalizersRemaining") or {}).get("message", ""))
    finalizers += [f for _, o in holders for f in meta(o).get("finalizers") or ()]
    finalizers = list(dict.fromkeys(finalizers))
    remaining = re.findall(r"(\S+?)\.\S* has (\d+) resource instances",
                           (conds.get("NamespaceContentRemaining") or {}).get("message", ""))
    what = (f"waiting on finalizers {', '.join(finalizers)}" if finalizers else
            "waiting on " + ", ".join(c for c in conds) if conds else
            "content left, still being deleted")
    message = (f"Terminating for {human_duration(now - deleted)}, {what}" +
               (f"; left: {', '.join(f'{n} {r}' for r, n in remaining)}" if remaining else ""))
    evidence = (f"deletionTimestamp: {m.get('deletionTimestamp')}",
                *(f"condition {t}: {c.get('message', '')}" for t, c in conds.items()),
                *(f"{k} {key_of(meta(o).get('namespace'), meta(o).get('name', ''))}: "
                  f"finalizers {', '.join(meta(o).get('finalizers') or ())}"
                  for k, o in holders[:10]),
                "spec.finalizers: "
                f"{', '.join((obj.get('spec') or {}).get('finalizers') or ()) or '-'}")

    def fix() -> str:
        lines = ["# first make sure what the finalizers wait for is gone (or can never "
                 "come back),", "# then let go of each object that still holds the "
                 "namespace:"]
        for k, o in holders:
            lines.append(f"# kubectl -n {name} patch {kind_word(k)} {meta(o).get('name')} "
                         "--type merge -p '{\"metadata\":{\"finalizers\":null}}'")
        if not holders:
            lines.append(f"# kubectl api-resources --verbs=list --namespaced -o name | "
                         f"xargs -n1 kubectl get -n {name} --ignore-not-found "
                         "--show-kind  # what is left")
        lines.append("# the merge patch for each of them:")
        return "\n".join(lines) + "\n" + dump({"metadata": {"finalizers": None}})

    return [Finding("namespace-stuck", ERROR, kind, "", name, message, evidence,
                    make_fix=fix)]


def orphan_pvc(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m = meta(obj)
    if m.get("deletionTimestamp"):
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    if v.claim_users(ns, name):
        return []
    now = v.now
    created = parse_time(m.get("creationTimestamp"))
    size, phase = claim_size(obj), (obj.get("status") or {}).get("phase", "Pending")
    evidence = [f"status.phase: {phase}" + (f", volume {(obj.get('spec') or {}).get('volumeName')}"
                                            if (obj.get("spec") or {}).get("volumeName") else ""),
                f"size {size}, created {ago_text(created, now)}", "mounted by: no pod"]
    owner, why = None, "mounted by no pod"
    for sts in v.in_ns("StatefulSet", ns):
        ordinal = sts_claim(name, sts)
        if ordinal is None:
            continue
        owner = meta(sts).get("name", "")
        replicas = (sts.get("spec") or {}).get("replicas", 1)
        if ordinal >= replicas:
            why = f"left by a scale-down of StatefulSet {owner} (replicas {replicas})"
        else:
            why = f"its pod {owner}-{ordinal} is not there"
        break
    else:
        app = (m.get("labels") or {}).get("app")
        if app and re.fullmatch(rf".+-{re.escape(app)}-\d+", name):
            why = f"outlived its StatefulSet {app} (none of that name is left)"
    if why != "mounted by no pod":
        evidence.append(why)

    def fix() -> str:
        lines = ["# nothing mounts it: check what it holds, then delete it (its volume goes "
                 "too if the", "# storage class reclaims with Delete), or say in an "
                 "annotation why it stays:",
                 f"# kubectl -n {ns} delete pvc {name}"]
        if owner:
            lines.append(f"# and have StatefulSet {owner} clean up after itself:")
            return "\n".join(lines) + "\n" + dump({"spec": {
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete",
                                                         "whenScaled": "Delete"}}})
        return "\n".join(lines) + "\n" + dump({"metadata": {"annotations": {
            "kubetui.dev/kept-because": "<why it stays>"}}})

    return [Finding("orphan-pvc", WARNING, kind, ns, name,
                    f"{size} claim {why}, {human_duration(now - created) if created else '?'} "
                    "old", tuple(evidence), make_fix=fix)]


# -- 10 hpa-without-requests
def hpa_without_requests(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    ns, name = m.get("namespace", ""), m.get("name", "")
    wants: list[tuple[str, str]] = []  # (resource, container or "")
    for metric in spec.get("metrics") or ():
        t = metric.get("type")
        src = metric.get("resource") if t == "Resource" else \
            metric.get("containerResource") if t == "ContainerResource" else None
        if src and (src.get("target") or {}).get("type") == "Utilization":
            wants.append((src.get("name", ""), src.get("container", "")))
    cond = next((c for c in (obj.get("status") or {}).get("conditions") or ()
                 if c.get("type") == "ScalingActive" and c.get("status") == "False"
                 and c.get("reason") == "FailedGetResourceMetric"), None)
    ref = spec.get("scaleTargetRef") or {}
    target = v.get(ref.get("kind", ""), ns, ref.get("name", "")) if ref.get("kind") in (
        "Deployment", "StatefulSet", "ReplicaSet") else None
    lacking: list[tuple[str, str]] = []
    if target is not None:
        tspec = pod_template(ref["kind"], target)[1]
        for resource, only in wants:
            for c in all_containers(tspec, init=False):
                if only and c.get("name") != only:
                    continue
                res = c.get("resources") or {}
                if resource not in (res.get("requests") or {}) and \
                        resource not in (res.get("limits") or {}):
                    lacking.append((c.get("name", ""), resource))
    # the controller's own word counts when the target cannot be read here; when it can,
    # its template is the truth (the condition lags until the controller's next sync)
    said = cond is not None and "missing request" in cond.get("message", "") and target is None
    if not lacking and not said:
        return []
    tkind, tname = ref.get("kind", ""), ref.get("name", "")
    resources = sorted({r for _, r in lacking} or set(re.findall(
        r"missing request for (\w+)", cond.get("message", "") if cond else "")))
    message = (f"scales {tkind} {tname} on {' and '.join(resources) or 'utilization'} "
               "as a share of requests it does not set: no metric, no scaling")
    evidence = (*(f"metric: {r} Utilization" + (f" (container {c})" if c else "")
                  for r, c in wants),
                *(f"{tkind} {ns}/{tname} container {c}: no {r} request" for c, r in lacking),
                *([f"condition ScalingActive=False FailedGetResourceMetric: "
                   f"{cond.get('message', '')}"] if cond else []))

    def fix() -> str:
        by_container: dict[str, Obj] = {}
        for c, r in lacking:
            by_container.setdefault(c, {})[r] = "100m" if r == "cpu" else "128Mi"
        doc = spec_patch(tkind, {"containers": [{"name": c, "resources": {"requests": req}}
                                                for c, req in by_container.items()]})
        return patch_fix(tkind, ns, tname, doc, f"HPA {name} scales on utilization: a "
                         "percentage of these requests (set them from kubectl top)")

    return [Finding("hpa-without-requests", ERROR, kind, ns, name, message, evidence,
                    make_fix=fix)]


# -- cronjob-overlap (a gotcha)
def _job_span(job: Obj, now: float) -> tuple[float, float] | None:
    st = job.get("status") or {}
    start = parse_time(st.get("startTime")) or parse_time(meta(job).get("creationTimestamp"))
    if start is None:
        return None
    end = parse_time(st.get("completionTime"))
    if end is None:
        done = [parse_time(c.get("lastTransitionTime")) for c in st.get("conditions") or ()
                if c.get("type") in ("Complete", "Failed") and c.get("status") == "True"]
        end = next((t for t in done if t), None)
    return start, end if end is not None else now


def cronjob_overlap(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy != "Allow":
        return []
    ns, name, now = m.get("namespace", ""), m.get("name", ""), v.now
    active = [a.get("name", "") for a in (obj.get("status") or {}).get("active") or ()]
    spans = sorted((s, meta(j).get("name", "")) for j in v.jobs_of(ns, name)
                   if (s := _job_span(j, now)))
    overlaps = [(a, b) for (sa, a), (sb, b) in pairwise(spans) if sb[0] < sa[1] - 1]
    if len(active) < 2 and not overlaps:
        return []
    evidence = (f"schedule {spec.get('schedule', '?')}, concurrencyPolicy "
                f"{spec.get('concurrencyPolicy') or '(unset: Allow)'}",
                *([f"running now: {', '.join(active)}"] if active else []),
                *(f"job {b} started before job {a} ended" for a, b in overlaps[-3:]))
    message = (f"{len(active)} runs at once ({', '.join(active[:3])})" if len(active) >= 2
               else f"runs overlapped ({overlaps[-1][0]} and {overlaps[-1][1]})")

    def fix() -> str:
        return patch_fix(kind, ns, name, {"spec": {
            "concurrencyPolicy": "Forbid", "jobTemplate": {"spec": {
                "activeDeadlineSeconds": 3300}}}},
            "one run at a time (Replace stops the old one instead); a run may not "
            "outlast the schedule (example: under an hour)")

    return [Finding("cronjob-overlap", WARNING, kind, ns, name,
                    f"concurrencyPolicy Allow and its {message}", evidence, make_fix=fix)]


def selector_no_pods(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector or spec.get("type") == "ExternalName":
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    members = v.members(ns, name)
    wanted = ",".join(f"{k}={val}" for k, val in selector.items())
    if members:
        ready = [p for p in members if is_ready(p)]
        if ready:
            return []
        evidence: tuple[str, ...] = (f"selector {wanted}", f"{len(members)} pods match, 0 Ready: "
                    + ", ".join(meta(p).get("name", "") for p in members[:5]))
        return [Finding("selector-no-pods", WARNING, kind, ns, name,
                        f"selects {len(members)} pods, none Ready: no endpoints", evidence,
                        make_fix=lambda: "# nothing to change here: look at why its pods "
                        "are not Ready (c opens the checklist)\n" + dump(
                            {"spec": {"selector": dict(selector)}}))]
    near = []  # pods that carry all but one of the labels: the labels drifted
    for p in v.in_ns("Pod", ns):
        labels = meta(p).get("labels") or {}
        off = [k for k, val in selector.items() if labels.get(k) != val]
        if len(off) == 1 and len(selector) > 1:
            near.append((p, off[0], labels.get(off[0])))
    evidence = (f"selector {wanted}", "no pod in the namespace has these labels",
                *(f"pod {meta(p).get('name')} has {k}={got if got is not None else '(none)'}"
                  for p, k, got in near[:5]))
    drift: Obj = {}
    for _, k, got in near:
        if got is not None:
            drift.setdefault(k, got)

    def fix() -> str:
        if drift:
            return patch_fix(kind, ns, name, {"spec": {"selector": {**selector, **drift}}},
                             "select what the pods carry now (or put the label back on "
                             "the pods' template)")
        return ("# no pod is even close: check the workload that should serve it\n"
                + dump({"spec": {"selector": dict(selector)}}))

    return [Finding("selector-no-pods", ERROR, kind, ns, name,
                    f"selects {wanted}: no pod matches" + (" (labels drifted)" if near
                                                           else ""), evidence, make_fix=fix)]


# -- sts-pvc-retained
def retained_claims(sts: Obj, pvcs: Iterable[Obj]) -> list[Obj]:
    return sorted((p for p in pvcs if sts_claim(meta(p).get("name", ""), sts) is not None),
                  key=lambda p: meta(p).get("name", ""))


def sts_pvc_retained(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    m, spec = meta(obj), obj.get("spec") or {}
    templates = spec.get("volumeClaimTemplates") or ()
    policy = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    if not templates or policy.get("whenDeleted", "Retain") == "Delete":
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    claims = retained_claims(obj, v.in_ns("PersistentVolumeClaim", ns))
    note = delete_note(obj, claims)
    evidence = (f"volumeClaimTemplates: {', '.join(meta(t).get('name', '') for t in templates)}",
                f"persistentVolumeClaimRetentionPolicy.whenDeleted: "
                f"{policy.get('whenDeleted') or '(unset: Retain)'}",
                *(f"claim {meta(p).get('name')}: {claim_size(p)}" for p in claims[:5]))
    return [Finding("sts-pvc-retained", INFO, kind, ns, name, note, evidence,
                    make_fix=lambda: patch_fix(kind, ns, name, {"spec": {
                        "persistentVolumeClaimRetentionPolicy": {
                            "whenDeleted": "Delete", "whenScaled": "Retain"}}},
                        "delete the claims with it (keep Retain, and write the cleanup "
                        "down, if the data must outlive it)"))]


def delete_note(sts: Obj, claims: list[Obj]) -> str:
    """What deleting a StatefulSet leaves behind (said before a delete, too)."""
    spec = sts.get("spec") or {}
    if not spec.get("volumeClaimTemplates") or (
            spec.get("persistentVolumeClaimRetentionPolicy") or {}).get(
            "whenDeleted", "Retain") == "Delete":
        return ""
    if not claims:
        return "deleting it leaves its claims behind (whenDeleted: Retain)"
    names = ", ".join(meta(p).get("name", "") for p in claims[:4])
    return (f"deleting it leaves {len(claims)} claim{'s' if len(claims) > 1 else ''} behind "
            f"({names}{', ...' if len(claims) > 4 else ''})")


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("missing-requests", WARNING, "Missing resources.requests",
         "Without requests, the scheduler packs Pods onto nodes and OOM-kills them under "
         "load.", TEMPLATE_KINDS, (*TEMPLATE_KINDS,), missing_requests, app_only=True),
    Rule("tight-memory-limit", ERROR, "Overly tight limits.memory",
         "OOMKilled loops. JVMs are famously hard to right-size.", RUNTIME_KINDS,
         (*RUNTIME_KINDS,), tight_memory_limit),
    Rule("liveness-probe", ERROR, "Wrong liveness probe",
         "A heavy /live endpoint causes cascading restarts under load. Keep liveness cheap "
         "and independent of external deps.", TEMPLATE_KINDS, (*TEMPLATE_KINDS, "Event"),
         liveness_probe),
    Rule("readiness-without-liveness", WARNING, "Readiness without liveness",
         "Pod never gets traffic but also never restarts. Both probes serve different "
         "roles.", TEMPLATE_KINDS, (*TEMPLATE_KINDS,), readiness_without_liveness,
         app_only=True),
    Rule("default-service-account", WARNING, "Default ServiceAccount used by app Pods",
         "Grants cluster-wide read access by default in some distributions. Use explicit "
         "ServiceAccounts.", TEMPLATE_KINDS, (*TEMPLATE_KINDS, "ServiceAccount"),
         default_service_account, app_only=True),
    Rule("nodeport", WARNING, "NodePort exposed to the internet",
         "Doesn't go through a load balancer; bypasses most ingress features.",
         ("Service",), ("Service",), nodeport),
    Rule("stale-config", WARNING, "ConfigMap update that doesn't restart pods",
         "Pods don't automatically roll on ConfigMap changes. Use a checksum annotation on "
         "the Deployment template.", ("Deployment", "StatefulSet", "DaemonSet", "Pod"),
         ("Deployment", "StatefulSet", "DaemonSet", "Pod", "ConfigMap", "Secret"),
         stale_config),
    Rule("namespace-stuck", ERROR, "Namespace deletion stuck on finalizers",
         "Manually patch the finalizer to null or the namespace hangs forever.",
         ("Namespace",), ("Namespace", "ConfigMap", "Secret", "PersistentVolumeClaim", "Pod",
                          "Service", *WORKLOADS), namespace_stuck),
    Rule("orphan-pvc", WARNING, "PVCs that survive unintentionally",
         "Delete the StatefulSet and the PVCs remain. Document cleanup or use a delete "
         "policy.", ("PersistentVolumeClaim",), ("PersistentVolumeClaim", "Pod",
                                                  "StatefulSet"), orphan_pvc),
    Rule("hpa-without-requests", ERROR, "HPA on deployments without requests",
         "HPA computes utilization as a percentage of requests; no requests = no metric = "
         "no scaling.", ("HorizontalPodAutoscaler",),
         ("HorizontalPodAutoscaler", "Deployment", "StatefulSet"), hpa_without_requests),
    Rule("database-deployment", WARNING, "Running a database as a Deployment",
         "Use a StatefulSet, or better, a managed database outside the cluster.",
         ("Deployment",), ("Deployment", "PersistentVolumeClaim"), database_deployment),
    Rule("cronjob-overlap", WARNING, "CronJob runs that pile up",
         "CronJobs can skip or pile up if the previous run hasn't finished. Set "
         "concurrencyPolicy: Forbid unless overlap is safe.", ("CronJob",),
         ("CronJob", "Job"), cronjob_overlap),
    Rule("selector-no-pods", ERROR, "Service selecting no (ready) pod",
         "Services select Pods by label match: a footgun if your labels drift.",
         ("Service",), ("Service", "Pod"), selector_no_pods),
    Rule("sts-pvc-retained", INFO, "StatefulSet claims that deletion leaves behind",
         "The PVC survives Pod deletion. Deleting the StatefulSet does not delete the "
         "PVCs. Clean them up manually.", ("StatefulSet",),
         ("StatefulSet", "PersistentVolumeClaim"), sts_pvc_retained),
    Rule("latest-tag", WARNING, ":latest or untagged images",
         "Pods are cattle, not pets: a replacement may pull another image than its "
         "siblings run, and a rollback has no version to go back to.", TEMPLATE_KINDS,
         (*TEMPLATE_KINDS,),
         latest_tag, app_only=True),
)}

__all__ = [
    'quantity_or_none',
    'config_changed',
    'config_refs',
    'delete_note',
    'ERROR',
    'Finding',
    'image_tag',
    'INFO',
    'is_ready',
    'meta',
    'pod_owner',
    'pod_started',
    'RANK',
    'retained_claims',
    'Rule',
    'RULES',
    'selector_matches',
    'sts_claim',
    'template_subject',
    'WARNING',
]
