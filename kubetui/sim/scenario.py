"""Scenarios are plain Kubernetes YAML. `cluster/` holds what only the sim needs (nodes,
the control plane's static pods); the other files are what a real cluster can apply too.

`later/` is what happens to a scenario once it runs, as a person would do it with
kubectl some time after `kubectl apply -f` (`kubetui kind-demo up` does the same):
`later/apply/*.yaml` are applied and `later/delete/*.yaml` deleted (without waiting),
LATER_SECONDS of simulated time after the scenario loads."""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path

import yaml

from .meta import ApiError
from .resources import BY_KIND

# Cluster-scoped and namespace kinds first, so namespaced objects find their namespace.
_ORDER = {"Namespace": 0, "Node": 1}
LATER = "later"
LATER_SECONDS = 60.0  # after the load: the scenario's pods have started by then
APPLIED_BY = "kubectl-client-side-apply"  # the field manager `kubectl apply` writes as


def scenario_dir(name: str) -> Path:
    path = Path(name)
    if path.is_dir():
        return path
    return Path(str(importlib_resources.files("kubetui.sim") / "scenarios" / name))


def scenario_names() -> list[str]:
    root = Path(str(importlib_resources.files("kubetui.sim") / "scenarios"))
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def read_documents(path: Path, skip: str | None = None) -> list[dict]:
    files = sorted(f for f in path.rglob("*.yaml") if skip is None or skip not in
                   f.relative_to(path).parts[:1]) if path.is_dir() else [path]
    docs: list[dict] = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for doc in yaml.safe_load_all(fh):
                if not doc:
                    continue
                if doc.get("kind") == "List":
                    docs.extend(doc.get("items") or [])
                else:
                    docs.append(doc)
    return docs


def load(api, name: str, later=None) -> int:
    """Create every object of a scenario (a name shipped with kubetui, or a folder);
    `later(seconds, fn)` schedules its `later/` step (none without it)."""
    path = scenario_dir(name)
    if not path.exists():
        raise FileNotFoundError(f"no scenario {name!r} (shipped: {', '.join(scenario_names())})")
    docs = read_documents(path, skip=LATER)
    docs.sort(key=lambda d: _ORDER.get(d.get("kind") or "", 2))
    created = 0
    for doc in docs:
        res = BY_KIND.get(doc.get("kind", ""))
        if res is None:
            continue  # a kind this sim does not serve yet
        ns = (doc.get("metadata") or {}).get("namespace") or ("default" if res.namespaced
                                                             else None)
        try:
            api.create(res, ns, doc, APPLIED_BY)
            created += 1
        except ApiError as exc:
            if exc.code != 409:
                raise
    if later is not None and (path / LATER).is_dir():
        later(LATER_SECONDS, lambda: run_later(api, path / LATER))
    return created


def _where(res, doc: dict) -> tuple[str | None, str]:
    meta = doc.get("metadata") or {}
    return (meta.get("namespace") or "default") if res.namespaced else None, meta.get("name", "")


def run_later(api, folder: Path) -> None:
    """`kubectl apply -f later/apply/` then `kubectl delete -f later/delete/ --wait=false`."""
    for doc in read_documents(folder / "apply") if (folder / "apply").is_dir() else ():
        res = BY_KIND.get(doc.get("kind", ""))
        if res is None:
            continue
        ns, name = _where(res, doc)
        try:
            if api.store.get(res, ns, name) is None:
                api.create(res, ns, doc, APPLIED_BY)
            else:
                api.patch(res, ns, name, "application/merge-patch+json", doc, None, APPLIED_BY)
        except ApiError:
            pass  # as kubectl would print the error and go on with the next
    for doc in read_documents(folder / "delete") if (folder / "delete").is_dir() else ():
        res = BY_KIND.get(doc.get("kind", ""))
        if res is None:
            continue
        ns, name = _where(res, doc)
        try:
            api.delete(res, ns, name)
        except ApiError:
            pass
