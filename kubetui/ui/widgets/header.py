"""The header: where you are (context, cluster, user, server version) and how the
streams feeding the view are doing. Two lines, each always one line: when the terminal
is narrow the top line gives way first (server, then user, then cluster are shortened
and dropped), and the view line (view, filter, count, stream state) is never pushed out;
its detail is what gets cut."""

from __future__ import annotations

from rich.text import Text
from textual.events import Resize
from textual.widgets import Static

HEALTH_STYLE = {
    "live": "bold green",
    "syncing": "bold yellow",
    "relisting": "bold yellow",
    "backing off": "bold red",
    "forbidden": "bold red",
    "stopped": "dim",
}

# the top line's fields, the first to give way first
GIVE_WAY = ("server", "user", "cluster", "k8s", "ns", "ctx")
MIN_FIELD = 12  # an ellipsized value keeps at least this much


def ellipsize(text: str, width: int, middle: bool = False) -> str:
    """`text` in `width` characters; `middle` keeps both ends (an EKS ARN's cluster name
    is at its end)."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if middle and width > 8:
        head = (width - 1) // 3
        return text[:head] + "…" + text[len(text) - (width - 1 - head):]
    return text[:max(width - 1, 0)] + "…"


def fit_top(fields: list[tuple[str, str]], width: int, badge: str = "") -> Text:
    """`fields` ((label, value), ...) in one line of `width`: long values are shortened,
    then whole fields dropped, in GIVE_WAY order."""
    values = dict(fields)
    order = [label for label, _ in fields]
    head = " kubetui " + (f" {badge} " if badge else "")

    def length() -> int:
        return len(head) + sum(len(f"  {label}: ") + len(values[label] or "-")
                               for label in order)

    for label in GIVE_WAY:  # shorten, a field at a time
        over = length() - width
        if over <= 0:
            break
        if label in values and label != "ns" and len(values[label]) > MIN_FIELD:
            values[label] = ellipsize(values[label], max(MIN_FIELD, len(values[label]) - over),
                                      middle=label != "server")
    for label in GIVE_WAY:  # then drop, a field at a time (ctx stays, shortened)
        if length() <= width:
            break
        if label in order and label != "ctx":
            order.remove(label)
    if "ctx" in values:  # the context is what people read: it gets what room is left
        original = dict(fields)["ctx"] or "-"
        room = width - (length() - len(values["ctx"] or "-"))
        values["ctx"] = ellipsize(original, max(room, 1), middle=True)
    top = Text(no_wrap=True, overflow="ellipsis")
    top.append(" kubetui ", style="bold reverse")
    if badge:
        top.append(f" {badge} ", style="bold reverse red")
    for label in order:
        top.append(f"  {label}: ", style="dim")
        top.append(values[label] or "-", style="bold")
    top.truncate(width, overflow="ellipsis")
    return top


LINT_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "dim"}


def fit_view(view: str, scope: str, count: int, health: str, detail: str,
             width: int, lint: tuple[str, str] | None = None) -> Text:
    """The view line: the state of the stream always shows; the detail, then the scope,
    then the view's name are cut to make room. `lint`: (text, worst severity) of the
    rows with findings, after the count."""
    state = f"● {health}"
    flag = f"{lint[0]}  " if lint and lint[0] else ""
    tail = f" [{count}]  "
    fixed = len(tail) + len(state) + len(flag)
    view = ellipsize(f" {view}", max(width - fixed, 8))
    room = width - fixed - len(view)
    scope = ellipsize(f"  {scope}", room) if scope and room > 3 else ""
    room -= len(scope)
    bottom = Text(no_wrap=True, overflow="ellipsis")
    bottom.append(view, style="bold")
    bottom.append(scope, style="dim")
    bottom.append(tail)
    if flag and lint is not None:
        bottom.append(flag, style=LINT_STYLE.get(lint[1], "bold"))
    bottom.append(state, style=HEALTH_STYLE.get(health, "bold"))
    if detail and room > 4:
        bottom.append(ellipsize(f"  {detail}", room), style="italic")
    bottom.truncate(width, overflow="ellipsis")
    return bottom


def favorites_line(favorites: list[str], namespace: str | None) -> str:
    """`<0>all <1>shop <2>payments`, the one in force marked with `*` (as k9s shows);
    one in force that is no favourite (nine are) after them, with no number."""
    out = [("<0>", "all", namespace is None)] + [
        (f"<{i}>", ns, ns == namespace) for i, ns in enumerate(favorites[:9], 1)]
    if namespace is not None and namespace not in favorites[:9]:
        out.append(("", namespace, True))
    return " ".join(f"{key}{name}{'*' if on else ''}" for key, name, on in out)


class ClusterHeader(Static):
    _last = ""
    _spans: list = []
    _args: dict | None = None

    def show(self, *, context: str, cluster: str, user: str, server: str, version: str,
             view: str, scope: str, count: int, health: str, detail: str,
             badge: str = "", favorites: list[str] | None = None,
             namespace: str | None = None, lint: tuple[str, str] | None = None) -> None:
        self._args = dict(context=context, cluster=cluster, user=user, server=server,
                          version=version, view=view, scope=scope, count=count,
                          health=health, detail=detail, badge=badge,
                          namespaces=favorites_line(favorites or [], namespace), lint=lint)
        self._draw()

    def on_resize(self, _: Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._args is None:
            return
        a = self._args
        width = self.size.width or 160
        top = fit_top([("ctx", a["context"]), ("ns", a["namespaces"]), ("cluster", a["cluster"]),
                       ("user", a["user"]), ("k8s", a["version"]), ("server", a["server"])],
                      width, a["badge"])
        bottom = fit_view(a["view"], a["scope"], a["count"], a["health"], a["detail"], width,
                          a.get("lint"))
        text = Text("\n").join([top, bottom])
        if text.plain != self._last or text.spans != self._spans:
            self._last, self._spans = text.plain, text.spans
            # its size is fixed (two lines, full width): no layout of the whole screen
            # (19 ms with 10,000 rows), which every count, sort or health change had cost
            self.update(text, layout=False)
