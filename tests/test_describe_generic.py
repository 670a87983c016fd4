"""Describe of a kind kubectl has no describer for (an Event, a custom resource): kubectl's
genericDescriber (pkg/describe/describe.go: printUnstructuredContent, smartLabelFor)
prints every field but the header's and managedFields, under "Title Case" labels. The
expected texts are kubectl's own: kubectl v1.32.4's `describe` of the same objects served
by the sim (checked live below), and kubectl's describe_test.go for its content printer."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from conftest import make_namespace, wait_until
from real_k8s import load

from kubetui.render.describe import describe
from kubetui.render.describe_generic import SKIP, content, go_value, smart_label
from kubetui.render.describe_text import Writer

# an Event as the sim (and a real server) returns it, and kubectl describe's text of it
NODE_EVENT = {
    "metadata": {"name": "kubetui-control-plane.2beda6e19d988e4a", "namespace": "default",
                 "uid": "ad519a5d-8052-4a87-87e4-2f195f308123",
                 "creationTimestamp": "2026-12-02T03:48:53Z", "resourceVersion": "1112",
                 "managedFields": [{"manager": "kube-controller-manager",
                                    "operation": "Update", "apiVersion": "v1"}]},
    "involvedObject": {"kind": "Node", "name": "kubetui-control-plane",
                       "uid": "d0f9d9a8-f21b-4a8b-b9c7-04972208c1a5", "apiVersion": "v1",
                       "resourceVersion": "1108"},
    "reason": "RegisteredNode",
    "message": "Node kubetui-control-plane event: Registered Node kubetui-control-plane in "
               "Controller",
    "type": "Normal", "source": {"component": "node-controller"},
    "firstTimestamp": "2026-12-02T03:48:53Z", "lastTimestamp": "2026-12-02T03:48:53Z",
    "count": 1, "eventTime": None, "reportingComponent": "node-controller",
    "reportingInstance": "", "kind": "Event", "apiVersion": "v1"}
KUBECTL_NODE_EVENT = """\
Name:             kubetui-control-plane.2beda6e19d988e4a
Namespace:        default
Labels:           <none>
Annotations:      <none>
API Version:      v1
Count:            1
Event Time:       <nil>
First Timestamp:  2026-12-02T03:48:53Z
Involved Object:
  API Version:       v1
  Kind:              Node
  Name:              kubetui-control-plane
  Resource Version:  1108
  UID:               d0f9d9a8-f21b-4a8b-b9c7-04972208c1a5
Kind:                Event
Last Timestamp:      2026-12-02T03:48:53Z
Message:             Node kubetui-control-plane event: Registered Node \
kubetui-control-plane in Controller
Metadata:
  Creation Timestamp:  2026-12-02T03:48:53Z
  Resource Version:    1112
  UID:                 ad519a5d-8052-4a87-87e4-2f195f308123
Reason:                RegisteredNode
Reporting Component:   node-controller
Reporting Instance:    
Source:
  Component:  node-controller
Type:         Normal
Events:       <none>"""  # noqa: W291 - kubectl pads the empty Reporting Instance cell


def test_an_event_describes_as_kubectl_describes_it():
    assert describe(NODE_EVENT, []) == KUBECTL_NODE_EVENT


def test_an_event_shows_its_reason_message_object_source_count_and_times():
    text = describe(NODE_EVENT, None)
    for line in ("Reason:                RegisteredNode", "Type:         Normal",
                 "Count:            1", "First Timestamp:  2026-12-02T03:48:53Z",
                 "Last Timestamp:      2026-12-02T03:48:53Z",
                 "Reporting Component:   node-controller", "Involved Object:",
                 "  Kind:              Node", "Source:", "  Component:  node-controller"):
        assert line in text.split("\n"), line
    assert "Managed Fields" not in text and "kube-controller-manager" not in text
    assert "\nEvents:" not in text  # None: no Events section, as before


def test_a_real_servers_scheduler_event_shows_its_nulls_series_and_empty_source():
    """A real v1.36.2 server's core/v1 view of a repeated FailedScheduling: no count, the
    first/last timestamps null (Go's %v prints <nil>), a series, an empty source."""
    item = load("scheduling/insufficient-cpu.events.json")["core_v1"]["items"][-1]
    e = {"kind": "Event", "apiVersion": "v1", **item}  # as a GET of it returns it
    assert describe(e, None) == """\
Name:             insufficient-cpu.18ecdbabfee65f2a
Namespace:        sched
Labels:           <none>
Annotations:      <none>
Action:           Scheduling
API Version:      v1
Event Time:       2026-11-30T15:18:03.176384Z
First Timestamp:  <nil>
Involved Object:
  API Version:       v1
  Kind:              Pod
  Name:              insufficient-cpu
  Namespace:         sched
  Resource Version:  3548
  UID:               adb968e3-ab91-4351-898d-9cc4528511c4
Kind:                Event
Last Timestamp:      <nil>
Message:             0/3 nodes are available: 3 Insufficient cpu. no new claims to deallocate, \
preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.
Metadata:
  Creation Timestamp:  2026-11-30T15:18:03Z
  Resource Version:    3864
  UID:                 9f07834b-2711-4a7c-9322-087299eea79e
Reason:                FailedScheduling
Reporting Component:   default-scheduler
Reporting Instance:    default-scheduler-vm
Series:
  Count:               2
  Last Observed Time:  2026-11-30T15:18:12.222094Z
Source:
Type:  Warning"""


def test_kubectls_own_test_of_its_content_printer():
    """kubectl's TestDescribeUnstructuredContent: a list of maps, a skipped field at the
    top and one nested, acronyms (API, UID, URL), a number. (Its older expectation "Dummy
    2" predates smartLabelFor keeping a key with a digit as it is, as kubectl v1.32 does:
    `ipv4` in the live test below.)"""
    obj = {"apiVersion": "v1", "kind": "Test", "dummy1": "present", "dummy2": "present",
           "metadata": {"name": "MyName", "namespace": "MyNamespace",
                        "creationTimestamp": "2017-04-01T00:00:00Z",
                        "resourceVersion": 123,
                        "uid": "00000000-0000-0000-0000-000000000001",
                        "dummy3": "present"},
           "items": [{"itemBool": True, "itemInt": 42}],
           "url": "http://localhost", "status": "ok"}
    w = Writer()
    content(w, 0, obj, "", (".dummy1", ".metadata.dummy3"))
    assert "".join(w.parts) == (
        "API Version:\tv1\ndummy2:\tpresent\nItems:\n  Item Bool:\ttrue\n"
        "  Item Int:\t42\nKind:\tTest\nMetadata:\n"
        "  Creation Timestamp:\t2017-04-01T00:00:00Z\n  Name:\tMyName\n"
        "  Namespace:\tMyNamespace\n  Resource Version:\t123\n"
        "  UID:\t00000000-0000-0000-0000-000000000001\nStatus:\tok\n"
        "URL:\thttp://localhost\n")


# a custom resource of every shape, and kubectl describe's text of it as the sim serves it
WIDGET_SPEC = {
    "replicas": 3, "paused": False, "ratio": 0.25, "big": 1234567.5, "nothing": None,
    "empty": {}, "none": [], "hostIP": "10.0.0.1", "podCIDRs": ["10.1.0.0/24"],
    "apiURL": "https://x", "ipv4": "yes", "app.kubernetes.io/name": "w",
    "x-forwarded-for": "h",
    "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443,
                                             "tls": {"secretName": "cert"}}],
    "matrix": [[1, 2], ["a", None]],
    "selector": {"matchLabels": {"app": "w"}},
    "notes": "two\nlines"}
KUBECTL_WIDGET = """\
Name:         w1
Namespace:    generic-describe
Labels:       app=w
              tier=back
Annotations:  note: kept
API Version:  generic.kubetui.dev/v1
Kind:         Widget
Metadata:
  Creation Timestamp:  {created}
  Generation:          1
  Resource Version:    {rv}
  UID:                 {uid}
Spec:
  API URL:                 https://x
  app.kubernetes.io/name:  w
  Big:                     1.2345675e+06
  Empty:
  Host IP:  10.0.0.1
  ipv4:     yes
  Matrix:
    [1 2]
    [a <nil>]
  None:
  Notes:  two
lines
  Nothing:  <nil>
  Paused:   false
  Pod CID Rs:
    10.1.0.0/24
  Ports:
    Name:  http
    Port:  80
    Name:  https
    Port:  443
    Tls:
      Secret Name:  cert
  Ratio:            0.25
  Replicas:         3
  Selector:
    Match Labels:
      App:              w
  X - Forwarded - For:  h
Status:
  Conditions:
    Last Transition Time:  2026-12-01T10:00:00Z
    Status:                True
    Type:                  Ready"""


def _widget(meta: dict) -> dict:
    return {"apiVersion": "generic.kubetui.dev/v1", "kind": "Widget",
            "metadata": {"name": "w1", "namespace": "generic-describe",
                         "labels": {"tier": "back", "app": "w"},
                         "annotations": {"note": "kept"}, **meta},
            "spec": copy.deepcopy(WIDGET_SPEC),
            "status": {"conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": "2026-12-01T10:00:00Z"}]}}


def test_a_custom_resource_describes_as_kubectl_describes_it():
    meta = {"creationTimestamp": "2026-12-01T09:00:00Z", "generation": 1,
            "resourceVersion": "77", "uid": "u-1",
            "managedFields": [{"manager": "kubectl-create"}]}
    assert describe(_widget(meta), None) == KUBECTL_WIDGET.format(
        created="2026-12-01T09:00:00Z", rv="77", uid="u-1")


@pytest.mark.parametrize(("field", "label"), [
    ("involvedObject", "Involved Object"), ("apiVersion", "API Version"), ("uid", "UID"),
    ("url", "URL"), ("hostIP", "Host IP"), ("podIPs", "Pod I Ps"), ("PDFLoader", "PDF Loader"),
    ("id", "Id"), ("guid", "GUID"), ("x-y", "X - Y"), ("ipv4", "ipv4"), ("a.b", "a.b"),
    ("some_field", "some_field")])
def test_smart_labels_are_kubectls(field, label):
    assert smart_label(field) == label


@pytest.mark.parametrize(("value", "text"), [
    (None, "<nil>"), (True, "true"), (3, "3"), (1.0, "1"), (0.5, "0.5"), (1e6, "1e+06"),
    (123456.0, "123456"), (1e-5, "1e-05"), ([1, [2, None]], "[1 [2 <nil>]]"),
    ({"b": 1, "a": "x"}, "map[a:x b:1]")])
def test_values_are_printed_as_gos_percent_v(value, text):
    assert go_value(value) == text


def test_the_header_fields_and_managed_fields_are_not_printed_again():
    assert set(SKIP) == {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
                         ".metadata.labels", ".metadata.annotations"}
    obj = {"kind": "Lease", "metadata": {
        "name": "n", "labels": {"a": "b"}, "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"secret\": 1}"}}}
    text = describe(obj, None)
    assert text == ("Name:         n\nNamespace:    \nLabels:       a=b\n"
                    "Annotations:  <none>\nKind:         Lease\nMetadata:")


# --- live: kubectl v1.32's own describe of the same objects, served by the sim ---------

CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.generic.kubetui.dev"},
       "spec": {"group": "generic.kubetui.dev", "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                "versions": [{"name": "v1", "served": True, "storage": True,
                              "schema": {"openAPIV3Schema": {
                                  "type": "object",
                                  "x-kubernetes-preserve-unknown-fields": True}}}]}}


def _before_events(text: str) -> str:
    return text.split("\nEvents:")[0].rstrip("\n")


def test_kubectl_describes_an_event_and_a_custom_resource_as_kubetui_does(
        sim, kubectl, kubeconfig):
    from kubetui.kube.client import KubeClient
    from kubetui.kube.config import load_kubeconfig
    from kubetui.kube.evidence import described

    ns = make_namespace(sim, "generic-describe")
    kubectl("create", "-f", "-", input=yaml.safe_dump(CRD))
    wait_until(lambda: "Established" in kubectl(
        "get", "crd", CRD["metadata"]["name"], "-o", "yaml").stdout)
    widget = _widget({})
    kubectl("create", "-f", "-", input=json.dumps(widget))
    served = json.loads(kubectl("get", "widgets", "w1", "-n", ns, "-o", "json").stdout)
    theirs = kubectl("describe", "widgets", "w1", "-n", ns).stdout
    assert _before_events(describe(served, [])) == _before_events(theirs)
    meta = served["metadata"]
    assert _before_events(theirs) == KUBECTL_WIDGET.format(
        created=meta["creationTimestamp"], rv=meta["resourceVersion"], uid=meta["uid"])

    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    try:
        for e in sim.list("Event")[:5]:
            name, evns = e["metadata"]["name"], e["metadata"].get("namespace")
            for _ in range(5):  # a repeating event may count up between the two reads
                theirs = kubectl("describe", "event", name, "-n", evns).stdout
                ours = described(client, "Event", evns, name)[1]
                if _before_events(ours) == _before_events(theirs):
                    break
            assert _before_events(ours) == _before_events(theirs), name
            assert "Involved Object:" in ours and "Reason:" in ours
    finally:
        client.close()


async def test_d_on_an_event_in_the_browser_shows_its_reason_message_and_object(make_app):
    """The user's report: `d` on an Event showed only its name, labels and creation."""
    from conftest import wait_for
    from helpers import command, filter_by, names

    from kubetui.ui.screens.object import ObjectScreen

    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        await command(pilot, "ev")
        await filter_by(pilot, "RegisteredNode")
        assert await wait_for(pilot, lambda: len(names(app)) >= 1)
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = app.screen.text()
        for line in ("Reason:", "Message:", "Involved Object:", "  Kind:", "Source:",
                     "First Timestamp:", "Last Timestamp:", "Count:", "Type:"):
            assert line in text, line
        assert "RegisteredNode" in text and "Registered Node" in text
