"""Discovery documents: /version, /api, /apis, /api/v1, /apis/<group>/<version>.
Plain JSON only: kubectl asks for aggregated discovery first and falls back to these."""

from __future__ import annotations

from .resources import Registry

GIT_VERSION = "v1.36.2"  # what the captured real server runs (tests/fixtures/real-k8s)

VERSION = {  # its /version's fields (1.34+ adds the emulation and compatibility versions)
    "major": "1", "minor": "36", "emulationMajor": "1", "emulationMinor": "36",
    "minCompatibilityMajor": "1", "minCompatibilityMinor": "35", "gitVersion": GIT_VERSION,
    "gitCommit": "8e16b12fda0a6cfb2b0ed8c5c2f2f1a3a4c9d7e2", "gitTreeState": "clean",
    "buildDate": "2026-11-12T10:04:51Z", "goVersion": "go1.26.6", "compiler": "gc",
    "platform": "linux/amd64",
}

_SUB_VERBS = {
    "status": ["get", "patch", "update"],
    "scale": ["get", "patch", "update"],
    "log": ["get"],
    "exec": ["create", "get"],
    "attach": ["create", "get"],
    "portforward": ["create", "get"],
    "binding": ["create"],
    "eviction": ["create"],
    "ephemeralcontainers": ["get", "patch", "update"],
    "proxy": ["create", "delete", "get", "patch", "update"],
    "finalize": ["update"],
    "token": ["create"],
}
_SUB_KIND = {
    "scale": ("autoscaling", "v1", "Scale"),
    "eviction": ("policy", "v1", "Eviction"),
    "binding": ("", "", "Binding"),
    "token": ("authentication.k8s.io", "v1", "TokenRequest"),
    "proxy": ("", "", "PodProxyOptions"),
    "exec": ("", "", "PodExecOptions"),
    "attach": ("", "", "PodAttachOptions"),
    "portforward": ("", "", "PodPortForwardOptions"),
    "log": ("", "", "Pod"),
}


def api_versions(server_address: str) -> dict:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group_list(reg: Registry) -> dict:
    out = []
    for name, versions in reg.groups().items():
        vs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        out.append({"name": name, "versions": vs, "preferredVersion": vs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}


def api_group(reg: Registry, name: str) -> dict | None:
    versions = reg.groups().get(name)
    if not versions:
        return None
    vs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": vs,
            "preferredVersion": vs[0]}


def resource_list(reg: Registry, group: str, version: str) -> dict | None:
    entries = []
    for r in reg.all():
        if r.group != group or r.version != version:
            continue
        entry = {"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced,
                 "kind": r.kind, "verbs": list(r.verbs)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        entries.append(entry)
        for sub in r.subresources:
            g, v, kind = _SUB_KIND.get(sub, ("", "", r.kind))
            if sub == "proxy":  # NodeProxyOptions, ServiceProxyOptions, PodProxyOptions
                kind = f"{r.kind}ProxyOptions"
            e = {"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                 "kind": kind, "verbs": _SUB_VERBS.get(sub, ["get"])}
            if g:
                e["group"], e["version"] = g, v
            entries.append(e)
    if not entries:
        return None
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": entries}
