"""The HorizontalPodAutoscaler controller (autoscaling/v2, resource metrics only): every
15 simulated seconds it reads the target's pods' usage from the sim's metrics, writes
currentMetrics and the conditions, and scales the target through its /scale within
min and max replicas, as the real controller does."""

from __future__ import annotations

import math
import time

from kubetui.render.quantity import parse_quantity

from .controller import Controller, set_condition
from .meta import ApiError, deep_copy, now_rfc3339
from .metrics import container_usage
from .resources import BY_KIND
from .selectors import selector_matches

HPAS, PODS = BY_KIND["HorizontalPodAutoscaler"], BY_KIND["Pod"]
TOLERANCE = 0.1


class HpaController(Controller):
    period = 15.0

    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)
        sim.after(1.0, self._tick)

    def on_change(self, change) -> None:
        if change.res is HPAS and change.old is None:
            meta = change.obj["metadata"]
            self.enqueue((meta["namespace"], meta["name"]))

    def _tick(self) -> None:
        for h in self.store.list(HPAS):
            self.enqueue((h["metadata"]["namespace"], h["metadata"]["name"]))
        self.sim.after(self.period, self._tick)

    def sync(self, key) -> None:
        hpa = self.store.get(HPAS, *key)
        if hpa is None:
            return
        ns, spec = key[0], hpa["spec"]
        ref = spec.get("scaleTargetRef") or {}
        target_res = BY_KIND.get(ref.get("kind", ""))
        status, now = deep_copy(hpa.get("status") or {}), now_rfc3339()
        target = self.store.get(target_res, ns, ref.get("name", "")) if target_res else None
        if target is None:
            set_condition(status, "AbleToScale", "False", "FailedGetScale",
                          f'the HPA controller was unable to get the target\'s current scale: '
                          f'{(ref.get("kind") or "").lower()}s.apps "{ref.get("name")}" not '
                          "found", now)
            return self._write(hpa, status)
        replicas = target["spec"].get("replicas", 1)
        pods = [p for p in self.store.list(PODS, ns)
                if selector_matches(target["spec"].get("selector"), p["metadata"].get("labels"))
                and (p.get("status") or {}).get("phase") == "Running"]
        current_metrics, ratios = [], []
        for m in spec.get("metrics") or ():
            if m.get("type") != "Resource":
                continue
            name = m["resource"]["name"]
            goal = (m["resource"].get("target") or {}).get("averageUtilization")
            used, requested = 0.0, 0.0
            for p in pods:
                for c in p["spec"]["containers"]:
                    cpu, mem = container_usage(p, c, time.time())
                    used += cpu if name == "cpu" else mem
                    req = ((c.get("resources") or {}).get("requests") or {}).get(name)
                    requested += parse_quantity(req) if req else 0.0
            if not pods or not requested or not goal:
                continue
            util = round(100 * used / requested)
            value = f"{round(used / len(pods) * 1000)}m" if name == "cpu" else \
                f"{int(used / len(pods))}"
            current_metrics.append({"type": "Resource", "resource": {
                "name": name, "current": {"averageUtilization": util, "averageValue": value}}})
            ratios.append(util / goal)
        desired = replicas
        if ratios:
            ratio = max(ratios)
            if abs(ratio - 1.0) > TOLERANCE:
                desired = math.ceil(ratio * len(pods))
            set_condition(status, "ScalingActive", "True", "ValidMetricFound",
                          "the HPA was able to successfully calculate a replica count from "
                          "cpu resource utilization (percentage of request)", now)
        else:
            set_condition(status, "ScalingActive", "False", "FailedGetResourceMetric",
                          "the HPA was unable to compute the replica count: failed to get "
                          "cpu utilization: missing request for cpu", now)
        low, high = spec.get("minReplicas", 1), spec.get("maxReplicas", replicas)
        clamped = min(max(desired, low), high)
        limited = clamped != desired
        set_condition(status, "ScalingLimited", "True" if limited else "False",
                      "TooManyReplicas" if desired > high else "TooFewReplicas" if limited
                      else "DesiredWithinRange",
                      "the desired replica count is more than the maximum replica count"
                      if desired > high else "the desired count is within the acceptable range"
                      if not limited else "the desired replica count is less than the minimum "
                                          "replica count", now)
        set_condition(status, "AbleToScale", "True", "ReadyForNewScale",
                      "recommended size matches current size" if clamped == replicas else
                      "the last scale time was sufficiently old as to warrant a new scale",
                      now)
        if clamped != replicas:
            try:
                self.api.set_scale(target_res, ns, ref["name"], {"spec": {"replicas": clamped}})
                status["lastScaleTime"] = now
                self.recorder.emit(hpa, "Normal", "SuccessfulRescale",
                                   f"New size: {clamped}; reason: cpu resource utilization "
                                   "(percentage of request) above target" if clamped > replicas
                                   else f"New size: {clamped}; reason: All metrics below "
                                        "target", "horizontal-pod-autoscaler")
            except ApiError:
                pass
        status.update({"currentReplicas": replicas, "desiredReplicas": clamped,
                       "currentMetrics": current_metrics})
        self._write(hpa, status)

    def _write(self, hpa: dict, status: dict) -> None:
        if status != (hpa.get("status") or {}):
            new = deep_copy(hpa)
            new["status"] = status
            self.api.update(HPAS, new["metadata"]["namespace"], new["metadata"]["name"], new,
                            "status")
