"""Rule 7, stale-config: a workload whose pods started before a ConfigMap or Secret it
reads last changed, with nothing that restarts them on a change (a checksum annotation,
a reloader). The change time is the config's managedFields entry that wrote its data."""

from __future__ import annotations

from kubetui.render.age import parse_time
from kubetui.render.json_types import Obj

from .lint_base import (
    WARNING,
    Finding,
    LintView,
    ago_text,
    all_containers,
    kind_word,
    meta,
    meta_patch,
    patch_fix,
    pod_started,
    pod_template,
    template_subject,
)

# -- 7 stale-config
SKIP_CONFIGS = ("kube-root-ca.crt", "openshift-service-ca.crt")
DATA_FIELDS = ("f:data", "f:binaryData", "f:stringData")
RELOADERS = ("reloader.stakater.com/auto", "configmap.reloader.stakater.com/reload",
             "secret.reloader.stakater.com/reload", "reloader.stakater.com/search")


def reload_annotations(m: Obj) -> tuple[str, ...]:
    """The annotations that say a workload's pods restart when its configs change (a
    checksum of them, or a reloader's): what stale-config reads of annotations."""
    return tuple(k for k in (m.get("annotations") or {}) if "checksum" in k or k in RELOADERS)


def config_refs(spec: Obj) -> list[tuple[str, str, str]]:
    """(kind, name, how) of every ConfigMap and Secret a pod spec reads, but the
    cluster's own CA bundles and service account token volumes."""
    out = []
    for c in all_containers(spec):
        for e in c.get("env") or ():
            src = e.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if src.get(key):
                    out.append((kind, src[key].get("name", ""), "env"))
        for e in c.get("envFrom") or ():
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if e.get(key):
                    out.append((kind, e[key].get("name", ""), "envFrom"))
    for vol in spec.get("volumes") or ():
        if vol.get("configMap"):
            out.append(("ConfigMap", vol["configMap"].get("name", ""), "volume"))
        if vol.get("secret"):
            out.append(("Secret", vol["secret"].get("secretName") or
                        vol["secret"].get("name", ""), "volume"))
        for src in (vol.get("projected") or {}).get("sources") or ():
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                if src.get(key):
                    out.append((kind, src[key].get("name", ""), "volume"))
    return [r for r in dict.fromkeys(out) if r[1] and r[1] not in SKIP_CONFIGS]


def config_changed(obj: Obj) -> tuple[float | None, str]:
    """When a ConfigMap's or Secret's data last changed, and by whom: the newest of its
    managedFields entries that own data (or, without field sets, any), else its
    creation. (None: unknown.)"""
    best, who = None, ""
    for mf in meta(obj).get("managedFields") or ():
        if mf.get("subresource"):
            continue
        fields = mf.get("fieldsV1")
        if fields and not any(k in fields for k in DATA_FIELDS):
            continue
        t = parse_time(mf.get("time"))
        if t is not None and (best is None or t > best):
            best, who = t, mf.get("manager", "")
    created = parse_time(meta(obj).get("creationTimestamp"))
    if best is None or (created is not None and created > best):
        return created, "created"
    return best, who


def stale_config(kind: str, obj: Obj, v: LintView) -> list[Finding]:
    if kind not in ("Deployment", "StatefulSet", "DaemonSet", "Pod") or \
            not template_subject(kind, obj):
        return []
    m = meta(obj)
    tmeta, spec = pod_template(kind, obj)
    refs = config_refs(spec)
    if not refs:
        return []
    if reload_annotations(m) or reload_annotations(tmeta):
        return []
    ns, name = m.get("namespace", ""), m.get("name", "")
    pods = [obj] if kind == "Pod" else v.pods_of(kind, ns, name)
    started = [(t, meta(p).get("name", "")) for p in pods if (t := pod_started(p))]
    if not started:
        return []
    stale_refs, old_pods = [], set()
    for ckind, cname, how in refs:
        cfg = v.get(ckind, ns, cname)
        if cfg is None:
            continue
        changed, who = v.config_changed(ckind, ns, cname)
        if changed is None:
            continue
        before = [p for t, p in started if t < changed]  # stamps are in seconds: a
        # pod started in the second the config changed may have read either
        if before:
            stale_refs.append((ckind, cname, how, changed, who))
            old_pods.update(before)
    if not stale_refs:
        return []
    now = v.now
    evidence = tuple(
        f"{ck} {ns}/{cn} ({how}) changed {ago_text(t, now)}" + (f" by {who}" if who and who !=
                                                             "created" else "") +
        (" (created after the pods)" if who == "created" else "")
        for ck, cn, how, t, who in stale_refs) + (
        f"pods started before it: {', '.join(sorted(old_pods)[:5])}"
        f"{' ...' if len(old_pods) > 5 else ''}",)
    files_only = all(how == "volume" for _, _, how, _, _ in stale_refs)
    names = ", ".join(f"{ck} {cn}" for ck, cn, *_ in stale_refs)
    message = (f"{names} changed after {len(old_pods)} of its pods started: "
               + ("they may still read the old files" if files_only else
                  "these pods run the old config"))

    def fix() -> str:
        digest = "<sha256 of the config's data>"
        doc = meta_patch(kind, {"annotations": {"checksum/config": digest}})
        if kind == "Pod":
            return patch_fix(kind, ns, name, doc, "recreate the pod to read the new config")
        where = f"-n {ns} "
        return (f"# now: kubectl {where}rollout restart {kind_word(kind)} {name}\n"
                "# from now on, roll on every change: a checksum of the config in the "
                "template\n# (helm: {{ include (print $.Template.BasePath \"/configmap.yaml\")"
                " . | sha256sum }}), or the Stakater Reloader annotation\n" +
                patch_fix(kind, ns, name, doc))

    return [Finding("stale-config", WARNING, kind, ns, name, message, evidence,
                    make_fix=fix)]
