"""One client per context: the official `kubernetes` package does kubeconfig auth
(tokens, client certs, exec plugins); kubetui asks it for raw bytes and decodes them
with orjson, never into generated model classes on hot paths."""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Protocol, TypeVar

import orjson
import urllib3

from kubetui.render.json_types import Body, Obj

from .config import ContextInfo, KubeConfigError, KubeConfigSet

if TYPE_CHECKING:  # (the official client takes 0.3 s to import: _load_api imports it, in
    # the connecting thread, so that the first frame does not wait for it)
    from kubernetes.client import ApiClient
    from kubernetes.client.rest import RESTResponse

# a request's query parameters (a None value is left out)
Query = Mapping[str, "str | int | bool | None"]
# seconds for the whole request, or (connect, read); a None read timeout waits forever
Timeout = float | tuple[float, float | None]

log = logging.getLogger("kubetui.client")


# connections kept per context: each watch holds one for minutes (the views', the live
# lint's thirteen), and a short request beyond the pool opens and drops one of its own
POOL_SIZE = 32


T = TypeVar("T")


class _NoTimeoutRetry(urllib3.Retry):
    """urllib3's default retries (3), except a read that timed out: a server that did not
    answer in time is not asked again in the same call, as client-go does not (urllib3 would
    make every read timeout four times as long). A connection dropped or refused is still
    tried again."""

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None, _pool: Any = None,
                  _stacktrace: TracebackType | None = None) -> _NoTimeoutRetry:
        if isinstance(error, urllib3.exceptions.ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


class ApiError(Exception):
    """An error answer from the API server, with its Status message."""

    def __init__(self, status: int, reason: str, message: str, retry_after: float | None = None,
                 details: Obj | None = None):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.retry_after = retry_after
        self.details = details or {}  # the Status's details (its causes: a 422's fields)

    @property
    def causes(self) -> list[str]:
        """The messages of the Status's causes (a budget's numbers, a bad field)."""
        return [c.get("message", "") for c in self.details.get("causes") or ()
                if isinstance(c, dict)]

    def __str__(self) -> str:
        return f"{self.message} ({self.status} {self.reason})" if self.reason else self.message


def error_from_response(status: int, body: Body,
                        headers: Mapping[str, str] | None = None) -> ApiError:
    reason, message = "", body.decode("utf-8", "replace").strip()[:500]
    details = None
    try:
        data = orjson.loads(body)
        if isinstance(data, dict) and data.get("kind") == "Status":
            reason = data.get("reason", "")
            message = data.get("message", message)
            details = data.get("details") if isinstance(data.get("details"), dict) else None
    except orjson.JSONDecodeError:
        pass
    retry = None
    if headers is not None and headers.get("Retry-After"):
        try:
            retry = float(headers["Retry-After"])
        except ValueError:
            retry = None
    return ApiError(status, reason, message or f"HTTP {status}", retry, details)


PIECE = 1 << 20


def _body(resp: RESTResponse) -> Body:
    """The whole body of a response. A chunked one (a real API server chunks its lists)
    is read into one buffer chunk by chunk: read whole, http.client keeps every chunk
    and then joins them, two copies at once (100,000 pods' metrics: 41 MB twice, every
    15 s). A bytearray, which every decoder here takes as it takes bytes."""
    raw = resp.response
    if not getattr(raw, "chunked", False) or not raw.supports_chunked_reads():
        data: bytes = resp.read()  # type: ignore[no-untyped-call]  # the untyped client
        return data
    buf = bytearray()
    for chunk in raw.read_chunked(PIECE, decode_content=True):  # (a chunk may be 40 MB)
        buf += chunk
    resp.data = buf  # type: ignore[assignment]  # (as read() keeps it)
    return buf


class Stream:
    """A streaming response (watch, log follow): iterate lines; close() from any thread.
    `on_close` runs once, at the first close()."""

    def __init__(self, response: urllib3.HTTPResponse,
                 on_close: Callable[[], None] | None = None):
        self._resp = response
        self._on_close = on_close

    def lines(self) -> Iterator[bytes]:
        """Complete lines as they arrive. A connection cut under urllib3 surfaces as
        ProtocolError, however urllib3 happens to notice it."""
        try:
            yield from self._lines()
        except (AttributeError, TypeError) as exc:  # urllib3 reading a closed socket
            raise urllib3.exceptions.ProtocolError(f"connection closed: {exc}") from exc

    def _lines(self) -> Iterator[bytes]:
        buf = b""
        for chunk in self._resp.stream(65536, decode_content=False):
            buf += chunk
            if b"\n" not in chunk:
                continue
            *complete, buf = buf.split(b"\n")
            for line in complete:
                if line:
                    yield line
        if buf.strip():
            yield buf

    def close(self) -> None:
        try:
            self._resp.shutdown()  # unblocks a read in progress on another thread
        except (ValueError, RuntimeError, OSError):
            pass  # closed already, connection released, socket gone: nothing to unblock
        try:
            self._resp.close()
            self._resp.release_conn()
        except Exception:
            log.exception("closing a stream")
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()


class Lines(Protocol):
    """What stream() hands back: a Stream, or saved text (OfflineClient)."""

    def lines(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class Reader(Protocol):
    """What the read-only paths (the checklist's evidence, an incident report, logs) ask
    of a client: a KubeClient, or OfflineClient over saved files."""

    def get_json(self, path: str, query: Query | None = None, timeout: float = 30) -> Obj: ...

    def stream(self, path: str, query: Query | None = None, timeout: Timeout = (10, 330),
               accept: str = "application/json") -> Lines: ...


class _NonInteractive:
    """What the official client's exec-plugin runner sees as `sys`. It runs a credential
    plugin "interactively" (the terminal's stdin, our stderr) when sys.stdout says it is
    a terminal, and inside the TUI sys.stdout is Textual's capture, which says so while
    having no file descriptor: plugins failed to start from the app ("redirected stdin
    is pseudofile", a bad descriptor), or would read the keyboard the TUI reads. Here a
    plugin always runs non-interactively, its stderr captured for the error message."""

    class _NotATerminal:
        @staticmethod
        def isatty() -> bool:
            return False

    stdout = _NotATerminal()

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


_NON_INTERACTIVE = _NonInteractive()



def _load_api(kc: KubeConfigSet, ctx: ContextInfo) -> ApiClient:
    """An ApiClient for the context, through the official loader (tokens, certificates,
    exec plugins). A failing exec plugin is only logged by that loader; here it becomes
    a KubeConfigError naming the plugin and the file it came from."""
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config import exec_provider
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import load_kube_config

    exec_provider.sys = _NON_INTERACTIVE  # type: ignore[assignment]  # a stand-in for sys
    existing = [p for p in kc.paths if os.path.exists(p)]
    errors: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage())

    catcher = Catch(level=logging.ERROR)
    root = logging.getLogger()
    root.addHandler(catcher)
    try:  # as new_client_from_config does, with a pool that holds every watch
        config = type.__call__(Configuration)
        load_kube_config(  # type: ignore[no-untyped-call]  # the untyped official loader
            config_file=os.pathsep.join(existing), context=ctx.name,
                         client_configuration=config, persist_config=False)
        config.connection_pool_maxsize = max(config.connection_pool_maxsize or 0, POOL_SIZE)
        config.retries = _NoTimeoutRetry(3)
        api = ApiClient(configuration=config)
    except (ConfigException, OSError, ValueError) as exc:
        raise KubeConfigError(f'context "{ctx.name}" (from {ctx.source}): {exc}') from exc
    finally:
        root.removeHandler(catcher)
    user, source = kc.users.get(ctx.user, ({}, ctx.source))
    plugin = (user or {}).get("exec")
    if plugin and errors and not api.configuration.api_key.get("BearerToken") \
            and not api.configuration.cert_file:
        api.close()  # type: ignore[no-untyped-call]  # the untyped official client
        command = plugin.get("command", "?")
        raise KubeConfigError(f'exec plugin "{command}" for user "{ctx.user}" (from {source}) '
                              f"failed: {_plugin_error(errors[-1], command)}")
    return api


def _plugin_error(message: str, command: str) -> str:
    if "No such file or directory" in message or "not found" in message.lower() and \
            command in message:
        return f"{command} is not installed or not on PATH"
    return message.removeprefix("exec: ")


@dataclass(eq=False)  # a client is itself (its shared reads are kept by it: metrics_read)
class KubeClient:
    """Raw requests for one context, from any thread. `api` (the official ApiClient,
    which holds the credentials) is replaced by `reload()`; each request holds on to the
    ApiClient it started on, and a replaced one is closed once no request uses it."""

    context: ContextInfo
    api: ApiClient
    kubeconfig: KubeConfigSet | None = None
    reloads: int = 0  # how often credentials were reloaded after a 401

    def __post_init__(self) -> None:
        self._lock = threading.Lock()  # guards api, _users, _retired
        self._reload_lock = threading.Lock()  # one reload at a time
        self._users: dict[ApiClient, int] = {}  # ApiClient -> requests using it now
        self._retired: set[ApiClient] = set()  # replaced, closed when unused

    @classmethod
    def connect(cls, kc: KubeConfigSet, context: str | None = None) -> "KubeClient":
        ctx = kc.context(context)
        return cls(ctx, _load_api(kc, ctx), kc)

    def reload(self, failed: ApiClient | None = None) -> None:
        """Read the kubeconfig files again and rebuild credentials (a rotated token, an
        expired exec-plugin token). Raises KubeConfigError if that fails. With `failed`
        (the ApiClient that got a 401), nothing is done if another thread has replaced it
        meanwhile: a wave of 401s reloads once."""
        if self.kubeconfig is None:
            return
        from .config import load_kubeconfig

        with self._reload_lock:
            if failed is not None and failed is not self.api:
                return
            kc = load_kubeconfig(self.kubeconfig.paths)
            api = _load_api(kc, kc.context(self.context.name))
            with self._lock:
                old, self.api, self.kubeconfig = self.api, api, kc
                self.reloads += 1
                in_use = self._users.get(old, 0) > 0
                if in_use:
                    self._retired.add(old)
            if not in_use:
                _close_api(old)

    def _acquire(self) -> ApiClient:
        with self._lock:
            api = self.api
            self._users[api] = self._users.get(api, 0) + 1
            return api

    def _release(self, api: ApiClient) -> None:
        with self._lock:
            users = self._users.get(api, 0) - 1
            if users > 0:
                self._users[api] = users
                return
            self._users.pop(api, None)
            if api not in self._retired:
                return
            self._retired.discard(api)
        _close_api(api)

    @property
    def server(self) -> str:
        host: str = self.api.configuration.host
        return host

    def _send(self, api: ApiClient, method: str, path: str, query: Query | None, body: Any,
              content_type: str | None, timeout: Timeout, accept: str) -> RESTResponse:
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        serialized = api.param_serialize(
            method=method, resource_path=path, query_params=params, header_params=headers,
            body=body, auth_settings=["BearerToken"])
        return api.call_api(*serialized, _request_timeout=timeout)

    def request(self, method: str, path: str, query: Query | None = None, body: Any = None,
                content_type: str | None = None, timeout: Timeout = 30,
                accept: str = "application/json") -> Body:
        """One request; the raw body on success, ApiError on an error status. A 401
        reloads credentials once and tries again."""
        for attempt in (0, 1):
            api = self._acquire()
            try:
                resp = self._send(api, method, path, query, body, content_type, timeout,
                                  accept)
                data = _body(resp)
            finally:
                self._release(api)
            if resp.status == 401 and attempt == 0 and self._reload_quietly(api):
                continue
            if not 200 <= resp.status < 300:
                raise error_from_response(resp.status, data, resp.headers)
            return data
        raise AssertionError("unreachable")

    def open_with(self, opener: Callable[[ApiClient], T],
                  error: Callable[[BaseException], ApiError | None]) -> T:
        """`opener(api)`: a stream of another kind (an exec or port-forward websocket)
        opened with the ApiClient's credentials, which a reload meanwhile does not close
        under it. `error(exc)` says which ApiError an exception of the opening stands for
        (None: not one, raised as it is); a 401 reloads credentials once and opens
        again, as a request does."""
        for attempt in (0, 1):
            api = self._acquire()
            try:
                return opener(api)
            except Exception as exc:
                failure = error(exc)
                if failure is None:
                    raise
                if not (failure.status == 401 and attempt == 0):
                    raise failure from exc
            finally:
                self._release(api)
            if not self._reload_quietly(api):
                raise failure
        raise AssertionError("unreachable")

    def _reload_quietly(self, failed: ApiClient) -> bool:
        try:
            self.reload(failed)
            return True
        except KubeConfigError:
            log.exception("%s: reloading credentials after a 401 failed", self.context.name)
            return False

    def get_json(self, path: str, query: Query | None = None, timeout: float = 30) -> Obj:
        obj: Obj = orjson.loads(self.request("GET", path, query, timeout=timeout))
        return obj

    def send_json(self, method: str, path: str, body: Any = None, query: Query | None = None,
                  content_type: str = "application/json", timeout: float = 30) -> Obj:
        """A write with a JSON body (or a patch: pass its content type); the answer."""
        data = self.request(method, path, query, body, content_type, timeout)
        obj: Obj = orjson.loads(data) if data else {}
        return obj

    def stream(self, path: str, query: Query | None = None,
               timeout: Timeout = (10, 330), accept: str = "application/json") -> Stream:
        """A GET whose body is read as it arrives (watch, logs)."""
        for attempt in (0, 1):
            api = self._acquire()
            try:
                resp = self._send(api, "GET", path, query, None, None, timeout, accept)
                if 200 <= resp.status < 300:
                    # the stream holds the ApiClient until it is closed
                    return Stream(resp.response, on_close=partial(self._release, api))
                data = resp.read()  # type: ignore[no-untyped-call]  # the untyped client
            except BaseException:
                self._release(api)
                raise
            self._release(api)
            if resp.status == 401 and attempt == 0 and self._reload_quietly(api):
                continue
            raise error_from_response(resp.status, data, resp.headers)
        raise AssertionError("unreachable")

    def version(self) -> Obj:
        return self.get_json("/version", timeout=5)

    def close(self) -> None:
        """The session ends: every ApiClient goes, those still in use too."""
        with self._lock:
            apis = [self.api, *self._retired]
            self._retired.clear()
        for api in apis:
            _close_api(api)


def _close_api(api: ApiClient) -> None:
    try:
        api.close()  # type: ignore[no-untyped-call]  # the untyped official client
    except Exception:
        log.exception("closing an API client")
