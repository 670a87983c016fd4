"""metrics.k8s.io lists, decoded slim: the usage by row key, and a clear error for an
answer that is not a metrics list (never a crash in the reading thread)."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubetui.kube.metrics_read import Metrics, decode_metrics
from kubetui.render.metrics import pod_cells, usage

POD = {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
       "metadata": {"name": "api-1", "namespace": "shop", "labels": {"app": "api"},
                    "creationTimestamp": "2026-11-30T10:00:00Z"},
       "timestamp": "2026-11-30T09:59:45Z", "window": "30.0s",
       "containers": [{"name": "app", "usage": {"cpu": "250000000n", "memory": "65536Ki"}},
                      {"name": "proxy", "usage": {"cpu": "5m", "memory": "16Mi"}}]}
NODE = {"kind": "NodeMetrics", "metadata": {"name": "node-a"}, "window": "20.0s",
        "usage": {"cpu": "1500m", "memory": "2Gi"}}


def test_pods_and_nodes_by_key_with_what_the_columns_read():
    found = decode_metrics(orjson.dumps({"kind": "PodMetricsList", "items": [
        POD, NODE, {"metadata": {"namespace": "x"}}]}))  # (a nameless one is skipped)
    assert set(found) == {"shop/api-1", "node-a"}
    assert "labels" not in found["shop/api-1"] and "window" not in found["node-a"]
    pod = {"spec": {"containers": [
        {"name": "app", "resources": {"requests": {"cpu": "500m"},
                                      "limits": {"memory": "256Mi"}}},
        {"name": "proxy", "resources": {"requests": {"cpu": "10m"},
                                        "limits": {"memory": "64Mi"}}}]}}
    assert pod_cells(pod, found["shop/api-1"]) == ("255m", "80Mi", "50%", "25%")


def test_a_decoded_reading_sums_itself_as_the_dict_it_came_from_would():
    """The structs sum their own usage (the fast path the usage cells take); the sums are
    the dict path's, a quantity that is not one counting 0 on both."""
    bad = {**POD, "containers": [*POD["containers"], {"name": "x", "usage": {"cpu": "lots"}}]}
    found = decode_metrics(orjson.dumps({"items": [bad, NODE]}))
    assert usage(found["shop/api-1"]) == usage(bad) == pytest.approx((0.255, 80 * 2**20))
    assert usage(found["node-a"]) == usage(NODE) == (1.5, 2 * 2**30)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"items": 5}',
                                  b'{"items": [{"metadata": "x"}]}'])
def test_an_answer_that_is_not_a_metrics_list_is_a_value_error(body):
    with pytest.raises(ValueError, match="metrics list"):
        decode_metrics(body)


@given(st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["items", "metadata", "name",
                                                       "namespace", "containers",
                                                       "usage", "cpu"]), inner,
                                      max_size=4), max_leaves=30))
def test_any_json_decodes_or_says_it_is_not_a_list(doc):
    try:
        found = decode_metrics(orjson.dumps(doc))
    except ValueError:
        return
    assert all(isinstance(k, str) and isinstance(v, Metrics) for k, v in found.items())
    for reading in found.values():  # and each sums itself without a crash
        cpu, mem = usage(reading)
        assert isinstance(cpu, float) and isinstance(mem, float)
