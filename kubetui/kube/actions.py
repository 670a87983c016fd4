"""What a user can do to a cluster, as plain calls: rollout restart / undo / status /
history, pause and resume, scale, delete, cordon. Every write checks the read-only flag
first and refuses in words. Errors are `ApiError`s carrying the server's message."""

from __future__ import annotations

from datetime import datetime, timezone

from kubetui.render.json_types import Obj
from kubetui.render.printers import pod_selector

from . import rollout
from .client import ApiError, KubeClient
from .kinds import KINDS, Kind
from .rollout import Revision, Status

ROLLABLE = ("Deployment", "StatefulSet", "DaemonSet")
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


class ReadOnly(Exception):
    """A write was asked for while kubetui runs read-only."""


class Actions:
    def __init__(self, client: KubeClient, readonly: bool = False):
        self.client = client
        self.readonly = readonly

    def _write(self, what: str) -> None:
        if self.readonly:
            raise ReadOnly(f"read-only mode (--readonly): refusing to {what}")

    def get(self, kind: Kind | str, namespace: str | None, name: str) -> Obj:
        k = KINDS[kind] if isinstance(kind, str) else kind
        return self.client.get_json(k.path(namespace, name))

    def _owned(self, kind: str, namespace: str, owner: Obj) -> list[Obj]:
        k = KINDS[kind]
        items = self.client.get_json(k.path(namespace),
                                     {"labelSelector": pod_selector(owner) or None})
        uid = owner["metadata"]["uid"]
        return [o for o in items.get("items") or ()
                if any(r.get("uid") == uid and r.get("controller")
                       for r in o["metadata"].get("ownerReferences") or ())]

    # -- rollouts
    def restart(self, kind: str, namespace: str, name: str) -> Obj:
        """kubectl rollout restart: stamp the pod template, so every pod is replaced."""
        _rollable(kind)
        self._write(f"restart {kind.lower()} {namespace}/{name}")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        patch = {"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": now}}}}}
        return self.client.send_json("PATCH", KINDS[kind].path(namespace, name), patch,
                                     content_type=STRATEGIC)

    def status(self, kind: str, namespace: str, name: str) -> Status:
        _rollable(kind)
        return rollout.status(self.get(kind, namespace, name))

    def history(self, kind: str, namespace: str, name: str) -> list[Revision]:
        _rollable(kind)
        owner = self.get(kind, namespace, name)
        if kind == "Deployment":
            return rollout.history_from_replicasets(self._owned("ReplicaSet", namespace, owner))
        return rollout.history_from_controller_revisions(
            self._owned("ControllerRevision", namespace, owner))

    def undo(self, kind: str, namespace: str, name: str, to_revision: int = 0) -> Revision:
        """kubectl rollout undo [--to-revision]: returns the revision rolled back to."""
        _rollable(kind)
        self._write(f"undo the rollout of {kind.lower()} {namespace}/{name}")
        owner = self.get(kind, namespace, name)
        if kind == "Deployment" and (owner.get("spec") or {}).get("paused"):
            raise ApiError(400, "BadRequest", "you cannot rollback a paused deployment; resume "
                                              f"it first with 'kubectl rollout resume "
                                              f"deployment/{name}' and try again")
        history = self.history(kind, namespace, name)
        try:
            target = rollout.pick_revision(history, to_revision)
        except LookupError as exc:
            raise ApiError(404, "NotFound", f'{exc} for {kind.lower()} "{name}"') from exc
        path = KINDS[kind].path(namespace, name)
        if kind == "Deployment":
            rs = self.client.get_json(KINDS["ReplicaSet"].path(namespace, target.name))
            template = rollout.strip_hash(target.template)
            if template == rollout.strip_hash(owner["spec"]["template"]):
                raise ApiError(409, "Conflict", f"skipped rollback (current template already "
                                                f"matches revision {target.number})")
            patch = [{"op": "replace", "path": "/spec/template", "value": template},
                     {"op": "replace", "path": "/metadata/annotations",
                      "value": rollout.rollback_annotations(owner, rs)}]
            self.client.send_json("PATCH", path, patch, content_type=JSON_PATCH)
        else:
            self.client.send_json("PATCH", path, {"spec": {"template": {
                **target.template, "$patch": "replace"}}}, content_type=STRATEGIC)
        return target

    def pause(self, namespace: str, name: str, paused: bool = True) -> Obj:
        self._write(f"{'pause' if paused else 'resume'} deployment {namespace}/{name}")
        return self.client.send_json("PATCH", KINDS["Deployment"].path(namespace, name),
                                     {"spec": {"paused": paused}}, content_type=MERGE)

    # -- scale, delete, cordon
    def scale(self, kind: str, namespace: str, name: str, replicas: int) -> Obj:
        if replicas < 0:
            raise ValueError("replicas must be 0 or more")
        self._write(f"scale {kind.lower()} {namespace}/{name} to {replicas}")
        return self.client.send_json("PATCH", KINDS[kind].path(namespace, name, "scale"),
                                     {"spec": {"replicas": replicas}}, content_type=MERGE)

    def delete(self, kind: Kind | str, namespace: str | None, name: str,
               propagation: str = "Background", grace_seconds: int | None = None,
               force: bool = False) -> Obj:
        """Delete with a propagation policy; `force` is grace period 0 (kubectl --force)."""
        k = KINDS[kind] if isinstance(kind, str) else kind
        where = f"{namespace}/{name}" if namespace else name
        self._write(f"delete {k.kind.lower()} {where}")
        body: Obj = {"kind": "DeleteOptions", "apiVersion": "v1",
                      "propagationPolicy": propagation}
        if force:
            grace_seconds = 0
        if grace_seconds is not None:
            body["gracePeriodSeconds"] = grace_seconds
        return self.client.send_json("DELETE", k.path(namespace, name), body)

    # -- cron jobs
    def trigger(self, namespace: str, cronjob: str) -> Obj:
        """A Job from the CronJob's template, now (kubectl create job --from=cronjob/X)."""
        from .cronjobs import job_from, manual_name
        self._write(f"trigger cronjob {namespace}/{cronjob}")
        owner = self.get("CronJob", namespace, cronjob)
        return self.client.send_json("POST", KINDS["Job"].path(namespace),
                                     job_from(owner, manual_name(cronjob)))

    def suspend(self, namespace: str, cronjob: str, suspended: bool) -> Obj:
        self._write(f"{'suspend' if suspended else 'resume'} cronjob {namespace}/{cronjob}")
        return self.client.send_json("PATCH", KINDS["CronJob"].path(namespace, cronjob),
                                     {"spec": {"suspend": suspended}}, content_type=MERGE)

    def cordon(self, node: str, unschedulable: bool = True) -> Obj:
        self._write(f"{'cordon' if unschedulable else 'uncordon'} node {node}")
        return self.client.send_json("PATCH", KINDS["Node"].path(None, node),
                                     {"spec": {"unschedulable": unschedulable or None}},
                                     content_type=MERGE)


def _rollable(kind: str) -> None:
    if kind not in ROLLABLE:
        raise ValueError(f"{kind} has no rollouts (only {', '.join(ROLLABLE)})")


def managing_hpa(client: KubeClient, kind: str, namespace: str, name: str) -> Obj | None:
    """The HorizontalPodAutoscaler that scales this workload, if one does: a scale by
    hand lasts only until its next sync."""
    hpas: list[Obj] = client.get_json(
        KINDS["HorizontalPodAutoscaler"].path(namespace)).get("items") or []
    for hpa in hpas:
        ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        if ref.get("kind") == kind and ref.get("name") == name:
            return hpa
    return None

