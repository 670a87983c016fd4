"""The rollout cockpit's model, from objects as the informers hold them: which revision
is new, which pods belong to it, and what state the rollout is in (with the reason when
it is stuck)."""

from kubetui.kube.rollout import cockpit
from kubetui.render.bars import bar


def deployment(revision: int, updated: int, available: int, paused=False, conditions=()):
    return {"kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "uid": "d1", "generation": 2,
                         "annotations": {"deployment.kubernetes.io/revision": str(revision)}},
            "spec": {"replicas": 2, "paused": paused,
                     "selector": {"matchLabels": {"app": "web"}}},
            "status": {"observedGeneration": 2, "replicas": 2 + (2 - updated),
                       "updatedReplicas": updated, "readyReplicas": available,
                       "availableReplicas": available, "conditions": list(conditions)}}


def replicaset(name: str, revision: int, replicas: int, image: str):
    return {"metadata": {"name": f"web-{name}", "namespace": "shop",
                         "labels": {"app": "web", "pod-template-hash": name},
                         "annotations": {"deployment.kubernetes.io/revision": str(revision)},
                         "ownerReferences": [{"uid": "d1", "controller": True}],
                         "uid": f"rs-{name}"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "web", "image": image}]}}},
            "status": {"readyReplicas": replicas}}


def pod(name: str, rs: str, ready=True, waiting: str = ""):
    state = {"waiting": {"reason": waiting, "message": "Back-off pulling image"}} \
        if waiting else {"running": {}}
    return {"metadata": {"name": name, "namespace": "shop",
                         "labels": {"app": "web", "pod-template-hash": rs},
                         "ownerReferences": [{"uid": f"rs-{rs}", "controller": True}]},
            "spec": {"containers": [{"name": "web"}]},
            "status": {"phase": "Running" if ready else "Pending",
                       "conditions": [{"type": "Ready", "status": str(ready)}],
                       "containerStatuses": [{"name": "web", "ready": ready, "state": state}]}}


def test_a_finished_rollout_has_the_new_revision_first_and_its_pods():
    c = cockpit(deployment(2, 2, 2),
                [replicaset("b", 2, 2, "web:2"), replicaset("a", 1, 0, "web:1")],
                [pod("web-b-1", "b"), pod("web-b-2", "b")])
    assert c.state == "rolled out"
    assert [(g.revision, g.new, len(g.pods)) for g in c.groups] == [(2, True, 2)]
    assert [r.number for r in c.history] == [1, 2]


def test_new_pods_failing_to_pull_make_the_rollout_stuck_with_the_reason():
    c = cockpit(deployment(2, 1, 2),
                [replicaset("b", 2, 1, "web:nope"), replicaset("a", 1, 2, "web:1")],
                [pod("web-b-1", "b", ready=False, waiting="ImagePullBackOff"),
                 pod("web-a-1", "a"), pod("web-a-2", "a")])
    assert c.state == "stuck"
    assert "web-b-1" in c.reason and "ImagePullBackOff" in c.reason
    assert [(g.revision, g.new, g.images) for g in c.groups] == [
        (2, True, ["web:nope"]), (1, False, ["web:1"])]
    assert "1 out of 2 new replicas" in c.status.message


def test_progress_deadline_is_stuck_and_paused_is_paused():
    deadline = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
    c = cockpit(deployment(2, 1, 2, conditions=[deadline]), [replicaset("b", 2, 1, "x")], [])
    assert c.state == "stuck" and "exceeded its progress deadline" in c.reason
    c = cockpit(deployment(2, 1, 2, paused=True), [replicaset("b", 2, 1, "x")],
                [pod("web-b-1", "b", ready=False)])
    assert c.state == "paused" and c.paused


def test_statefulset_pods_are_grouped_by_controller_revision():
    sts = {"kind": "StatefulSet",
           "metadata": {"name": "db", "namespace": "d", "uid": "s1", "generation": 3},
           "spec": {"replicas": 2},
           "status": {"observedGeneration": 3, "readyReplicas": 2, "updatedReplicas": 1,
                      "currentRevision": "db-aaa", "updateRevision": "db-bbb"}}
    revs = [{"metadata": {"name": f"db-{h}", "uid": h,
                          "ownerReferences": [{"uid": "s1", "controller": True}]},
             "revision": n, "data": {"spec": {"template": {"spec": {"containers": [
                 {"name": "db", "image": f"pg:{n}"}]}}}}} for n, h in ((1, "aaa"), (2, "bbb"))]
    pods = [{"metadata": {"name": f"db-{i}", "labels": {"controller-revision-hash": h},
                          "ownerReferences": [{"uid": "s1"}]},
             "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
            for i, h in ((0, "db-aaa"), (1, "db-bbb"))]
    c = cockpit(sts, revs, pods)
    assert c.state == "progressing"
    assert [(g.revision, g.new, [p["metadata"]["name"] for p in g.pods]) for g in c.groups] \
        == [(2, True, ["db-1"]), (1, False, ["db-0"])]


def test_bars_fill_by_eighths():
    assert bar(0, 3, 6) == "░░░░░░"
    assert bar(3, 3, 6) == "██████"
    assert bar(1, 2, 6) == "███░░░"
    assert bar(1, 3, 4) == "█▍░░"  # 10.7 eighths round to 11
    assert bar(5, 0, 4) == "░░░░"
