"""A Job from a CronJob's template, made now, as `kubectl create job --from=cronjob/X`
makes it: the template's labels and annotations, the annotation
`cronjob.kubernetes.io/instantiate: manual` and the CronJob as controller owner. Named
`<cronjob>-manual-<5 chars>` as k9s names its triggered jobs (kubectl asks for a name)."""

from __future__ import annotations

import random
import string

from kubetui.render.json_types import Obj

MANUAL = "cronjob.kubernetes.io/instantiate"
SUFFIX = string.ascii_lowercase + string.digits
MAX_NAME = 63  # a Job's name becomes a label value on its pods


def manual_name(cronjob: str, rng: random.Random | None = None) -> str:
    suffix = "".join((rng or random).choice(SUFFIX) for _ in range(5))
    return f"{cronjob[:MAX_NAME - len('-manual-') - 5]}-manual-{suffix}"


def job_from(cronjob: Obj, name: str) -> Obj:
    meta = cronjob["metadata"]
    template = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    tmeta = template.get("metadata") or {}
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {
            "name": name, "namespace": meta["namespace"],
            "labels": dict(tmeta.get("labels") or {}),
            "annotations": {**(tmeta.get("annotations") or {}), MANUAL: "manual"},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob",
                                 "name": meta["name"], "uid": meta["uid"],
                                 "controller": True, "blockOwnerDeletion": True}]},
        "spec": template.get("spec") or {},
    }
