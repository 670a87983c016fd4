"""A slim pod's status is dict-faced structs (kube/dict_face.py): everything that reads
pods reads it as the map the server sent, whatever the decoder made of it."""

from collections.abc import Mapping

import msgspec
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubetui.kube.dict_face import as_plain
from kubetui.kube.pod_status import ContainerState, PodStatus
from kubetui.kube.slim import decode_list

STATUS = {"phase": "Running", "podIP": "10.0.0.7", "containerStatuses": [
    {"name": "app", "ready": False, "restartCount": 3,
     "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
     "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                  "finishedAt": "2026-11-30T10:00:00Z"}}}]}


def test_a_decoded_status_reads_as_the_map_the_server_sent():
    status = msgspec.json.decode(orjson.dumps(STATUS), type=PodStatus)
    assert isinstance(status, Mapping) and status == STATUS and STATUS == status
    assert dict(status) == {k: status[k] for k in STATUS} and len(status) == len(STATUS)
    assert sorted(status) == sorted(STATUS) and "reason" not in status
    assert status.get("reason") is None and status.get("reason", "x") == "x"
    with pytest.raises(KeyError):
        status["reason"]
    cs = status["containerStatuses"][0]
    assert cs.get("started") is None and cs["restartCount"] == 3 and not cs["ready"]
    assert next(iter(cs["state"])) == "waiting"  # which state, as xray asks it
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    assert (cs.get("state") or {}).get("running") is None
    assert as_plain(status) == STATUS and type(as_plain(status)["containerStatuses"][0]) is dict
    assert not ContainerState() and ContainerState() == {}  # an empty state is falsy, as {}
    assert status != {**STATUS, "phase": "Failed"}


def test_keys_a_status_does_not_keep_are_refused_not_invented():
    status = PodStatus(phase="Pending")
    status["phase"] = "Running"
    assert status["phase"] == "Running"
    with pytest.raises(KeyError):
        status["resize"] = "InProgress"
    assert status.get("get") is None and "items" not in status  # methods are not keys
    del status["phase"]
    assert "phase" not in status and status == {}
    with pytest.raises(KeyError):
        del status["phase"]


@given(st.lists(st.sampled_from(["Running", "Pending", "Failed", None]), max_size=3),
       st.integers(min_value=0, max_value=10**6), st.booleans())
def test_slim_statuses_equal_the_server_s_for_any_mix_of_fields(phases, restarts, ready):
    statuses = [{"name": f"c{i}", "ready": ready, "restartCount": restarts,
                 "image": "nginx:1.27", "state": {"running": {"startedAt": "2026-11-30T10:00:00Z"}}}
                for i in range(len(phases))]
    status = {"containerStatuses": statuses, **({"phase": phases[0]} if phases and phases[0]
                                                 else {})}
    pod = {"metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": []},
           "status": status}
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": [pod]}))
    assert isinstance(items[0]["status"], PodStatus)
    assert items[0]["status"] == status
