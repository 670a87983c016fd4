"""Where the user is (a stack of views, the breadcrumb) and where a key takes them: the
command bar's words, drilling down from an object to its pods, filters. Plain logic: it
knows no widgets, so the tests can drive it directly."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from kubetui.kube.kinds import KINDS, Kind
from kubetui.kube.kinds import kind as find_kind
from kubetui.render.printers import pod_selector

ALIASES = {"dp": "Deployment", "deploy": "Deployment", "ev": "Event", "po": "Pod",
           "svc": "Service", "no": "Node", "ns": "Namespace", "cm": "ConfigMap",
           "sec": "Secret", "hpa": "HorizontalPodAutoscaler", "crd": "CustomResourceDefinition",
           "ep": "Endpoints", "eps": "EndpointSlice", "rb": "RoleBinding",
           "crb": "ClusterRoleBinding", "cr": "ClusterRole", "sa": "ServiceAccount"}
COMMANDS = ("ctx", "context", "ns", "namespace", "theme", "q", "quit", "help", "timeline",
            "arch", "xray", "logs", "lint", "pulse", "pf", "portforward", "portforwards",
            "aliases", "alias", "a", "apply", "fleet")
# what `:aliases` lists besides the kinds: the words of each command, and what it does
COMMAND_WORDS = (
    (("ctx", "context", "contexts"), "switch context"),
    (("ns", "namespace", "namespaces"), "NAME: switch namespace (alone: list them)"),
    (("theme",), "NAME: switch theme"),
    (("arch", "architecture"), "[NS]: the architecture view"),
    (("xray",), "KIND: relationships"),
    (("logs",), "-l SELECTOR: logs of the pods a selector matches"),
    (("timeline",), "KIND/NAME: what happened, in order"),
    (("lint", "pulse"), "footguns"),
    (("pf", "portforward", "portforwards"), "the port-forwards"),
    (("aliases", "alias", "a"), "this list (ctrl+a)"),
    (("apply",), "FILE|DIR: server-side apply, after a dry-run diff"),
    (("fleet",), "every context at once; find NAME|-l SEL [KIND]; lint"),
    (("help",), "the keys"),
    (("q", "quit", "q!"), "quit"),
)


@dataclass
class ViewState:
    kind: str = "Pod"
    namespace: str | None = None  # None: all namespaces
    label_selector: str | None = None
    field_selector: str | None = None
    crumb: str = ""  # how the breadcrumb names this view (`deploy/frontend`)
    filter: str = ""
    sort_column: str | None = None
    sort_reverse: bool = False
    cursor_key: str | None = None
    found: Kind | None = None  # a kind found by discovery (built-in ones are in KINDS)

    @property
    def title(self) -> str:
        k = KINDS.get(self.kind) or self.found
        plural = k.plural if k else self.kind.lower() + "s"
        scope = "cluster" if k and not k.namespaced else self.namespace or "all"
        return f"{plural}({scope})"


@dataclass
class Command:
    """What a line typed after `:` asks for."""
    action: str  # "view", "ctx", "ns", "theme", "quit", "help", "arch", "xray", "logs",
    #              "lint", "pf", "aliases", "apply", "unknown"
    kind: str | None = None
    argument: str | None = None
    error: str = ""


def kind_for(word: str) -> str | None:
    word = word.strip()
    if not word:
        return None
    if word.lower() in ALIASES:
        return ALIASES[word.lower()]
    try:
        return find_kind(word).kind
    except KeyError:
        return None


def parse_command(line: str) -> Command:
    words = line.strip().lstrip(":").split()
    if not words:
        return Command("unknown", error="type a kind (po, deploy, svc, ...) or ctx, ns")
    head, arg = words[0].lower(), " ".join(words[1:]) or None
    if head in ("q", "quit", "q!"):
        return Command("quit")
    if head in ("ctx", "context", "contexts"):
        return Command("ctx", argument=arg)
    if head == "theme":
        return Command("theme", argument=arg)
    if head == "help":
        return Command("help")
    if head == "timeline":
        if not arg or "/" not in arg:
            return Command("unknown", error="timeline of what? e.g. :timeline deploy/api")
        return Command("timeline", argument=arg.split()[0])
    if head in ("pf", "portforward", "portforwards"):
        return Command("pf")
    if head in ("aliases", "alias", "a"):
        return Command("aliases")
    if head in ("lint", "pulse"):
        return Command("lint")
    if head == "fleet":  # (ui/screens/fleet.py reads the rest: find ..., lint)
        return Command("fleet", argument=arg)
    if head == "apply":
        if not arg:
            return Command("unknown", error="apply what? e.g. :apply ./manifests or "
                                            ":apply app.yaml")
        return Command("apply", argument=line.strip().lstrip(":").split(None, 1)[1])
    if head == "logs":
        selector = (arg or "").removeprefix("-l").strip()
        if not selector:
            return Command("unknown", error="logs of which pods? e.g. :logs -l app=web")
        return Command("logs", argument=selector)
    if head in ("arch", "architecture"):
        return Command("arch", argument=arg)
    if head == "xray":
        if not arg:
            return Command("unknown", error="xray what? e.g. :xray deploy, :xray svc, :xray cm")
        kind = kind_for(arg.split()[0].lower())
        if kind is None:
            return Command("unknown", error=f"unknown kind for xray: {arg}")
        return Command("xray", kind=kind)
    if head in ("ns", "namespace", "namespaces") and arg:
        return Command("ns", argument=arg)
    kind = kind_for(head)
    if kind is None:
        return Command("unknown", error=f"unknown command or kind: {head} (ctrl+a lists "
                       "every kind and alias)")
    return Command("view", kind=kind, argument=arg)


def completions() -> list[str]:
    words = {k.plural for k in KINDS.values()} | {s for k in KINDS.values() for s in k.short}
    words |= set(ALIASES) | set(COMMANDS)
    return sorted(words)


def owner_view(obj: dict) -> ViewState | None:
    """`J`: the view of an object's controlling owner (a pod's ReplicaSet, a ReplicaSet's
    Deployment, a Job's CronJob ...) in its namespace, the cursor on it (no filter, so
    one Escape goes back)."""
    meta = obj.get("metadata") or {}
    refs = meta.get("ownerReferences") or ()
    ref = next((r for r in refs if r.get("controller")), refs[0] if refs else None)
    if ref is None or ref.get("kind") not in KINDS:
        return None
    ns = meta.get("namespace") if KINDS[ref["kind"]].namespaced else None
    k = KINDS[ref["kind"]]
    short = k.short[0] if k.short else k.kind.lower()
    return ViewState(k.kind, ns, crumb=f"{short}/{ref['name']}",
                     cursor_key=f"{ns}/{ref['name']}" if ns else ref["name"])


def drill_down(kind: str, obj: dict, current: ViewState) -> ViewState | None:
    """The view `enter` opens on an object: its pods, or for a namespace, its pods there."""
    meta = obj.get("metadata") or {}
    name, ns = meta.get("name", ""), meta.get("namespace")
    short = KINDS[kind].short[0] if KINDS.get(kind) and KINDS[kind].short else kind.lower()
    if kind == "Namespace":
        return ViewState("Pod", name, crumb=f"ns/{name}")
    if kind == "Node":
        return ViewState("Pod", None, field_selector=f"spec.nodeName={name}",
                         crumb=f"node/{name}")
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        return ViewState("Pod", ns, label_selector=pod_selector(obj) or None,
                         crumb=f"{short}/{name}")
    if kind == "Service":
        if not pod_selector(obj):
            return None
        return ViewState("Pod", ns, label_selector=pod_selector(obj), crumb=f"svc/{name}")
    if kind == "CronJob":
        return ViewState("Job", ns, crumb=f"cj/{name}", filter=f"^{re.escape(name)}-")
    return None


@dataclass
class Filter:
    """`/` filters: a regex over the row; `!re` keeps what does not match; `-l sel` is a
    label selector sent to the server; `-f text` is a fuzzy match on the name."""
    pattern: re.Pattern | None = None
    inverse: bool = False
    fuzzy: str = ""
    label_selector: str | None = None
    error: str = ""
    text: str = field(default="")

    @property
    def reads_cells(self) -> bool:
        """Whether `keeps` looks at a row's cells (a regex does; none or fuzzy do not)."""
        return self.pattern is not None and not self.fuzzy

    def keeps(self, text: str, name: str) -> bool:
        """Whether a row stays: `text` is its cells joined by newlines (LazyRows.text),
        searched once, `^` and `$` matching at each cell's ends; `name` its name."""
        if self.fuzzy:
            return _fuzzy(self.fuzzy, name)
        if self.pattern is None:
            return True
        return (self.pattern.search(text) is not None) != self.inverse

    def kept(self, keys: Iterable[str], text: Callable[[str], str]) -> set[str]:
        """The keys (`namespace/name`) whose rows stay, of many at once; `text(key)` is
        a row's cells as `keeps` takes them, read only by a filter that reads them."""
        if self.reads_cells:  # (the regex over every row, with no call of ours a row)
            assert self.pattern is not None
            search, inverse = self.pattern.search, self.inverse
            return {k for k in keys if (search(text(k)) is None) is inverse}
        return {k for k in keys if self.keeps("", k.rsplit("/", 1)[-1])}


def _fuzzy(needle: str, hay: str) -> bool:
    it = iter(hay.lower())
    return all(ch in it for ch in needle.lower())


def parse_filter(text: str) -> Filter:
    text = text.strip()
    if not text:
        return Filter()
    if text.startswith("-l"):
        sel = text[2:].strip()
        return Filter(label_selector=sel or None, text=text)
    if text.startswith("-f"):
        return Filter(fuzzy=text[2:].strip(), text=text)
    inverse = text.startswith("!")
    body = text[1:] if inverse else text
    try:
        return Filter(re.compile(body, re.IGNORECASE | re.MULTILINE), inverse, text=text)
    except re.error as exc:
        return Filter(re.compile(re.escape(body), re.IGNORECASE | re.MULTILINE), inverse,
                      text=text,
                      error=f"not a valid regex ({exc}); matching the text as it is")


def with_filter(state: ViewState, text: str) -> ViewState:
    """A filter typed on a view: `-l` changes what the server sends, the rest what is shown."""
    f = parse_filter(text)
    if f.label_selector is not None or text.strip() == "-l":
        return replace(state, label_selector=f.label_selector, filter="")
    if not text.strip() and not state.crumb:  # an empty `/` clears whatever filters
        return replace(state, label_selector=None, filter="")
    return replace(state, filter=text)


# k9s's sort keys: shift + the letter, per column name.
SORT_KEYS = {"N": "NAME", "A": "AGE", "S": "STATUS", "R": "READY", "T": "RESTARTS",
             "I": "IP", "O": "NODE", "P": "NAMESPACE", "C": "CPU", "M": "MEM"}


def sort_column(letter: str, headers: tuple[str, ...]) -> str | None:
    wanted = SORT_KEYS.get(letter.upper())
    if wanted == "AGE" and wanted not in headers and "LAST SEEN" in headers:
        wanted = "LAST SEEN"  # an event's age is when it last happened
    if wanted in headers:
        return wanted
    return next((h for h in headers if h.startswith(letter.upper())), None)


def numeric_column(column: str) -> bool:
    """Counts (RESTARTS, READY ...) sort biggest first on the first press."""
    return column in ("RESTARTS", "READY", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE",
                      "DATA", "COUNT", "MINPODS", "MAXPODS", "REPLICAS", "CPU", "MEM",
                      "%CPU/R", "%MEM/L", "%CPU", "%MEM")

