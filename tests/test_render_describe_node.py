"""A node's requests and limits as kubectl sums them (resourcehelper.PodRequestsAndLimits,
describeNodeResource): init containers against the app containers, sidecars that add,
pod overhead, and the hugepages and extended resources Allocated resources lists."""

from __future__ import annotations

from datetime import timezone

from kubetui.render.describe import describe
from kubetui.render.describe_node import requests_and_limits
from kubetui.render.go_quantity import canonical


def _c(name, req=None, lim=None, **extra):
    return {"name": name, "image": "x", "resources": {
        **({"requests": req} if req else {}), **({"limits": lim} if lim else {})}, **extra}


def _printed(resources) -> dict[str, str]:
    return {k: canonical(v) for k, v in resources.items()}


def test_an_init_container_counts_against_the_sum_of_the_app_containers():
    pod = {"spec": {
        "containers": [_c("a", {"cpu": "100m", "memory": "64Mi"}, {"cpu": "200m"}),
                       _c("b", {"cpu": "100m"})],
        "initContainers": [_c("i1", {"cpu": "500m"}), _c("i2", {"cpu": "150m",
                                                                "memory": "256Mi"})]}}
    reqs, lims = requests_and_limits(pod)
    assert _printed(reqs) == {"cpu": "500m", "memory": "256Mi"}
    assert _printed(lims) == {"cpu": "200m"}


def test_sidecars_add_to_the_pod_and_to_every_later_init_container():
    pod = {"spec": {
        "containers": [_c("a", {"cpu": "200m", "memory": "64Mi"})],
        "initContainers": [_c("s1", {"cpu": "50m", "memory": "32Mi"}, {"cpu": "100m"},
                              restartPolicy="Always"),
                           _c("j", {"cpu": "300m"})]}}
    reqs, lims = requests_and_limits(pod)
    # app 200m + sidecar 50m = 250m, but the init container j runs beside the
    # sidecar: 300m + 50m = 350m wins; memory: 64Mi + 32Mi
    assert _printed(reqs) == {"cpu": "350m", "memory": "96Mi"}
    assert _printed(lims) == {"cpu": "100m"}


def test_overhead_adds_to_requests_and_only_to_limits_that_are_set():
    pod = {"spec": {"containers": [_c("a", {"cpu": "100m"}, {"memory": "128Mi"})],
                    "overhead": {"cpu": "10m", "memory": "1Mi"}}}
    reqs, lims = requests_and_limits(pod)
    assert _printed(reqs) == {"cpu": "110m", "memory": "1Mi"}
    assert _printed(lims) == {"memory": "129Mi"}


def test_a_resized_containers_allocated_requests_count_when_larger():
    pod = {"spec": {"containers": [_c("a", {"cpu": "100m", "memory": "64Mi"})]},
           "status": {"containerStatuses": [
               {"name": "a", "resources": {"requests": {"cpu": "300m", "memory": "32Mi"}}}]}}
    assert _printed(requests_and_limits(pod)[0]) == {"cpu": "300m", "memory": "64Mi"}
    pod["status"]["resize"] = "Infeasible"  # the status's, whatever the spec asks
    assert _printed(requests_and_limits(pod)[0]) == {"cpu": "300m", "memory": "32Mi"}


def test_hugepages_and_extended_resources_are_listed_after_the_standard_ones():
    node = {"kind": "Node", "metadata": {"name": "n1"}, "status": {
        "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110",
                        "ephemeral-storage": "10Gi", "hugepages-1Gi": "2Gi",
                        "example.com/fpga": "2", "nvidia.com/gpu": "4"}}}
    pod = {"metadata": {"namespace": "ml", "name": "train",
                        "creationTimestamp": "2026-11-30T15:00:00Z"},
           "spec": {"containers": [_c("a", {"cpu": "1500m", "memory": "1Gi",
                                            "hugepages-1Gi": "1Gi", "nvidia.com/gpu": "1",
                                            "ephemeral-storage": "1Gi"},
                                      {"nvidia.com/gpu": "1", "memory": "5Gi"})]}}
    text = describe(node, None, 0.0, tz=timezone.utc, node_pods=[pod], lease={"spec": {}})
    lines = text.split("\n")
    section = lines[lines.index("Allocated resources:") + 2:]
    assert [line.split()[0] for line in section] == [
        "Resource", "--------", "cpu", "memory", "ephemeral-storage", "hugepages-1Gi",
        "example.com/fpga", "nvidia.com/gpu"]
    cells = {line.split()[0]: line.split(None, 1)[1].split("  ")[0].strip()
             for line in section[2:]}
    assert cells["cpu"] == "1500m (75%)"
    assert cells["memory"] == "1Gi (25%)"
    assert cells["ephemeral-storage"] == "1Gi (10%)"
    assert cells["hugepages-1Gi"] == "1Gi (50%)"
    assert section[-1].split() == ["nvidia.com/gpu", "1", "1"]  # no percentages
    assert section[-2].split() == ["example.com/fpga", "0", "0"]
    assert "5Gi (125%)" in text  # over 100: overcommitted, said as it is
    # a Lease the kubelet left empty
    assert "  HolderIdentity:  <unset>" in lines and "  RenewTime:       <unset>" in lines


def test_capacity_stands_for_allocatable_and_a_missing_cpu_prints_as_kubectl_does():
    """No allocatable: kubectl divides by capacity. No cpu at all: its pod rows divide by
    zero unguarded (Go on amd64 prints int64's minimum), its Allocated resources say 0%."""
    node = {"kind": "Node", "metadata": {"name": "virtual"},
            "status": {"capacity": {"memory": "1Gi", "pods": "10"}}}
    pod = {"metadata": {"namespace": "a", "name": "p"},
           "spec": {"containers": [_c("a", {"cpu": "100m", "memory": "256Mi"})]}}
    lines = describe(node, None, 0.0, tz=timezone.utc, node_pods=[pod],
                     lease={"spec": {}}).split("\n")
    row = next(line for line in lines if line.startswith("  a "))
    assert row.split()[2:5] == ["100m", "(-9223372036854775808%)", "0"]
    assert "256Mi (25%)" in row and row.split()[-1] == "<unknown>"
    cpu = next(line for line in lines if line.startswith("  cpu "))
    assert cpu.split() == ["cpu", "100m", "(0%)", "0", "(0%)"]


def test_what_a_pod_sets_for_itself_stands_for_its_containers_sum():
    """PodLevelResources: the pod's own requests and limits for cpu, memory and
    hugepages replace its containers' sums (component-helpers' PodRequests/PodLimits);
    what it does not set is still summed, and the overhead still adds."""
    pod = {"spec": {
        "containers": [_c("a", {"cpu": "100m", "memory": "64Mi"}, {"memory": "128Mi"}),
                       _c("b", {"cpu": "100m", "ephemeral-storage": "1Gi"})],
        "resources": {"requests": {"cpu": "1", "ephemeral-storage": "5Gi"},
                      "limits": {"cpu": "2", "memory": "1Gi"}},
        "overhead": {"cpu": "10m"}}}
    reqs, lims = requests_and_limits(pod)
    assert _printed(reqs) == {"cpu": "1010m", "memory": "64Mi", "ephemeral-storage": "1Gi"}
    assert _printed(lims) == {"cpu": "2010m", "memory": "1Gi"}
