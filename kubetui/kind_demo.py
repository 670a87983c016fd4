"""`kubetui kind-demo up|down`: the demo on a real kind cluster, for users with Docker.

`up` creates a kind cluster named `kubetui` (one control plane, two workers), applies the
same scenario files the simulated cluster runs (the top level of the demo scenario; its
`cluster/` folder is what kind brings itself), and starts kubetui on it. `down` deletes
the cluster. On a real cluster the problem workloads misbehave through real images and
commands; the `sim.kubetui.dev/behavior` annotations are ignored there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

CLUSTER = "kubetui"
CONTEXT = f"kind-{CLUSTER}"
KIND_CONFIG = """kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - role: worker
  - role: worker
"""


def steps(action: str, manifests: str) -> list[list[str]]:
    """The commands `up` or `down` runs (the kind config path is filled in at run time).
    After the scenario, its `later/` step, as the simulated cluster runs it: once the
    legacy wiki runs, its ConfigMap changes (its pods keep the old one) and the attic
    namespace is deleted (and stays Terminating on a finalizer)."""
    if action == "down":
        return [["kind", "delete", "cluster", "--name", CLUSTER]]
    later = f"{manifests}/later"
    return [["kind", "create", "cluster", "--name", CLUSTER, "--config", "{config}",
             "--wait", "120s"],
            ["kubectl", "--context", CONTEXT, "apply", "-f", manifests],
            ["kubectl", "--context", CONTEXT, "-n", "legacy", "rollout", "status",
             "deployment/wiki", "--timeout=300s"],
            ["kubectl", "--context", CONTEXT, "apply", "-f", f"{later}/apply"],
            ["kubectl", "--context", CONTEXT, "delete", "-f", f"{later}/delete", "--wait=false"]]


def main(argv: list[str], run_tui: Callable[[list[str]], int] | None = None) -> int:
    """`up` ends by running `run_tui` (the CLI's main, handed in: this module does not
    import the CLI that imports it) on the new context."""
    from .sim.scenario import scenario_dir

    action = argv[0] if argv else ""
    if action not in ("up", "down") or len(argv) > 2 or argv[1:] not in ([], ["--dry-run"]):
        print("usage: kubetui kind-demo up|down [--dry-run]", file=sys.stderr)
        return 2
    dry = "--dry-run" in argv
    manifests = str(scenario_dir("demo"))
    missing = [tool for tool in ("kind", "kubectl", "docker") if shutil.which(tool) is None]
    if missing and not dry:
        print(f"kubetui: kind-demo needs {', '.join(missing)} on PATH (kind runs the cluster "
              "in Docker). Without them, try the built-in simulated cluster: kubetui --demo",
              file=sys.stderr)
        return 1
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="kubetui-kind-") as cfg:
        cfg.write(KIND_CONFIG)
        cfg.flush()
        for cmd in steps(action, manifests):
            cmd = [part.replace("{config}", cfg.name) for part in cmd]
            print("+ " + " ".join(cmd), flush=True)
            if not dry and subprocess.run(cmd).returncode != 0:
                print(f"kubetui: {cmd[0]} failed; see its output above", file=sys.stderr)
                return 1
    if action == "up":
        print(f"+ kubetui --context {CONTEXT}", flush=True)
        if not dry and run_tui is not None:
            return run_tui(["--context", CONTEXT])
    return 0
