"""`:xray KIND`: each object of a kind with what hangs off it (ReplicaSets, pods,
containers, claims, endpoints, the pods that use a ConfigMap ...), live, a health mark on
every node. The tree comes from `render.xray`; open branches stay open as it updates.
Keys on the node under the cursor: d describe, l logs, c checklist (pods), o rollout."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, Tree

from kubetui.kube.cluster import InformerGroup
from kubetui.kube.kinds import KINDS
from kubetui.render import xray
from kubetui.ui.screens.acting import ActingScreen

from ..widgets.footer import Footer

HEALTH = {"ok": ("●", "green"), "pending": ("◐", "yellow"), "error": ("✖", "red"),
          "done": ("○", "grey50"), "": ("·", "grey50")}


def label(node: xray.XNode, namespace: bool = False) -> Text:
    mark, colour = HEALTH.get(node.health, HEALTH[""])
    where = f"{node.namespace}/" if namespace and node.namespace else ""
    return Text.assemble((f"{mark} ", colour), (f"{node.kind} ", "dim"), (where, "dim"),
                         (node.name, "bold"),
                         (f"  {node.detail}" if node.detail else "", "dim"))


def _key(node: xray.XNode) -> tuple:
    return (node.kind, node.namespace, node.name)


class XrayScreen(ActingScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="xray.back"),
        Binding("d", "describe", "Describe", id="xray.describe"),
        Binding("l", "logs", "Logs", id="xray.logs"),
        Binding("c", "checklist", "Checklist", id="xray.checklist"),
        Binding("o", "rollout", "Rollout", id="xray.rollout"),
        Binding("E", "expand_all", "Expand all", id="xray.expand_all"),
    ]

    def __init__(self, cluster, kind: str, namespace: str | None = None):
        super().__init__()
        self.cluster, self.kind, self.namespace = cluster, kind, namespace
        self.roots: list[xray.XNode] = []
        self._open: set[tuple] = set()  # paths of expanded tree nodes
        self._groups: dict[str, InformerGroup] = {}
        self._seen: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(id="xray-title")
        tree: Tree = Tree(self.kind, id="xray")
        tree.show_root = False
        yield tree
        yield Footer()

    def on_mount(self) -> None:
        kinds = (self.kind, *xray.NEEDS.get(self.kind, ("Pod",)))
        for kind in dict.fromkeys(kinds):
            scoped = KINDS[kind].namespaced
            self._groups[kind] = self.cluster.watch(kind, self.namespace if scoped else None)
        self.query_one(Tree).focus()
        self.set_interval(1.0, self.rebuild)
        self.rebuild()

    def on_unmount(self) -> None:
        for group in self._groups.values():
            self.cluster.release(group)

    def rebuild(self) -> None:
        seen = tuple(g.store.version for g in self._groups.values())
        if seen == self._seen:
            return
        self._seen = seen
        objects = {k: list(g.store.snapshot()[1].values()) for k, g in self._groups.items()}
        self.roots = xray.tree(self.kind, objects, self.namespace)
        tree = self.query_one(Tree)
        cursor = self._path(tree.cursor_node) if tree.cursor_node is not None else None
        if tree.root.children:
            self._open = {self._path(n) for n in self._walk(tree.root) if n.is_expanded}
        tree.clear()
        restore = None
        for root in self.roots:
            found = self._add(tree.root, root, (), cursor)
            restore = restore or found
        if restore is not None:
            tree.move_cursor(restore)
        # how many of the roots (not of every node below them) have trouble somewhere
        worst = [{n.health for n in r.walk()} for r in self.roots]
        failing = sum(1 for h in worst if "error" in h)
        pending = sum(1 for h in worst if "pending" in h and "error" not in h)
        plural = KINDS[self.kind].plural if self.kind in KINDS else self.kind.lower() + "s"
        self.query_one("#xray-title", Static).update(Text.assemble(
            (" xray ", "bold reverse"), f" {len(self.roots)} {plural} "
            f"{'in ' + self.namespace if self.namespace else 'in all namespaces'}",
            (f"   {failing} with something failing" if failing else "", "red"),
            (f"   {pending} with something pending" if pending else "", "yellow"),
            ("   enter: open/close  E: expand all", "dim")))

    def _walk(self, node):
        for child in node.children:
            yield child
            yield from self._walk(child)

    def _path(self, node) -> tuple:
        parts = []
        while node is not None and node.data is not None:
            parts.append(_key(node.data))
            node = node.parent
        return tuple(reversed(parts))

    def _add(self, parent, x: xray.XNode, path: tuple, cursor):
        here = (*path, _key(x))
        # at first, roots with trouble open (the thing to look at is visible)
        opened = here in self._open or (not self._open and len(here) == 1
                                        and any(n.health == "error" for n in x.walk()))
        if x.children:
            node = parent.add(label(x, len(here) == 1 and not self.namespace), data=x,
                              expand=opened)
        else:
            node = parent.add_leaf(label(x, len(here) == 1 and not self.namespace), data=x)
        found = node if here == cursor else None
        for child in x.children:
            found = self._add(node, child, here, cursor) or found
        return found

    # -- keys
    def _selected(self) -> xray.XNode | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None else None

    def action_expand_all(self) -> None:
        self.query_one(Tree).root.expand_all()

    def action_describe(self) -> None:
        x = self._selected()
        if x is not None and x.kind in KINDS:
            self._describe(x.namespace or None, x.name, x.kind)

    @work(thread=True, exclusive=True, group="xray-describe", exit_on_error=False)
    def _describe(self, namespace: str, name: str, kind: str = "Pod") -> None:
        self.actions.describe_in_thread(kind, namespace, name)

    def _pod(self) -> dict | None:
        x = self._selected()
        if x is None or x.kind not in ("Pod", "Container"):
            self.notify("pick a pod", severity="warning", timeout=3)
            return None
        if x.kind == "Pod":
            name = x.name
        else:
            node = self.query_one(Tree).cursor_node
            parent = node.parent if node is not None else None
            if parent is None or parent.data is None:
                return None
            name = parent.data.name
        group = self._groups.get("Pod")
        return group.store.get(f"{x.namespace}/{name}") if group else None

    def action_logs(self) -> None:
        from kubetui.ui.screens.logs import LogScreen
        pod = self._pod()
        if pod is not None:
            self.app.push_screen(LogScreen(self.cluster, pod["metadata"]["namespace"], [pod],
                                           title=pod["metadata"]["name"]))

    def action_checklist(self) -> None:
        from kubetui.ui.screens.checklist import ChecklistScreen
        pod = self._pod()
        if pod is not None:
            self.app.push_screen(ChecklistScreen(self.cluster, pod["metadata"]["namespace"],
                                                 pod["metadata"]["name"],
                                                 self.app.settings.debug_image))

    def action_rollout(self) -> None:
        x = self._selected()
        if x is None or x.kind not in ("Deployment", "StatefulSet", "DaemonSet"):
            self.notify("pick a deployment, stateful set or daemon set", severity="warning",
                        timeout=3)
            return
        self.actions.watch_roll(x.kind, x.namespace, x.name)



__all__ = ["XrayScreen"]
