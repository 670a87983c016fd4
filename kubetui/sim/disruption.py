"""PodDisruptionBudgets and the Eviction API, as kube-controller-manager's disruption
controller and the API server's `pods/eviction` handler (pkg/registry/core/pod/storage/
eviction.go) do them: the controller writes each PDB's status (expectedPods,
desiredHealthy, currentHealthy, disruptionsAllowed, the DisruptionAllowed condition) from
its selector and the pods' readiness; an eviction is a graceful delete when the budget
allows it, else 429 TooManyRequests with the budget's numbers."""

from __future__ import annotations

import math
import time

import orjson
from aiohttp import web

from kubetui.render.age import parse_time

from .controller import Controller, controller_ref, set_condition
from .json_body import json_response
from .meta import ApiError, bad_request, deep_copy, now_rfc3339
from .replicaset import pod_is_ready as pod_ready
from .resources import BY_KIND
from .selectors import selector_matches
from .store import Change

PDBS = BY_KIND["PodDisruptionBudget"]
PODS = BY_KIND["Pod"]
# pods' controllers whose scale counts as the expected number of pods
SCALED = {"ReplicaSet": BY_KIND["ReplicaSet"], "StatefulSet": BY_KIND["StatefulSet"],
          "Deployment": BY_KIND["Deployment"]}
VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget."
TWO_BUDGETS = ("This pod has more than one PodDisruptionBudget, which the eviction "
               "subresource does not support.")
DISRUPTED_TIMEOUT = 120.0  # seconds an evicted pod stays out of currentHealthy (the real 2m)


def _scaled(value, total: int, round_up: bool) -> int:
    """An IntOrString against `total` (intstr.GetScaledValueFromIntOrPercent)."""
    if isinstance(value, str) and value.endswith("%"):
        share = int(value[:-1]) * total / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


class DisruptionController(Controller):
    """Keeps every PDB's status, and serves `pods/NAME/eviction`."""

    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)
        sim.subresource_handlers[(PODS.key, "eviction")] = self.handle

    def on_change(self, change: Change) -> None:
        if change.res is PDBS:
            meta = change.obj["metadata"]
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is PODS:
            ns = change.obj["metadata"]["namespace"]
            labels = change.obj["metadata"].get("labels") or {}
            for pdb in self.store.list(PDBS, ns):
                if self._selects(pdb, labels):
                    self.enqueue((ns, pdb["metadata"]["name"]))

    @staticmethod
    def _selects(pdb: dict, labels: dict) -> bool:
        selector = (pdb.get("spec") or {}).get("selector")
        if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
            return False  # an empty selector matches nothing (policy/v1)
        return selector_matches(selector, labels)

    def pods_of(self, pdb: dict) -> list[dict]:
        ns = pdb["metadata"]["namespace"]
        return [p for p in self.store.list(PODS, ns)
                if self._selects(pdb, p["metadata"].get("labels") or {})]

    def _expected(self, pods: list[dict]) -> int:
        """The sum of the scales of the pods' controllers (each counted once)."""
        seen, total = set(), 0
        for pod in pods:
            ref = controller_ref(pod)
            res = SCALED.get((ref or {}).get("kind", ""))
            if ref is None or res is None or ref["uid"] in seen:
                continue
            seen.add(ref["uid"])
            owner = self.store.get(res, pod["metadata"]["namespace"], ref["name"])
            if owner is None:
                continue
            oref = controller_ref(owner) if res.kind == "ReplicaSet" else None
            if oref is not None and oref.get("kind") == "Deployment":  # the deployment's scale
                if oref["uid"] in seen:
                    continue
                seen.add(oref["uid"])
                owner = self.store.get(SCALED["Deployment"], pod["metadata"]["namespace"],
                                       oref["name"]) or owner
            total += (owner.get("spec") or {}).get("replicas", 1)
        return total

    def sync(self, key) -> None:
        ns, name = key
        pdb = self.store.get(PDBS, ns, name)
        if pdb is None:
            return
        spec, old = pdb.get("spec") or {}, pdb.get("status") or {}
        pods = self.pods_of(pdb)
        now = time.time()
        disrupted = {}
        names = {p["metadata"]["name"]: p for p in pods}
        for pod_name, when in (old.get("disruptedPods") or {}).items():
            pod = names.get(pod_name)
            if pod is not None and not pod["metadata"].get("deletionTimestamp") and \
                    now - _epoch(when) < DISRUPTED_TIMEOUT:
                disrupted[pod_name] = when
        healthy = sum(1 for p in pods if pod_ready(p) and not p["metadata"].get(
            "deletionTimestamp") and p["metadata"]["name"] not in disrupted)
        if "maxUnavailable" in spec and spec["maxUnavailable"] is not None:
            expected = self._expected(pods)
            desired = max(0, expected - _scaled(spec["maxUnavailable"], expected, True))
        elif isinstance(spec.get("minAvailable"), str):
            expected = self._expected(pods)
            desired = _scaled(spec["minAvailable"], expected, True)
        else:
            expected = len(pods)
            desired = int(spec.get("minAvailable") or 0) if "minAvailable" in spec else 0
        allowed = max(0, healthy - desired) if expected > 0 else 0
        status = deep_copy(old)
        status.update({"observedGeneration": pdb["metadata"].get("generation", 1),
                       "expectedPods": expected, "desiredHealthy": desired,
                       "currentHealthy": healthy, "disruptionsAllowed": allowed})
        if disrupted:
            status["disruptedPods"] = disrupted
        else:
            status.pop("disruptedPods", None)
        set_condition(status, "DisruptionAllowed", "True" if allowed > 0 else "False",
                      "SufficientPods" if allowed > 0 else "InsufficientPods", "",
                      now_rfc3339())
        for c in status["conditions"]:
            c.setdefault("message", "")
            c["observedGeneration"] = status["observedGeneration"]
        if status != old:
            pdb = deep_copy(pdb)
            pdb["status"] = status
            self.store.replace(PDBS, pdb)
        if disrupted:  # an entry that times out frees the budget again
            self.sim.defer(lambda: self.enqueue(key), DISRUPTED_TIMEOUT)

    # ---------------------------------------------------------------- eviction
    async def handle(self, request: web.Request, route) -> web.Response:
        if request.method != "POST":
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        raw = await request.read()
        body = self._body(raw, request.headers.get("Content-Type", ""))
        if (body.get("metadata") or {}).get("name") != route.name:
            raise bad_request("name in URL does not match name in Eviction object")
        options = dict(body.get("deleteOptions") or {})
        dry = request.query.getall("dryRun", []) or options.get("dryRun") or []
        code, status = self.evict(route.namespace, route.name, options, bool(dry))
        return json_response(status, code)

    @staticmethod
    def _body(raw: bytes, ctype: str) -> dict:
        if not raw:
            raise bad_request("the body of the request must be an Eviction")
        if "protobuf" in ctype:  # kubectl drain sends JSON; protobuf schemas: not here
            raise ApiError(415, "UnsupportedMediaType",
                           "the simulated cluster reads JSON bodies only, not protobuf")
        try:
            body = orjson.loads(raw)
        except (ValueError, orjson.JSONDecodeError) as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from exc
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be an Eviction")
        return body

    def evict(self, ns: str, name: str, options: dict, dry: bool) -> tuple[int, dict]:
        """(HTTP code, Status body), as eviction.go answers; errors raise ApiError."""
        pod = self.store.must_get(PODS, ns, name)
        ok = (201, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Success", "code": 201})
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed", "Pending") or pod["metadata"].get(
                "deletionTimestamp"):
            if not dry:  # the budget does not apply: a plain delete
                self.api.delete(PODS, ns, name, options)
            return ok
        labels = pod["metadata"].get("labels") or {}
        pdbs = [p for p in self.store.list(PDBS, ns) if self._selects(p, labels)]
        if len(pdbs) > 1:
            return 500, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Failure", "message": TWO_BUDGETS, "code": 500}
        if pdbs:
            pdb = pdbs[0]
            st = pdb.get("status") or {}
            if not (not pod_ready(pod) and st.get("currentHealthy", 0) >= st.get(
                    "desiredHealthy", 0) and st.get("desiredHealthy", 0) > 0):
                self._check_and_decrement(pdb, name, dry)
        if not dry:
            self.api.delete(PODS, ns, name, options)
        return ok

    def _check_and_decrement(self, pdb: dict, pod_name: str, dry: bool) -> None:
        st, name = pdb.get("status") or {}, pdb["metadata"]["name"]
        if st.get("observedGeneration", 0) < pdb["metadata"].get("generation", 1):
            raise too_many(f"The disruption budget {name} is still being processed by the "
                           "server.", 10)
        if st.get("disruptionsAllowed", 0) == 0:
            raise too_many(f"The disruption budget {name} needs {st.get('desiredHealthy', 0)}"
                           f" healthy pods and has {st.get('currentHealthy', 0)} currently")
        if dry:
            return
        pdb = deep_copy(pdb)
        status = pdb["status"]
        status["disruptionsAllowed"] -= 1
        if status["disruptionsAllowed"] == 0:
            set_condition(status, "DisruptionAllowed", "False", "InsufficientPods", "",
                          now_rfc3339())
        status.setdefault("disruptedPods", {})[pod_name] = now_rfc3339()
        self.store.replace(PDBS, pdb)


def too_many(cause: str, retry_after: int = 0) -> ApiError:
    """errors.NewTooManyRequests with the DisruptionBudget cause."""
    details: dict = {"causes": [{"reason": "DisruptionBudget", "message": cause}]}
    headers = {}
    if retry_after:
        details["retryAfterSeconds"] = retry_after
        headers["Retry-After"] = str(retry_after)
    return ApiError(429, "TooManyRequests", VIOLATES, details, headers)


def _epoch(stamp: str) -> float:
    return parse_time(stamp) or 0.0
