"""The HTTP face of the sim: Kubernetes REST paths, content negotiation (JSON or
server-side Table), chunked watch streams, and Status errors."""

from __future__ import annotations

import asyncio
import logging
import time

import orjson
import yaml
from aiohttp import web

from . import discovery, openapi
from .auth import USER
from .fields import manager_from
from .json_body import JSON, json_response
from .meta import ApiError, bad_request
from .metrics import health
from .rbac import forbidden, verb_for
from .resources import Registry, Resource
from .store import CLOSE, Watcher
from .tables import table, wants_table

log = logging.getLogger("kubetui.sim")
DEFAULT_WATCH_SECONDS = 1800


def _error(exc: ApiError) -> web.Response:
    return json_response(exc.status(), exc.code, exc.headers)


class Route:
    """A parsed resource path: /api/v1/namespaces/ns/pods/name/log and friends."""

    __slots__ = ("res", "namespace", "name", "sub")

    def __init__(self, res: Resource, namespace: str | None, name: str | None, sub: str | None):
        self.res, self.namespace, self.name, self.sub = res, namespace, name, sub


def parse_path(path: str, registry: Registry) -> Route | None:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        res = registry.lookup(group, version, rest[2])
        if res is not None and res.namespaced:
            namespace, rest = rest[1], rest[2:]
    res = registry.lookup(group, version, rest[0])
    if res is None:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if len(rest) > 3:
        return None
    return Route(res, namespace, name, sub)


def _int(q, key: str, default: int = 0) -> int:
    value = q.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise bad_request(f"{key}: Invalid value: {value!r}: must be an integer") from exc


def _dry_run(q) -> bool:
    """`dryRun=All` (the only value the real server accepts): validate, never store."""
    values = q.getall("dryRun", [])
    for v in values:
        if v != "All":
            raise bad_request(f'dryRun: Unsupported value: "{v}": supported values: "All"')
    return bool(values)


class HttpFrontend:
    def __init__(self, sim):
        self.sim = sim
        self.api = sim.api
        self.store = sim.store
        self.bookmark_seconds = 60.0
        self.server_address = "127.0.0.1:0"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            for hook in self.sim.request_hooks:
                response = await hook(request)
                if response is not None:
                    return response
            return await self._dispatch(request)
        except ApiError as exc:
            return _error(exc)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as exc:  # the sim must answer like a server, not crash
            log.exception("sim: %s %s failed", request.method, request.path)
            return _error(ApiError(500, "InternalError", f"Internal error occurred: {exc}"))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        route = parse_path(path, self.store.registry)
        self._authorize(request, route, path)
        if request.method == "GET":
            doc = self._discovery(path)
            if doc is not None:
                return json_response(doc)
            if path in ("/healthz", "/livez", "/readyz"):
                return health(path, "verbose" in request.query)
        if route is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource",
                           {})
        return await self._resource(request, route)

    def _authorize(self, request: web.Request, route: Route | None, path: str) -> None:
        user, authz = request[USER], self.sim.authorizer
        if route is None:
            verb = request.method.lower() if request.method != "GET" else "get"
            if not authz.path_allowed(user, verb, path):
                raise ApiError(403, "Forbidden", f'forbidden: User "{user.name}" cannot {verb} '
                                                 f'path "{path}"', {})
            return
        res, name = route.res, route.name
        resource = f"{res.plural}/{route.sub}" if route.sub else res.plural
        namespace = name if res.kind == "Namespace" and name else route.namespace
        verb = verb_for(request.method, name, request.query.get("watch") in ("true", "1"))
        if route.sub in ("exec", "attach", "portforward"):  # a websocket GET too: since
            verb = "create"  # 1.31 (AuthorizePodWebsocketUpgradeCreatePermission)
        if not authz.allowed(user, verb, res.group, resource, namespace, name):
            raise forbidden(user, verb, res, resource, namespace, name)

    def _discovery(self, path: str):
        if path == "/version":
            return discovery.VERSION
        reg = self.store.registry
        if path == "/api":
            return discovery.api_versions(self.server_address)
        if path == "/apis":
            return discovery.api_group_list(reg)
        if path == "/openapi/v3":
            return openapi.root(reg)
        if path.startswith("/openapi/v3/"):
            return openapi.group_version(reg, path[len("/openapi/v3/"):])
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            return discovery.resource_list(reg, "", parts[1])
        if parts[0] == "apis" and len(parts) == 2:
            return discovery.api_group(reg, parts[1])
        if parts[0] == "apis" and len(parts) == 3:
            return discovery.resource_list(reg, parts[1], parts[2])
        return None

    async def _body(self, request: web.Request):
        raw = await request.read()
        if not raw:
            return None
        ctype = request.headers.get("Content-Type", "")
        if "protobuf" in ctype:
            # kubectl create/run/expose send protobuf, and client-go does not retry with
            # JSON on a 415. The sim has no protobuf schemas: say so plainly.
            raise ApiError(415, "UnsupportedMediaType",
                           "the simulated cluster reads JSON and YAML bodies only, not "
                           "protobuf (which `kubectl create/run/expose` send); use "
                           "`kubectl apply -f` with a manifest instead")
        try:
            if "yaml" in ctype:
                return yaml.safe_load(raw)
            return orjson.loads(raw)
        except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from exc

    def _render(self, request: web.Request, res: Resource, obj: dict, status: int = 200):
        if wants_table(request) and obj.get("kind") == res.kind:
            q = request.query
            meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            return json_response(
                table(res, [obj], meta, q.get("includeObject", "Metadata")), status)
        return json_response(obj, status)

    async def _resource(self, request: web.Request, r: Route) -> web.StreamResponse:
        method, q, api, res = request.method, request.query, self.api, r.res
        ns = r.namespace
        if res.virtual:
            handler = self.sim.virtual_handlers.get(res.key)
            if handler is None:
                raise ApiError(404, "NotFound", "the server could not find the requested "
                                                "resource", {})
            return await handler(request, r)
        if r.sub == "scale" and r.name:
            if method == "GET":
                return json_response(api.get_scale(res, ns, r.name))
            body = await self._body(request)
            if method == "PUT":
                return json_response(api.set_scale(res, ns, r.name, body or {}))
            if method == "PATCH":
                return json_response(api.patch_scale(
                    res, ns, r.name, request.headers.get("Content-Type", ""), body))
        elif r.sub in (None, "status"):
            if r.sub == "status" and not res.has_status:
                raise ApiError(404, "NotFound", "the server could not find the requested "
                               "resource", {})
            if method == "GET" and r.name:
                return self._render(request, res, api.get(res, ns, r.name))
            if method == "GET":
                if q.get("watch") in ("true", "1"):
                    return await self.watch(request, res, ns)
                return self._list(request, res, ns)
            dry = _dry_run(q)
            if method == "POST" and not r.name:
                body = await self._body(request)
                return self._render(request, res, api.create(
                    res, ns, body, manager_from(q, request.headers), dry), 201)
            if method == "PUT" and r.name:
                body = await self._body(request)
                return self._render(request, res, api.update(
                    res, ns, r.name, body, r.sub, manager_from(q, request.headers), dry))
            if method == "PATCH" and r.name:
                body = await self._body(request)
                ctype = request.headers.get("Content-Type", "")
                obj, status = api.patch(res, ns, r.name, ctype, body, r.sub,
                                        manager_from(q, request.headers), dry)
                return self._render(request, res, obj, status)
            if method == "DELETE" and r.name:
                options = await self._body(request) or {}
                for key in ("gracePeriodSeconds",):
                    if key in q:
                        options[key] = _int(q, key)
                if "propagationPolicy" in q:
                    options["propagationPolicy"] = q["propagationPolicy"]
                return json_response(api.delete(res, ns, r.name, options))
            if method == "DELETE":
                return self._delete_collection(request, res, ns, await self._body(request) or {})
        handler = self.sim.subresource_handlers.get((res.key, r.sub))
        if handler is not None and r.name:
            return await handler(request, r)
        if r.sub is not None and handler is None and r.sub not in ("scale", "status"):
            # e.g. /api/v1/namespaces/shop/frobnicators: no such resource, as the real says
            raise ApiError(404, "NotFound", "the server could not find the requested "
                                            "resource", {})
        raise ApiError(405, "MethodNotAllowed",
                       "the server does not allow this method on the requested resource")

    def _list(self, request: web.Request, res: Resource, ns: str | None) -> web.Response:
        q = request.query
        out = self.api.list(res, ns, q.get("labelSelector"), q.get("fieldSelector"),
                            _int(q, "limit"), q.get("continue"))
        if wants_table(request):
            return json_response(table(res, out["items"], out["metadata"],
                                       q.get("includeObject", "Metadata")))
        return json_response(out)

    def _delete_collection(self, request, res: Resource, ns: str | None, options: dict):
        q = request.query
        items = self.store.list(res, ns, self.api.matcher(q.get("labelSelector"),
                                                          q.get("fieldSelector"), res))
        gone = []
        for o in items:
            try:
                gone.append(self.api.delete(res, ns or o["metadata"].get("namespace"),
                                            o["metadata"]["name"], options))
            except ApiError as exc:
                if exc.code != 404:
                    raise
        return json_response({"kind": f"{res.kind}List", "apiVersion": res.api_version,
                              "metadata": {"resourceVersion": str(self.store.rv)},
                              "items": gone})

    # ------------------------------------------------------------------ watch
    async def watch(self, request: web.Request, res: Resource, ns: str | None):
        q = request.query
        match = self.api.matcher(q.get("labelSelector"), q.get("fieldSelector"), res)
        rv_param = q.get("resourceVersion", "")
        timeout = _int(q, "timeoutSeconds", DEFAULT_WATCH_SECONDS)
        bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
        send_initial = q.get("sendInitialEvents") in ("true", "1")
        as_table = wants_table(request)
        include = q.get("includeObject", "Metadata")
        watcher = Watcher(res, ns, match)
        first: list[tuple[str, dict]] = []
        if rv_param in ("", "0") or send_initial:
            first = [("ADDED", o) for o in self.store.list(res, ns, match)]
        else:
            try:
                since = int(rv_param)
            except ValueError as exc:
                raise bad_request(f"resourceVersion: Invalid value: {rv_param!r}") from exc
            changes = self.store.replay(since)
            if changes is None:
                return await self._expired(request, res, since)
            for c in changes:
                etype = watcher.translate(c)
                if etype is not None:
                    first.append((etype, c.obj))
        self.store.watchers.add(watcher)
        resp = web.StreamResponse(status=200, headers={"Content-Type": JSON,
                                                        "Cache-Control": "no-cache, private"})
        resp.enable_chunked_encoding()

        def encode(etype: str, obj: dict) -> bytes:
            if as_table and etype in ("ADDED", "MODIFIED", "DELETED"):
                obj = table(res, [obj], {"resourceVersion": obj["metadata"].get(
                    "resourceVersion", "")}, include, True)
            return orjson.dumps({"type": etype, "object": obj}) + b"\n"

        try:
            await resp.prepare(request)
            if first:
                await resp.write(b"".join(encode(t, o) for t, o in first))
            if send_initial:
                await resp.write(self._bookmark(res, initial_end=True))
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                wait = min(remaining, self.bookmark_seconds) if bookmarks else remaining
                try:
                    item = await asyncio.wait_for(watcher.queue.get(), wait)
                except asyncio.TimeoutError:
                    if bookmarks and deadline - time.monotonic() > 0:
                        await resp.write(self._bookmark(res))
                    continue
                if item is CLOSE:
                    break
                batch = [item]
                while not watcher.queue.empty() and len(batch) < 1000:
                    nxt = watcher.queue.get_nowait()
                    if nxt is CLOSE:
                        await resp.write(b"".join(encode(t, o) for t, o in batch))
                        return resp
                    batch.append(nxt)
                await resp.write(b"".join(encode(t, o) for t, o in batch))
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            self.store.watchers.discard(watcher)
        return resp

    def _bookmark(self, res: Resource, initial_end: bool = False) -> bytes:
        meta: dict = {"resourceVersion": str(self.store.rv), "creationTimestamp": None}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return orjson.dumps({"type": "BOOKMARK", "object": {
            "kind": res.kind, "apiVersion": res.api_version, "metadata": meta}}) + b"\n"

    async def _expired(self, request: web.Request, res: Resource, since: int):
        """What the real server does for a too-old version: 200, then one ERROR event."""
        resp = web.StreamResponse(status=200, headers={"Content-Type": JSON})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        status = ApiError(410, "Expired", f"too old resource version: {since} "
                                          f"({self.store.compacted})").status()
        await resp.write(orjson.dumps({"type": "ERROR", "object": status}) + b"\n")
        await resp.write_eof()
        return resp

