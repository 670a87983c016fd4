"""`kubectl describe node` as kubectl 1.36 prints it (describe.go `describeNode`): the
node's own fields, its Lease (the kubelet's heartbeat in kube-node-lease), its
non-terminated pods with their requests and limits against allocatable, and the sums
in Allocated resources (`describeNodeResource`, `getPodsTotalRequestsAndLimits`).

The pods and the Lease are read by the caller: each is given as the objects, as the
reason it could not be read (a str, shown in the server's words; never an empty table
that would read as "nothing runs here"), or None when nobody looked (the section is
left out)."""

from __future__ import annotations

from .age import age
from .describe_text import Writer, annotation_lines, go_bool, labels, taints
from .go_quantity import ZERO, Quantity, add, canonical, larger, milli, parse, percent, whole
from .json_types import Obj
from .metrics import pod_level
from .printers import node_roles

Resources = dict[str, Quantity]
STANDARD = ("cpu", "memory", "ephemeral-storage")
HUGEPAGES = "hugepages-"


def node(w: Writer, n: Obj, now: float, pods: list[Obj] | str | None = None,
         lease: Obj | str | None = None) -> None:
    meta, spec, st = n.get("metadata") or {}, n.get("spec") or {}, n.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Roles:\t{node_roles(meta.get('labels') or {})}\n")
    labels(w, "Labels", meta.get("labels"))
    annotation_lines(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{w.time(meta.get('creationTimestamp'))}\n")
    taints(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{go_bool(spec.get('unschedulable'))}\n")
    if isinstance(lease, str):
        w.write(0, f"Lease:\tFailed to get lease: {lease}\n")
    elif lease is not None:
        _lease(w, lease)
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\t"
                   "Reason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \t"
                       f"{w.time(c.get('lastHeartbeatTime'))} \t"
                       f"{w.time(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t"
                       f"{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for a in st.get("addresses") or ():
        w.write(1, f"{a.get('type')}:\t{a.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if st.get(key):
            w.write(0, f"{title}:\n")
            for name in sorted(st[key]):
                w.write(0, f"  {name}:\t{_canonical(st[key][name])}\n")
    _system_info(w, spec, st.get("nodeInfo") or {})
    if isinstance(pods, str):
        w.write(0, f"Non-terminated Pods:\tcould not list the pods on this node: {pods}\n")
        w.write(0, "Allocated resources:\tunknown: the pods on this node could not be "
                   "listed\n")
    elif pods is not None:
        allocatable = st.get("allocatable") or st.get("capacity") or {}
        _pods(w, pods, {k: parse(v) for k, v in allocatable.items()}, now)


def _canonical(value: object) -> str:
    """A capacity as kubectl prints it (Quantity.String()); as sent if it is none."""
    try:
        return canonical(parse(value))
    except ValueError:
        return str(value)


def _lease(w: Writer, lease: Obj) -> None:
    """describeNodeLease: the holder and the times, `<unset>` where the kubelet left one."""
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    holder = spec.get("holderIdentity")
    w.write(1, f"HolderIdentity:\t{'<unset>' if holder is None else holder}\n")
    for title, key in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
        w.write(1, f"{title}:\t{w.time(spec[key]) if spec.get(key) else '<unset>'}\n")


def _system_info(w: Writer, spec: Obj, info: Obj) -> None:
    w.write(0, "System Info:\n")
    for title, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"),
                       ("Boot ID", "bootID"), ("Kernel Version", "kernelVersion"),
                       ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
                       ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion")):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if info.get("kubeProxyVersion"):  # deprecated, and no longer set by 1.31+ kubelets
        w.write(0, f"  Kube-Proxy Version:\t{info['kubeProxyVersion']}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")


def _cell(q: Quantity, of: Quantity, cpu: bool, guarded: bool = False) -> str:
    """`208Mi (2%)`: the quantity and its share of allocatable (cpu in millis, the rest
    in whole units, as kubectl divides them). kubectl's pod rows divide unguarded; its
    Allocated resources (`guarded`) say 0% of nothing."""
    part, total = (milli(q), milli(of)) if cpu else (whole(q), whole(of))
    return f"{canonical(q)} ({0 if guarded and not total else percent(part, total)}%)"


def _pods(w: Writer, pods: list[Obj], allocatable: Resources, now: float) -> None:
    cpu, memory = allocatable.get("cpu", ZERO), allocatable.get("memory", ZERO)
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\t"
               "Age\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t"
               "---\n")
    total_req: Resources = {}
    total_lim: Resources = {}
    for p in pods:
        req, lim = requests_and_limits(p)
        meta = p.get("metadata") or {}
        w.write(1, f"{meta.get('namespace', '')}\t{meta.get('name', '')}\t\t"
                   f"{_cell(req.get('cpu', ZERO), cpu, True)}\t"
                   f"{_cell(lim.get('cpu', ZERO), cpu, True)}\t"
                   f"{_cell(req.get('memory', ZERO), memory, False)}\t"
                   f"{_cell(lim.get('memory', ZERO), memory, False)}\t"
                   f"{_age(meta.get('creationTimestamp'), now)}\n")
        _add_all(total_req, req)
        _add_all(total_lim, lim)
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    huge = sorted(k for k in allocatable if k.startswith(HUGEPAGES))
    for name in ("cpu", "memory", "ephemeral-storage", *huge):
        of = allocatable.get(name, ZERO)
        r, li = total_req.get(name, ZERO), total_lim.get(name, ZERO)
        w.write(1, f"{name}\t{_cell(r, of, name == 'cpu', guarded=True)}\t"
                   f"{_cell(li, of, name == 'cpu', guarded=True)}\n")
    extended = sorted(k for k in allocatable if k not in STANDARD and k != "pods"
                      and not k.startswith(HUGEPAGES))
    for name in extended:
        w.write(1, f"{name}\t{canonical(total_req.get(name, ZERO))}\t"
                   f"{canonical(total_lim.get(name, ZERO))}\n")


def _age(stamp: str | None, now: float) -> str:
    """translateTimestampSince: `<unknown>` for a zero time."""
    return age(stamp, now) if stamp else "<unknown>"


def _add_all(into: Resources, more: Resources) -> None:
    for name, q in more.items():
        into[name] = add(into[name], q) if name in into else q


def _max_all(into: Resources, more: Resources) -> None:
    for name, q in more.items():
        into[name] = larger(into[name], q) if name in into else q


def _list(resources: Obj | None) -> Resources:
    return {k: parse(v) for k, v in (resources or {}).items()}


def requests_and_limits(pod: Obj) -> tuple[Resources, Resources]:
    """resourcehelper.PodRequestsAndLimits: the app containers summed (a resized
    container's allocated requests when larger), each init container against that sum
    (the largest wins), sidecars (restartPolicy Always) added to both; what the pod sets
    for itself (`spec.resources`) in place of the containers' sum; then the pod's
    overhead: added to the requests and to each non-zero limit."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    statuses = {cs.get("name"): cs for cs in status.get("containerStatuses") or ()}
    reqs: Resources = {}
    lims: Resources = {}
    for c in spec.get("containers") or ():
        res = c.get("resources") or {}
        want = _list(res.get("requests"))
        cs = statuses.get(c.get("name"))
        if cs is not None and cs.get("resources") is not None:
            given = _list((cs.get("resources") or {}).get("requests"))
            if status.get("resize") == "Infeasible":
                want = given
            else:
                for name, q in given.items():  # Go's max(): the status's when not less
                    if name not in want or want[name].value <= q.value:
                        want[name] = q
        _add_all(reqs, want)
        _add_all(lims, _list(res.get("limits")))
    for key, total in (("requests", reqs), ("limits", lims)):
        sidecars: Resources = {}
        init: Resources = {}
        for c in spec.get("initContainers") or ():
            own = _list((c.get("resources") or {}).get(key))
            if c.get("restartPolicy") == "Always":
                _add_all(total, own)
                _add_all(sidecars, own)
                one = dict(sidecars)
            else:
                one = dict(own)
                _add_all(one, sidecars)
            _max_all(init, one)
        _max_all(total, init)
    for key, total in (("requests", reqs), ("limits", lims)):  # the pod's own, if set
        for name, q in _list((spec.get("resources") or {}).get(key)).items():
            if pod_level(name):
                total[name] = q
    overhead = _list(spec.get("overhead"))
    _add_all(reqs, overhead)
    for name, q in overhead.items():
        if name in lims and lims[name].value != 0:
            lims[name] = add(lims[name], q)
    return reqs, lims


__all__ = ["node", "requests_and_limits"]
