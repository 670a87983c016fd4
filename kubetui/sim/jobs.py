"""Job and CronJob controllers. A Job runs pods until `completions` succeed (parallelism
at a time) or `backoffLimit` failures; a CronJob creates Jobs when its schedule fires
(wall-clock minutes, via croniter), honours concurrencyPolicy and keeps the history
limits."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from croniter import croniter

from kubetui.render.age import parse_time

from .controller import Controller, condition, owner_ref, set_condition
from .meta import deep_copy, now_rfc3339, rand_suffix
from .resources import BY_KIND
from .store import Change

JOBS, CRONJOBS, PODS = BY_KIND["Job"], BY_KIND["CronJob"], BY_KIND["Pod"]


def finished(job: dict) -> str | None:
    for ctype in ("Complete", "Failed"):
        c = condition(job.get("status") or {}, ctype)
        if c and c.get("status") == "True":
            return ctype
    return None


class JobController(Controller):
    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.res is JOBS:
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is PODS:
            for ref in meta.get("ownerReferences") or ():
                if ref.get("controller") and ref.get("kind") == "Job":
                    self.enqueue((meta["namespace"], ref["name"]))

    def sync(self, key) -> None:
        job = self.store.get(JOBS, *key)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return
        spec, pods = job["spec"], self.owned(job, PODS)
        phase = lambda p: (p.get("status") or {}).get("phase")  # noqa: E731
        succeeded = sum(1 for p in pods if phase(p) == "Succeeded")
        failed = sum(1 for p in pods if phase(p) == "Failed")
        active = [p for p in pods if phase(p) not in ("Succeeded", "Failed")
                  and not p["metadata"].get("deletionTimestamp")]
        status = deep_copy(job.get("status") or {})
        now = now_rfc3339()
        status.setdefault("startTime", now)
        done = finished(job)
        completions = spec.get("completions") or 1
        if done is None and failed > spec.get("backoffLimit", 6):
            for p in active:
                self.api.delete(PODS, key[0], p["metadata"]["name"])
            active = []
            message = "Job has reached the specified backoff limit"
            for ctype in ("FailureTarget", "Failed"):
                set_condition(status, ctype, "True", "BackoffLimitExceeded", message, now)
            self.recorder.emit(job, "Warning", "BackoffLimitExceeded", message, "job-controller")
        elif done is None and succeeded >= completions:
            for ctype in ("SuccessCriteriaMet", "Complete"):
                set_condition(status, ctype, "True", "CompletionsReached" if ctype ==
                              "SuccessCriteriaMet" else "", "Reached expected number of "
                              "succeeded pods" if ctype == "SuccessCriteriaMet" else "", now)
            status["completionTime"] = now
            self.recorder.emit(job, "Normal", "Completed", "Job completed", "job-controller")
        elif done is None and not spec.get("suspend"):
            want = min(spec.get("parallelism", 1), completions - succeeded) - len(active)
            for _ in range(max(0, want)):
                active.append(self._create_pod(job))
        status.update({"active": len(active), "succeeded": succeeded, "failed": failed,
                       "ready": sum(1 for p in active if (condition(
                           p.get("status") or {}, "Ready") or {}).get("status") == "True"),
                       "terminating": 0, "uncountedTerminatedPods": {}})
        for k in ("active", "succeeded", "failed"):
            if not status[k]:
                del status[k]
        if status != (job.get("status") or {}):
            new = deep_copy(job)
            new["status"] = status
            self.api.update(JOBS, key[0], key[1], new, "status")

    def _create_pod(self, job: dict) -> dict:
        template = deep_copy(job["spec"]["template"])
        base = job["metadata"]["name"]
        pod = {"metadata": {"name": f"{base}-{rand_suffix()}", "generateName": f"{base}-",
                            "labels": (template.get("metadata") or {}).get("labels") or {},
                            "ownerReferences": [owner_ref(job)]},
               "spec": template.get("spec") or {}}
        annotations = (template.get("metadata") or {}).get("annotations")
        if annotations:
            pod["metadata"]["annotations"] = annotations
        created = self.api.create(PODS, job["metadata"]["namespace"], pod)
        self.recorder.emit(job, "Normal", "SuccessfulCreate",
                           f"Created pod: {created['metadata']['name']}", "job-controller")
        return created


class CronJobController(Controller):
    tick_seconds = 1.0  # wall clock: schedules are in real minutes

    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)
        sim.defer(self._tick, self.tick_seconds)

    def on_change(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.res is CRONJOBS:
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is JOBS:
            for ref in meta.get("ownerReferences") or ():
                if ref.get("controller") and ref.get("kind") == "CronJob":
                    self.enqueue((meta["namespace"], ref["name"]))

    def _tick(self) -> None:
        for cj in self.store.list(CRONJOBS):
            self.enqueue((cj["metadata"]["namespace"], cj["metadata"]["name"]))
        self.sim.defer(self._tick, self.tick_seconds)

    def sync(self, key) -> None:
        cj = self.store.get(CRONJOBS, *key)
        if cj is None or cj["metadata"].get("deletionTimestamp"):
            return
        spec, status = cj["spec"], deep_copy(cj.get("status") or {})
        jobs = self.owned(cj, JOBS)
        running = [j for j in jobs if finished(j) is None]
        status["active"] = [{"kind": "Job", "namespace": key[0], "name": j["metadata"]["name"],
                             "uid": j["metadata"]["uid"], "apiVersion": "batch/v1",
                             "resourceVersion": j["metadata"]["resourceVersion"]}
                            for j in running]
        ok = [j for j in jobs if finished(j) == "Complete"]
        if ok:
            status["lastSuccessfulTime"] = max(
                (j.get("status") or {}).get("completionTime", "") for j in ok)
        due = self._due(cj, status)
        if due is not None and not spec.get("suspend"):
            policy = spec.get("concurrencyPolicy", "Allow")
            if policy == "Forbid" and running:
                pass
            else:
                if policy == "Replace":
                    for j in running:
                        self.api.delete(JOBS, key[0], j["metadata"]["name"],
                                        {"propagationPolicy": "Background"})
                job = self._create_job(cj, due)
                status["active"] = [a for a in status["active"] if policy != "Replace"] + [{
                    "kind": "Job", "namespace": key[0], "name": job["metadata"]["name"],
                    "uid": job["metadata"]["uid"], "apiVersion": "batch/v1",
                    "resourceVersion": job["metadata"]["resourceVersion"]}]
            status["lastScheduleTime"] = now_rfc3339(due)
        self._cleanup(cj, jobs)
        if not status["active"]:
            del status["active"]
        if status != (cj.get("status") or {}):
            new = deep_copy(cj)
            new["status"] = status
            self.api.update(CRONJOBS, key[0], key[1], new, "status")

    @staticmethod
    def _due(cj: dict, status: dict) -> float | None:
        """The most recent scheduled time that has passed and not run yet, if any (missed
        runs before it are skipped, as the real controller starts only the latest)."""
        last = parse_time(status.get("lastScheduleTime") or cj["metadata"]["creationTimestamp"])
        try:
            it = croniter(cj["spec"]["schedule"], datetime.fromtimestamp(time.time(),
                                                                         timezone.utc))
        except (ValueError, KeyError):
            return None
        latest = it.get_prev(float)
        return latest if last is not None and latest > last else None

    def _create_job(self, cj: dict, due: float) -> dict:
        template = deep_copy(cj["spec"].get("jobTemplate") or {})
        name = f"{cj['metadata']['name']}-{int(due // 60)}"
        meta = template.get("metadata") or {}
        job = {"metadata": {"name": name, "labels": meta.get("labels") or {},
                            "annotations": {**(meta.get("annotations") or {}),
                                            "batch.kubernetes.io/cronjob-scheduled-timestamp":
                                                now_rfc3339(due)},
                            "ownerReferences": [owner_ref(cj)]},
               "spec": template.get("spec") or {}}
        created = self.api.create(JOBS, cj["metadata"]["namespace"], job)
        self.recorder.emit(cj, "Normal", "SuccessfulCreate", f"Created job {name}",
                           "cronjob-controller")
        return created

    def _cleanup(self, cj: dict, jobs: list[dict]) -> None:
        spec = cj["spec"]
        for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit", 3)),
                            ("Failed", spec.get("failedJobsHistoryLimit", 1))):
            done = sorted((j for j in jobs if finished(j) == kind),
                          key=lambda j: j["metadata"]["creationTimestamp"])
            for j in done[: max(0, len(done) - limit)]:
                self.api.delete(JOBS, j["metadata"]["namespace"], j["metadata"]["name"],
                                {"propagationPolicy": "Background"})
                self.recorder.emit(cj, "Normal", "SuccessfulDelete",
                                   f"Deleted job {j['metadata']['name']}", "cronjob-controller")
