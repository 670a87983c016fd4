"""What the API server does with a request once it is parsed: defaulting, validation,
resourceVersion conflicts, status subresources, generation, finalizers, graceful pod
deletion, propagation policies and paging. HTTP lives in `http.py`."""

from __future__ import annotations

import base64
import functools
import time
from typing import Callable

import orjson

from .defaults import Allocator, apply_defaults, stamp_new
from .fields import record as record_fields
from .meta import ApiError, bad_request, conflict, deep_copy, invalid, now_rfc3339
from .owners import OwnerIndex
from .patch import apply_patch
from .resources import BY_KIND, Resource
from .scale import ScaleApi
from .selectors import (
    Matcher,
    combine,
    field_labels,
    field_matcher,
    label_matcher,
    selector_matches,
)
from .store import DELETED, Change, Store

NAMESPACES = BY_KIND["Namespace"]
PODS = BY_KIND["Pod"]
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


def _encode_continue(rv: int, key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"rv": rv, "start": list(key)})).decode()


def _decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["rv"]), (data["start"][0], data["start"][1])
    except Exception as exc:
        raise bad_request(f"continue key is not valid: {exc}") from exc


def _key(obj: dict) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def _spec_of(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


class ApiCore(ScaleApi):
    def __init__(self, store: Store, defer: Callable[..., None]):
        # defer(fn) runs fn on the sim's loop soon; defer(fn, seconds) after a delay
        self.store = store
        self.defer = defer
        self.allocator = Allocator()
        self.owners = OwnerIndex()
        store.listeners.append(self.owners.on_change)
        store.listeners.append(self._on_change)
        # who writes, for managedFields: the HTTP layer names a request's field manager
        # for the length of its call; the sim's own controllers are the controller manager
        self.manager = "kube-controller-manager"

    # ------------------------------------------------------------------ reads
    def get(self, res: Resource, ns: str | None, name: str) -> dict:
        return self.store.must_get(res, ns, name)

    def matcher(self, label_selector: str | None, field_selector: str | None,
                res: Resource | None = None) -> Matcher | None:
        fields = None  # (a custom resource's selectable fields are not modelled)
        if res is not None and BY_KIND.get(res.kind) is res and not res.virtual:
            fields = field_labels(res.group, res.kind)
        return combine(label_matcher(label_selector), field_matcher(field_selector, fields))

    def list(self, res: Resource, ns: str | None, label_selector: str | None = None,
             field_selector: str | None = None, limit: int = 0,
             continue_token: str | None = None) -> dict:
        rv = self.store.rv
        meta: dict = {}
        start = None
        if continue_token:
            rv, start = _decode_continue(continue_token)
            if rv < self.store.compacted:
                raise ApiError(410, "Expired", "The provided continue parameter is too old "
                               "to display a consistent list result. You can start a new "
                               "list without the continue parameter.")
        items, more = self.store.page(res, ns, self.matcher(label_selector, field_selector,
                                                            res), start, limit)
        if more:
            meta["continue"] = _encode_continue(rv, _key(items[-1]))
            if more > 0:  # (with a selector the real server does not count them)
                meta["remainingItemCount"] = more
        meta["resourceVersion"] = str(rv)
        return {"kind": f"{res.kind}List", "apiVersion": res.api_version, "metadata": meta,
                "items": items}

    # ----------------------------------------------------------------- writes
    def _check_namespace(self, res: Resource, ns: str | None) -> None:
        if not res.namespaced:
            return
        if not ns:
            raise bad_request("the server could not find the requested resource")
        nso = self.store.get(NAMESPACES, None, ns)
        if nso is None:
            raise ApiError(404, "NotFound", f'namespaces "{ns}" not found',
                           {"name": ns, "kind": "namespaces"})
        if nso["metadata"].get("deletionTimestamp"):
            raise ApiError(403, "Forbidden",
                           f'{res.plural} is forbidden: unable to create new content in '
                           f'namespace {ns} because it is being terminated')

    def _validate(self, res: Resource, obj: dict) -> None:
        name = obj["metadata"].get("name")
        if not name:
            raise invalid(res, "", "metadata.name: Required value: name or generateName "
                                   "is required")
        if res.kind == "Job":
            template = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
            if template.get("restartPolicy") not in ("OnFailure", "Never"):
                raise invalid(res, name, "spec.template.spec.restartPolicy: Required value: "
                              'valid values: "OnFailure", "Never"')
        if res.kind == "CronJob":
            template = (((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec") or
                        {}).get("template", {}).get("spec") or {}
            if template.get("restartPolicy") not in ("OnFailure", "Never"):
                raise invalid(res, name, "spec.jobTemplate.spec.template.spec.restartPolicy: "
                              'Required value: valid values: "OnFailure", "Never"')
        if res.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
            spec = obj.get("spec") or {}
            labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            if not (spec.get("selector") or {}).get("matchLabels") and not (
                    spec.get("selector") or {}).get("matchExpressions"):
                raise invalid(res, name, "spec.selector: Required value")
            if not selector_matches(spec["selector"], labels):
                raise invalid(res, name, "spec.template.metadata.labels: Invalid value: "
                              f"{labels}: `selector` does not match template `labels`")
        if res.kind in ("Deployment", "ReplicaSet", "StatefulSet"):
            replicas = (obj.get("spec") or {}).get("replicas")
            if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
                raise invalid(res, name, f"spec.replicas: Invalid value: {replicas}: must be "
                                         "greater than or equal to 0")
        if res.kind == "Pod" and not (obj.get("spec") or {}).get("containers"):
            raise invalid(res, name, "spec.containers: Required value")

    def create(self, res: Resource, ns: str | None, body: dict,
               manager: str | None = None, dry_run: bool = False) -> dict:
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be an object")
        obj = deep_copy(body)
        if obj.get("kind") and obj["kind"] != res.kind:
            raise bad_request(f"the API version in the data ({obj.get('apiVersion')}) and "
                              f"kind ({obj['kind']}) do not match the {res.plural} endpoint")
        meta = obj.setdefault("metadata", {})
        body_ns = meta.get("namespace")
        if res.namespaced and body_ns and ns and body_ns != ns:
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        ns = (ns or body_ns or "default") if res.namespaced else None
        self._check_namespace(res, ns)
        obj["kind"], obj["apiVersion"] = res.kind, res.api_version
        stamp_new(obj, ns)  # (by its kind: some kinds keep no generation)
        if not res.namespaced:
            meta.pop("namespace", None)
        self._validate(res, obj)
        obj["metadata"].pop("managedFields", None)
        record_fields(obj, None, manager or self.manager, "Update", res.api_version,
                      obj["metadata"].get("creationTimestamp") or now_rfc3339())
        if dry_run:  # validated and defaulted, never stored (nor given addresses)
            if self.store.get(res, ns, obj["metadata"]["name"]) is not None:
                from .meta import already_exists
                raise already_exists(res, obj["metadata"]["name"])
            return obj
        apply_defaults(res.kind, obj, self.allocator)
        return self.store.add(res, obj)

    def _merge_update(self, res: Resource, old: dict, new: dict, subresource: str | None) -> dict:
        new_rv = (new.get("metadata") or {}).get("resourceVersion")
        if new_rv and new_rv != old["metadata"]["resourceVersion"]:
            raise conflict(res, old["metadata"]["name"])
        if subresource == "status":
            obj = deep_copy(old)
            obj["status"] = deep_copy(new.get("status") or {})
            return obj
        obj = deep_copy(new)
        obj["kind"], obj["apiVersion"] = res.kind, res.api_version
        meta = obj.setdefault("metadata", {})
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "namespace", "name", "generation"):
            if k in old["metadata"]:
                meta[k] = old["metadata"][k]
        if res.has_status:
            obj["status"] = deep_copy(old.get("status") or {})
        if "generation" in old["metadata"] and _spec_of(obj) != _spec_of(old):
            meta["generation"] = old["metadata"]["generation"] + 1
        if not meta.get("deletionTimestamp") and "finalizers" in meta and not meta["finalizers"]:
            del meta["finalizers"]
        return obj

    def update(self, res: Resource, ns: str | None, name: str, body: dict,
               subresource: str | None = None, manager: str | None = None,
               dry_run: bool = False) -> dict:
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be an object")
        old = self.store.must_get(res, ns, name)
        if (body.get("metadata") or {}).get("name", name) != name:
            raise bad_request("the name of the object does not match the name on the URL")
        obj = self._merge_update(res, old, body, subresource)
        self._validate(res, obj)
        self._own(res, obj, old, manager, "Update", subresource)
        if dry_run:
            obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return obj
        return self._write(res, obj)

    def _own(self, res: Resource, obj: dict, old: dict, manager: str | None, operation: str,
             subresource: str | None) -> None:
        """managedFields: the writer's entry, as the real server keeps it (the one place
        a ConfigMap's last change is dated)."""
        obj["metadata"]["managedFields"] = (old.get("metadata") or {}).get("managedFields")
        if not obj["metadata"]["managedFields"]:
            del obj["metadata"]["managedFields"]
        record_fields(obj, old, manager or self.manager, operation, res.api_version,
                      now_rfc3339(), subresource if subresource == "status" else None)

    def patch(self, res: Resource, ns: str | None, name: str, content_type: str, body,
              subresource: str | None = None, manager: str | None = None,
              dry_run: bool = False) -> tuple[dict, int]:
        """The object as patched, and 200 (or 201 when an apply created it)."""
        old = self.store.get(res, ns, name)
        if old is None and "apply-patch" in content_type and subresource is None:
            # server-side apply creates what does not exist yet
            if not isinstance(body, dict):
                raise bad_request("the apply body must be an object")
            return self.create(res, ns, {**body, "metadata": {
                **(body.get("metadata") or {}), "name": name}}, manager, dry_run), 201
        if old is None:
            old = self.store.must_get(res, ns, name)
        patched = apply_patch(deep_copy(old), content_type, body)
        if not isinstance(patched, dict):
            raise bad_request("the patch did not produce an object")
        # A patch cannot fail on resourceVersion unless it names one itself.
        rv_in_patch = isinstance(body, dict) and (body.get("metadata") or {}).get(
            "resourceVersion")
        if not rv_in_patch:
            patched.setdefault("metadata", {})["resourceVersion"] = old["metadata"][
                "resourceVersion"]
        obj = self._merge_update(res, old, patched, subresource)
        self._validate(res, obj)
        self._own(res, obj, old, manager, "Apply" if "apply-patch" in content_type else
                  "Update", subresource)
        if dry_run:
            obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return obj, 200
        return self._write(res, obj), 200

    def _write(self, res: Resource, obj: dict) -> dict:
        meta = obj["metadata"]
        if meta.get("deletionTimestamp") and not meta.get("finalizers") and res is not PODS:
            self.store.replace(res, obj)
            return self.store.remove(res, meta.get("namespace"), meta["name"])
        return self.store.replace(res, obj)

    # ----------------------------------------------------------------- delete
    def delete(self, res: Resource, ns: str | None, name: str, options: dict | None = None,
               ) -> dict:
        options = options or {}
        obj = self.store.must_get(res, ns, name)
        pre = options.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != obj["metadata"]["uid"]:
            raise conflict(res, name)
        if pre.get("resourceVersion") and pre["resourceVersion"] != obj["metadata"][
                "resourceVersion"]:
            raise conflict(res, name)
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        policy = policy or "Background"
        if policy not in ("Background", "Foreground", "Orphan"):
            raise invalid(res, name, f"propagationPolicy: Unsupported value: {policy!r}")
        if res is NAMESPACES:
            return self._delete_namespace(obj)
        if res is PODS:
            return self._delete_pod(obj, options, policy)
        return self._delete_with_policy(res, obj, policy)

    def _delete_with_policy(self, res: Resource, obj: dict, policy: str) -> dict:
        meta = obj["metadata"]
        uid = meta["uid"]
        if policy == "Orphan":
            self._orphan_dependents(uid)
        if policy == "Foreground" and self.owners.dependents(uid):
            obj = deep_copy(obj)
            m = obj["metadata"]
            m.setdefault("deletionTimestamp", now_rfc3339())
            m.setdefault("deletionGracePeriodSeconds", 0)
            if FOREGROUND not in m.setdefault("finalizers", []):
                m["finalizers"].append(FOREGROUND)
            self.store.replace(res, obj)
            self.defer(lambda: self._collect(uid, "Foreground"))
            return obj
        if meta.get("finalizers"):
            if meta.get("deletionTimestamp"):
                return obj
            obj = deep_copy(obj)
            obj["metadata"]["deletionTimestamp"] = now_rfc3339()
            obj["metadata"]["deletionGracePeriodSeconds"] = 0
            return self.store.replace(res, obj)
        return self.store.remove(res, meta.get("namespace"), meta["name"])

    def _delete_pod(self, obj: dict, options: dict, policy: str) -> dict:
        meta, spec = obj["metadata"], obj.get("spec") or {}
        grace = options.get("gracePeriodSeconds")
        if grace is None:
            grace = spec.get("terminationGracePeriodSeconds", 30)
        phase = (obj.get("status") or {}).get("phase")
        immediate = grace == 0 or not spec.get("nodeName") or phase in ("Succeeded", "Failed")
        if immediate and not meta.get("finalizers"):
            return self._delete_with_policy(PODS, obj, policy)
        current = meta.get("deletionGracePeriodSeconds")
        if meta.get("deletionTimestamp") and current is not None and current <= grace:
            return obj
        obj = deep_copy(obj)
        obj["metadata"]["deletionTimestamp"] = now_rfc3339(time.time() + grace)
        obj["metadata"]["deletionGracePeriodSeconds"] = grace
        if policy == "Orphan":
            self._orphan_dependents(meta["uid"])
        return self.store.replace(PODS, obj)

    def finish_pod_deletion(self, ns: str, name: str) -> None:
        """The kubelet's last word on a terminated pod: remove it from the store."""
        obj = self.store.get(PODS, ns, name)
        if obj is not None and not obj["metadata"].get("finalizers"):
            self.store.remove(PODS, ns, name)

    def _delete_namespace(self, obj: dict) -> dict:
        if obj["metadata"].get("deletionTimestamp"):
            return obj
        obj = deep_copy(obj)
        obj["metadata"]["deletionTimestamp"] = now_rfc3339()
        obj["metadata"]["deletionGracePeriodSeconds"] = 0
        obj["status"] = {"phase": "Terminating"}
        name = obj["metadata"]["name"]
        self.store.replace(NAMESPACES, obj)
        self.defer(lambda: self._drain_namespace(name))
        return obj

    def _drain_namespace(self, name: str) -> None:
        remaining = 0
        left: dict[str, int] = {}  # "configmaps." -> objects still there
        held: dict[str, int] = {}  # finalizer -> objects it holds
        for res in self.store.registry.all():
            if not res.namespaced or res.virtual:
                continue
            for o in self.store.list(res, name):
                remaining += 1
                if not o["metadata"].get("deletionTimestamp"):
                    try:
                        self.delete(res, name, o["metadata"]["name"], {"gracePeriodSeconds": 0}
                                    if res is PODS else {})
                    except ApiError:
                        pass
                elif o["metadata"].get("finalizers"):
                    gr = f"{res.plural}.{res.group}"
                    left[gr] = left.get(gr, 0) + 1
                    for f in o["metadata"]["finalizers"]:
                        held[f] = held.get(f, 0) + 1
        if remaining:
            if held:
                self._namespace_conditions(name, left, held)
            self.defer(lambda: self._drain_namespace(name), 0.2)
            return
        if self.store.get(NAMESPACES, None, name) is not None:
            self.store.remove(NAMESPACES, None, name)

    def _namespace_conditions(self, name: str, left: dict, held: dict) -> None:
        """What the real namespace controller writes while content with finalizers keeps
        a namespace Terminating (its conditions, word for word)."""
        ns = self.store.get(NAMESPACES, None, name)
        if ns is None:
            return
        wanted = [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
             "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
             "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "False", "ContentDeleted",
             "All content successfully deleted, may be waiting on finalization"),
            ("NamespaceContentRemaining", "True", "SomeResourcesRemain",
             "Some resources are remaining: " + ", ".join(sorted(
                 f"{gr} has {n} resource instances" for gr, n in left.items()))),
            ("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
             "Some content in the namespace has finalizers remaining: " + ", ".join(sorted(
                 f"{f} in {n} resource instances" for f, n in held.items())))]
        before = {c["type"]: c for c in (ns.get("status") or {}).get("conditions") or ()}
        if [(c["type"], c["status"], c["reason"], c["message"]) for c in before.values()] \
                == wanted:
            return
        now = now_rfc3339()
        conditions = []
        for ctype, status, reason, message in wanted:
            old = before.get(ctype) or {}
            conditions.append({"type": ctype, "status": status, "lastTransitionTime":
                               old.get("lastTransitionTime") if old.get("status") == status
                               else now, "reason": reason, "message": message})
        ns = deep_copy(ns)
        ns["status"] = {**(ns.get("status") or {}), "conditions": conditions}
        self.store.replace(NAMESPACES, ns)

    # ------------------------------------------------------ garbage collector
    def _orphan_dependents(self, uid: str) -> None:
        for kind, ns, name in self.owners.dependents(uid):
            res = BY_KIND[kind]
            dep = self.store.get(res, ns, name)
            if dep is None:
                continue
            dep = deep_copy(dep)
            refs = [r for r in dep["metadata"].get("ownerReferences") or () if r["uid"] != uid]
            if refs:
                dep["metadata"]["ownerReferences"] = refs
            else:
                dep["metadata"].pop("ownerReferences", None)
            self.store.replace(res, dep)

    def _owner_alive(self, ref: dict, ns: str) -> bool:
        res = BY_KIND.get(ref.get("kind", ""))
        if res is None:
            return True  # a kind we do not serve: never collect on its account
        owner = self.store.get(res, ns if res.namespaced else None, ref.get("name", ""))
        if owner is None or owner["metadata"]["uid"] != ref.get("uid"):
            return False
        fin = owner["metadata"].get("finalizers") or ()
        return not (owner["metadata"].get("deletionTimestamp") and FOREGROUND in fin)

    def _collect(self, uid: str, policy: str = "Background") -> None:
        """Delete the dependents of a deleted (or foreground-deleting) owner. Like the real
        garbage collector, a foreground owner's dependents that have dependents of their
        own are deleted in the foreground too, so the owner outlives its grandchildren."""
        for kind, ns, name in self.owners.dependents(uid):
            res = BY_KIND[kind]
            dep = self.store.get(res, ns, name)
            if dep is None or dep["metadata"].get("deletionTimestamp"):
                continue
            refs = dep["metadata"].get("ownerReferences") or ()
            if any(self._owner_alive(r, ns) for r in refs):
                continue
            dep_policy = policy if self.owners.dependents(dep["metadata"]["uid"]) else "Background"
            try:
                self.delete(res, ns or None, name, {"propagationPolicy": dep_policy})
            except ApiError:
                pass

    def _release_foreground(self, uid: str) -> None:
        """An owner waiting in foreground deletion goes once its dependents are gone."""
        for res_kind in ("Deployment", "ReplicaSet", "Pod", "Service"):
            res = BY_KIND[res_kind]
            for owner in self.store.list(res):
                m = owner["metadata"]
                if m["uid"] != uid or FOREGROUND not in (m.get("finalizers") or ()):
                    continue
                if self.owners.dependents(uid):
                    return
                owner = deep_copy(owner)
                owner["metadata"]["finalizers"] = [
                    f for f in owner["metadata"]["finalizers"] if f != FOREGROUND]
                self._write(res, owner)
                return

    def _on_change(self, change: Change) -> None:
        if change.type != DELETED:
            return
        uid = change.obj["metadata"]["uid"]
        if self.owners.dependents(uid):
            self.defer(lambda: self._collect(uid))
        for ref in change.obj["metadata"].get("ownerReferences") or ():
            # bind the uid now: a lambda reading the loop variable would release only
            # the last owner, once per reference
            self.defer(functools.partial(self._release_foreground, ref["uid"]))
