"""Whether the API server can reach a node's kubelet, and what it answers when it cannot.

A real API server proxies logs and exec to the kubelet at the node's InternalIP and
kubelet port. When that kubelet cannot be reached it says so in its own words (captured
from a v1.36 server, tests/fixtures/real-k8s/kubelet/):
- logs: HTTP 500, a Status with no reason and the dial error as message;
- exec over v5.channel.k8s.io: the upgrade succeeds (101), an empty stdout frame, then a
  channel-3 Status (InternalError, "Internal error occurred: error sending request: ...");
- exec over v4 only: the upgrade itself fails with HTTP 500 "error dialing backend: ...";
- a kubelet that accepts and never answers: logs get 500 "net/http: TLS handshake
  timeout" after 10 s; exec gets 101 and then nothing.

A node's annotation `sim.kubetui.dev/kubelet` says which (a real cluster ignores it):
`refused` (nothing listens) or `stalled` (accepts, never answers); anything else or
none is a reachable kubelet. `kubectl annotate node NAME sim.kubetui.dev/kubelet=refused`
breaks it at run time."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from .resources import BY_KIND

ANNOTATION = "sim.kubetui.dev/kubelet"
NODES = BY_KIND["Node"]
STALL_SECONDS = 10.0  # the API server's TLS handshake timeout to the kubelet


@dataclass(frozen=True)
class KubeletLink:
    state: str  # "ok", "refused" or "stalled"
    host: str
    port: int

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def url(self, path: str, query: list[tuple[str, str]] | None = None) -> str:
        # Go's url.Values.Encode: keys sorted, values in order, spaces as '+'
        q = ("?" + urlencode(sorted(query, key=lambda kv: kv[0]))) if query else ""
        return f"https://{self.host}:{self.port}{path}{q}"

    def dial_error(self) -> str:
        if self.state == "stalled":
            return "net/http: TLS handshake timeout"
        return f"dial tcp {self.host}:{self.port}: connect: connection refused"


def link_of(store, pod: dict) -> KubeletLink:
    node_name = (pod.get("spec") or {}).get("nodeName") or ""
    node = store.get(NODES, None, node_name) if node_name else None
    if node is None:
        return KubeletLink("ok", "", 10250)
    state = ((node.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION, "ok")
    status = node.get("status") or {}
    host = next((a.get("address", "") for a in status.get("addresses") or ()
                 if a.get("type") == "InternalIP"), node_name)
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get(
        "Port", 10250)
    return KubeletLink(state if state in ("refused", "stalled") else "ok", host, int(port))


def logs_message(link: KubeletLink, namespace: str, pod: str, container: str,
                 query: list[tuple[str, str]]) -> str:
    url = link.url(f"/containerLogs/{namespace}/{pod}/{container}", query)
    return f'Get "{url}": {link.dial_error()}'


def exec_message(link: KubeletLink, namespace: str, pod: str, container: str,
                 command: list[str], stdin: bool, tty: bool) -> str:
    query = [("command", c) for c in command]
    query += [("input", "1")] if stdin else []
    query += [("error", "1")] if not tty else []
    query += [("output", "1")] + ([("tty", "1")] if tty else [])
    url = link.url(f"/exec/{namespace}/{pod}/{container}", query)
    return f'error sending request: Post "{url}": {link.dial_error()}'


__all__ = ["ANNOTATION", "KubeletLink", "STALL_SECONDS", "exec_message", "link_of",
           "logs_message"]
