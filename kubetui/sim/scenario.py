"""Scenarios are plain Kubernetes YAML. `cluster/` holds what only the sim needs (nodes,
the control plane's static pods); the other files are what a real cluster can apply too."""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path

import yaml

from .meta import ApiError
from .resources import BY_KIND

# Cluster-scoped and namespace kinds first, so namespaced objects find their namespace.
_ORDER = {"Namespace": 0, "Node": 1}


def scenario_dir(name: str) -> Path:
    path = Path(name)
    if path.is_dir():
        return path
    return Path(str(importlib_resources.files("kubetui.sim") / "scenarios" / name))


def scenario_names() -> list[str]:
    root = Path(str(importlib_resources.files("kubetui.sim") / "scenarios"))
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def read_documents(path: Path) -> list[dict]:
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    docs = []
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


def load(api, name: str) -> int:
    """Create every object of a scenario (a name shipped with kubetui, or a folder)."""
    path = scenario_dir(name)
    if not path.exists():
        raise FileNotFoundError(f"no scenario {name!r} (shipped: {', '.join(scenario_names())})")
    docs = read_documents(path)
    docs.sort(key=lambda d: _ORDER.get(d.get("kind"), 2))
    created = 0
    for doc in docs:
        res = BY_KIND.get(doc.get("kind", ""))
        if res is None:
            continue  # a kind this sim does not serve yet
        ns = (doc.get("metadata") or {}).get("namespace") or ("default" if res.namespaced
                                                             else None)
        try:
            api.create(res, ns, doc)
            created += 1
        except ApiError as exc:
            if exc.code != 409:
                raise
    return created
