"""RBAC as the real authorizer evaluates it, over the Role / ClusterRole / RoleBinding /
ClusterRoleBinding objects in the store; the 403 Status with the real message; and
SelfSubjectAccessReview / SelfSubjectRulesReview, so `kubectl auth can-i` works."""

from __future__ import annotations

from fnmatch import fnmatchcase

import orjson
from aiohttp import web

from .auth import USER, User
from .meta import ApiError, bad_request, details, now_rfc3339
from .protobuf import review_spec, unwrap
from .resources import BY_KIND

ROLES, CLUSTER_ROLES = BY_KIND["Role"], BY_KIND["ClusterRole"]
BINDINGS, CLUSTER_BINDINGS = BY_KIND["RoleBinding"], BY_KIND["ClusterRoleBinding"]
RBAC_GROUP = "rbac.authorization.k8s.io"
READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]

# The bootstrap policy, reduced to what matters here.
BOOTSTRAP_ROLES = {
    "cluster-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                      {"nonResourceURLs": ["*"], "verbs": ["*"]}],
    "admin": [{"apiGroups": ["", "apps", "batch", "autoscaling", "networking.k8s.io",
                             "policy", "discovery.k8s.io", RBAC_GROUP],
               "resources": ["*"], "verbs": ["*"]}],
    "edit": [{"apiGroups": ["", "apps", "batch", "autoscaling", "networking.k8s.io", "policy"],
              "resources": ["*"], "verbs": READ + WRITE}],
    "view": [{"apiGroups": ["", "apps", "batch", "autoscaling", "networking.k8s.io", "policy",
                            "discovery.k8s.io", "metrics.k8s.io"],
              "resources": ["pods", "pods/log", "pods/status", "services", "endpoints",
                            "configmaps", "events", "persistentvolumeclaims",
                            "serviceaccounts", "replicationcontrollers", "deployments",
                            "deployments/scale", "replicasets", "statefulsets", "daemonsets",
                            "jobs", "cronjobs", "horizontalpodautoscalers", "ingresses",
                            "networkpolicies", "poddisruptionbudgets", "endpointslices",
                            "namespaces", "limitranges", "resourcequotas"],
              "verbs": READ}],
    "system:discovery": [{"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*",
                                              "/healthz", "/livez", "/openapi",
                                              "/openapi/*", "/readyz", "/version",
                                              "/version/"],
                          "verbs": ["get"]}],
    "system:public-info-viewer": [{"nonResourceURLs": ["/healthz", "/livez", "/readyz",
                                                       "/version", "/version/"],
                                   "verbs": ["get"]}],
    # what the captured v1.36 server grants every authenticated user under /.well-known
    # (its rules review lists it; the role's name is not in the capture)
    "system:well-known-viewer": [{"nonResourceURLs": ["/.well-known", "/.well-known/*"],
                                  "verbs": ["get"]}],
    "system:basic-user": [{"apiGroups": ["authorization.k8s.io"],
                           "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                           "verbs": ["create"]},
                          {"apiGroups": ["authentication.k8s.io"],
                           "resources": ["selfsubjectreviews"], "verbs": ["create"]}],
}
BOOTSTRAP_BINDINGS = {
    "cluster-admin": ("cluster-admin", "system:masters"),
    "kubeadm:cluster-admins": ("cluster-admin", "kubeadm:cluster-admins"),
    "system:discovery": ("system:discovery", "system:authenticated"),
    "system:public-info-viewer": ("system:public-info-viewer", "system:authenticated"),
    "system:well-known-viewer": ("system:well-known-viewer", "system:authenticated"),
    "system:basic-user": ("system:basic-user", "system:authenticated"),
}


def bootstrap(api) -> None:
    labels = {"kubernetes.io/bootstrapping": "rbac-defaults"}
    for name, rules in BOOTSTRAP_ROLES.items():
        api.create(CLUSTER_ROLES, None, {"metadata": {"name": name, "labels": labels},
                                         "rules": rules})
    for name, (role, group) in BOOTSTRAP_BINDINGS.items():
        api.create(CLUSTER_BINDINGS, None, {
            "metadata": {"name": name, "labels": labels},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": group}]})


def _subject_matches(subject: dict, user: User, binding_ns: str | None) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == user.name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_ns
        return user.name == f"system:serviceaccount:{ns}:{name}"
    return False


def _rule_allows(rule: dict, verb: str, group: str, resource: str, name: str | None) -> bool:
    if "*" not in rule.get("verbs", ()) and verb not in rule.get("verbs", ()):
        return False
    groups = rule.get("apiGroups") or ()
    if "*" not in groups and group not in groups:
        return False
    base, _, sub = resource.partition("/")
    resources = rule.get("resources") or ()
    if not any(r in ("*", resource) or (sub and r == f"{base}/*") or (
            sub and r == f"*/{sub}") for r in resources):
        return False
    names = rule.get("resourceNames") or ()
    return not names or name in names


def _path_allowed(rule: dict, verb: str, path: str) -> bool:
    verbs = rule.get("verbs") or ()
    return ("*" in verbs or verb in verbs) and any(
        u == path or u == "*" or (u.endswith("*") and fnmatchcase(path, u))
        for u in rule.get("nonResourceURLs") or ())


class Authorizer:
    def __init__(self, store):
        self.store = store

    def rules(self, user: User, namespace: str | None) -> list[dict]:
        """Every rule that applies to the user in this namespace (or cluster-wide)."""
        return [rule for rule, _ in self.sourced_rules(user, namespace)]

    def sourced_rules(self, user: User, namespace: str | None) -> list[tuple[dict, str]]:
        """Each rule with what grants it, in the real authorizer's words: `RoleBinding
        "dev-view/shop" of ClusterRole "view" to User "dev"`."""
        out: list[tuple[dict, str]] = []
        for b in self.store.list(CLUSTER_BINDINGS):
            subject = next((s for s in b.get("subjects") or ()
                            if _subject_matches(s, user, None)), None)
            if subject is not None:
                ref = b["roleRef"]
                source = (f'ClusterRoleBinding "{b["metadata"]["name"]}" of '
                          f'{ref.get("kind")} "{ref.get("name")}" to {_describe(subject)}')
                out += [(r, source) for r in self._role_rules(ref, None)]
        if namespace:
            for b in self.store.list(BINDINGS, namespace):
                subject = next((s for s in b.get("subjects") or ()
                                if _subject_matches(s, user, namespace)), None)
                if subject is not None:
                    ref = b["roleRef"]
                    source = (f'RoleBinding "{b["metadata"]["name"]}/{namespace}" of '
                              f'{ref.get("kind")} "{ref.get("name")}" to '
                              f'{_describe(subject, namespace)}')
                    out += [(r, source) for r in self._role_rules(ref, namespace)]
        return out

    def _role_rules(self, ref: dict, namespace: str | None) -> list[dict]:
        if ref.get("kind") == "ClusterRole":
            role = self.store.get(CLUSTER_ROLES, None, ref.get("name", ""))
        else:
            role = self.store.get(ROLES, namespace, ref.get("name", ""))
        return list((role or {}).get("rules") or ())

    def allowed(self, user: User, verb: str, group: str, resource: str,
                namespace: str | None, name: str | None = None) -> bool:
        return self.allowed_by(user, verb, group, resource, namespace, name) is not None

    def allowed_by(self, user: User, verb: str, group: str, resource: str,
                   namespace: str | None, name: str | None = None) -> str | None:
        """What grants it (see sourced_rules), or None when nothing does."""
        return next((source for r, source in self.sourced_rules(user, namespace)
                     if "nonResourceURLs" not in r
                     and _rule_allows(r, verb, group, resource, name)), None)

    def path_allowed(self, user: User, verb: str, path: str) -> bool:
        return any(_path_allowed(r, verb, path) for r in self.rules(user, None))


def verb_for(method: str, name: str | None, watch: bool) -> str:
    if method == "GET":
        return "watch" if watch else ("get" if name else "list")
    return {"POST": "create", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete" if name else "deletecollection"}.get(method, method.lower())


def forbidden(user: User, verb: str, res, resource: str, namespace: str | None,
              name: str | None) -> ApiError:
    what = f'{res.qualified} "{name}"' if name else res.qualified
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    return ApiError(403, "Forbidden",
                    f'{what} is forbidden: User "{user.name}" cannot {verb} resource '
                    f'"{resource}" in API group "{res.group}" {where}',
                    details(res, name))


class AccessReviews:
    """SelfSubjectAccessReview and SelfSubjectRulesReview (virtual, create-only)."""

    def __init__(self, sim):
        self.sim = sim
        sim.virtual_handlers["selfsubjectaccessreviews.authorization.k8s.io"] = self.access
        sim.virtual_handlers["selfsubjectrulesreviews.authorization.k8s.io"] = self.rules
        sim.virtual_handlers["selfsubjectreviews.authentication.k8s.io"] = self.whoami

    async def whoami(self, request: web.Request, route) -> web.Response:
        if request.method != "POST":
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on "
                                                    "the requested resource")
        user = request[USER]
        return _json({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                      "metadata": {"creationTimestamp": None},
                      "status": {"userInfo": {"username": user.name,
                                              "groups": list(user.groups)}}}, 201)

    async def _body(self, request: web.Request) -> dict:
        if request.method != "POST":
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on "
                                                    "the requested resource")
        raw = await request.read()
        try:
            if "protobuf" in request.headers.get("Content-Type", ""):
                _, kind, message = unwrap(raw)  # kubectl auth can-i sends only protobuf
                return {"spec": review_spec(kind, message)}
            return orjson.loads(raw)
        except (orjson.JSONDecodeError, ValueError, IndexError) as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from exc

    async def access(self, request: web.Request, route) -> web.Response:
        """As the real server answers: the spec echoed without its empty fields, the
        managedFields entry a create gets, `allowed` and, when RBAC allows it, which
        binding does (a denial carries no reason)."""
        body = await self._body(request)
        user, spec = request[USER], _omit_empty(body.get("spec") or {})
        authz = self.sim.authorizer
        if "nonResourceAttributes" in spec:
            nra = spec["nonResourceAttributes"]
            ok = authz.path_allowed(user, nra.get("verb", "get"), nra.get("path", "/"))
            reason = None
        else:
            ra = spec.get("resourceAttributes") or {}
            resource = ra.get("resource", "")
            if ra.get("subresource"):
                resource += "/" + ra["subresource"]
            reason = authz.allowed_by(user, ra.get("verb", "get"), ra.get("group", ""),
                                      resource, ra.get("namespace") or None,
                                      ra.get("name") or None)
            ok = reason is not None
        status: dict = {"allowed": ok}
        if reason:
            status["reason"] = f"RBAC: allowed by {reason}"
        managed = {"manager": request.headers.get("User-Agent", "unknown").split("/")[0],
                   "operation": "Update", "apiVersion": "authorization.k8s.io/v1",
                   "time": now_rfc3339(), "fieldsType": "FieldsV1",
                   "fieldsV1": {"f:spec": _fields(spec)}}
        return _json({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                      "metadata": {"managedFields": [managed]}, "spec": spec,
                      "status": status}, 201)

    async def rules(self, request: web.Request, route) -> web.Response:
        """As the real server answers: empty metadata and spec (the namespace asked about
        is not echoed), the rules that apply there, cluster-wide ones first."""
        body = await self._body(request)
        user, spec = request[USER], body.get("spec") or {}
        rules = self.sim.authorizer.rules(user, spec.get("namespace") or None)
        resource_rules = [{k: r[k] for k in ("verbs", "apiGroups", "resources", "resourceNames")
                           if r.get(k)} for r in rules if "nonResourceURLs" not in r]
        non_resource = [{"verbs": r["verbs"], "nonResourceURLs": r["nonResourceURLs"]}
                        for r in rules if "nonResourceURLs" in r]
        return _json({"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
                      "metadata": {}, "spec": {},
                      "status": {"resourceRules": resource_rules,
                                 "nonResourceRules": non_resource, "incomplete": False}}, 201)


def _describe(subject: dict, namespace: str | None = None) -> str:
    """A binding's subject as the authorizer names it in a reason."""
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "ServiceAccount":
        return f'ServiceAccount "{subject.get("namespace") or namespace}/{name}"'
    return f'{kind} "{name}"'


def _omit_empty(value):
    """A Go struct's omitempty: empty strings, lists and maps are left out."""
    if isinstance(value, dict):
        out = {k: _omit_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", None, [], {})}
    return value


def _fields(value: dict) -> dict:
    """The FieldsV1 set of an object's fields (maps as `f:` keys, `.` for a map that is
    itself set)."""
    out: dict = {}
    for key in sorted(value):
        child = value[key]
        out[f"f:{key}"] = {".": {}, **_fields(child)} if isinstance(child, dict) else {}
    return out


def _json(data: dict, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")
