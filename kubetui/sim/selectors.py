"""Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from kubetui.render.printers import selector_string  # noqa: F401 (re-exported)

from .meta import ApiError, dig

Matcher = Callable[[dict], bool]

_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_NAME = r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)"
_KEY_RE = re.compile(rf"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?{_NAME}$")
_VALUE_RE = re.compile(rf"^{_NAME}?$")


def _checked(key: str, value: str) -> tuple[str, str]:
    """The real server's lexer refuses what is not a label key or value, e.g. `app===x`:
    "unable to parse requirement: found '=', expected: identifier"."""
    if value[:1] in ("=", "!", "(", ")", ","):
        raise ApiError(400, "BadRequest", f"unable to parse requirement: found "
                                          f"'{value[0]}', expected: identifier")
    if not _KEY_RE.match(key):
        raise ApiError(400, "BadRequest", f"unable to parse requirement: key: Invalid value: "
                                          f'"{key}": name part must consist of alphanumeric '
                                          "characters, '-', '_' or '.'")
    if not _VALUE_RE.match(value):
        raise ApiError(400, "BadRequest", f"unable to parse requirement: values[0][{key}]: "
                                          f'Invalid value: "{value}": a valid label must be '
                                          "an empty string or consist of alphanumeric "
                                          "characters, '-', '_' or '.'")
    return key, value


def _label_term(term: str) -> Callable[[dict], bool]:
    for op in ("!=", "==", "="):
        if op in term and "(" not in term:
            key, _, value = term.partition(op)
            key, value = _checked(key.strip(), value.strip())
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: labels.get(key) == value
    m = _SET_RE.match(term)
    if not m:
        raise ApiError(400, "BadRequest", f"unable to parse requirement: {term!r}")
    neg, key, op, values = m.groups()
    if op:
        vals = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in vals
        return lambda labels: labels.get(key) not in vals
    if neg:
        return lambda labels: key not in labels
    return lambda labels: key in labels


def label_matcher(selector: str | None) -> Matcher | None:
    if not selector:
        return None
    terms = [_label_term(t) for t in _split_top(selector)]

    def match(obj: dict) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(t(labels) for t in terms)

    return match


# what the server's selectable fields say for an unset bool or count (Go's zero values)
UNSET = {"spec.unschedulable": "false", "spec.hostNetwork": "false", "status.replicas": "0",
         "status.successful": "0"}


def _field_value(obj: dict, path: str) -> str:
    value = dig(obj, path)
    if value is None:
        return UNSET.get(path, "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# The field labels the real server converts, by (group, kind): the kinds with a
# conversion function of their own (pkg/apis/*/v1/conversion.go) refuse any other with
# 400 "field label not supported: X"; every other built-in kind takes only its name and
# namespace (apimachinery's DefaultMetaV1FieldSelectorConversion), and refuses any other
# in that function's words. (Where a label's support is uncertain it is left out: a sim
# that refuses it teaches kubetui nothing a real cluster would refuse.)
POD_FIELDS = frozenset((
    "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
    "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
    "status.podIP", "status.podIPs", "status.nominatedNodeName"))
META_FIELDS = frozenset(("metadata.name", "metadata.namespace"))
OWN_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("", "Pod"): POD_FIELDS,
    ("", "Node"): frozenset(("metadata.name", "spec.unschedulable")),
    ("", "Namespace"): frozenset(("metadata.name", "status.phase")),
    ("", "Secret"): META_FIELDS | {"type"},
    ("", "Service"): META_FIELDS | {"spec.clusterIP"},
    ("", "ReplicationController"): META_FIELDS | {"status.replicas"},
    ("", "Event"): META_FIELDS | {
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"},
    ("apps", "ReplicaSet"): META_FIELDS | {"status.replicas"},
    ("batch", "Job"): META_FIELDS | {"status.successful"},
}


@dataclass(frozen=True)
class FieldLabels:
    """The fields a kind can be selected by, and how the server refuses another."""
    fields: frozenset[str]
    own: bool  # a conversion function of its own (else the default one)

    def refusal(self, path: str) -> str:
        if self.own:
            return f"field label not supported: {path}"
        return f'"{path}" is not a known field selector: only "metadata.name", ' \
               '"metadata.namespace"'


def field_labels(group: str, kind: str) -> FieldLabels:
    own = OWN_FIELDS.get((group, kind))
    return FieldLabels(own, True) if own is not None else FieldLabels(META_FIELDS, False)


def field_matcher(selector: str | None, supported: FieldLabels | None = None,
                  ) -> Matcher | None:
    """A fieldSelector's matcher; with `supported`, a field outside it is refused as the
    real server refuses it (a custom resource's, or a virtual kind's, are not checked)."""
    if not selector:
        return None
    terms = []
    for term in _split_top(selector):
        for op in ("!=", "==", "="):
            if op in term:
                path, _, value = term.partition(op)
                if supported is not None and path.strip() not in supported.fields:
                    raise ApiError(400, "BadRequest", supported.refusal(path.strip()))
                terms.append((path.strip(), op == "!=", value.strip()))
                break
        else:
            raise ApiError(400, "BadRequest", f"invalid field selector: {term!r}")

    def match(obj: dict) -> bool:
        for path, negate, value in terms:
            if (_field_value(obj, path) == value) == negate:
                return False
        return True

    return match


def combine(*matchers: Matcher | None) -> Matcher | None:
    active = [m for m in matchers if m is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(m(obj) for m in active)


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """Does a LabelSelector object select these labels? (An empty selector selects all.)"""
    sel = selector or {}
    text = selector_string(sel.get("matchLabels"), sel.get("matchExpressions"))
    matcher = label_matcher(text)
    return matcher is None or matcher({"metadata": {"labels": labels or {}}})
