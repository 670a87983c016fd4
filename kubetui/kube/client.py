"""One client per context: the official `kubernetes` package does kubeconfig auth
(tokens, client certs, exec plugins); kubetui asks it for raw bytes and decodes them
with orjson, never into generated model classes on hot paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

import orjson
import urllib3
from kubernetes.client import ApiClient
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.kube_config import new_client_from_config

from .config import ContextInfo, KubeConfigError, KubeConfigSet


class ApiError(Exception):
    """An error answer from the API server, with its Status message."""

    def __init__(self, status: int, reason: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.message} ({self.status} {self.reason})" if self.reason else self.message


def error_from_response(status: int, body: bytes, headers=None) -> ApiError:
    reason, message = "", body.decode("utf-8", "replace").strip()[:500]
    try:
        data = orjson.loads(body)
        if isinstance(data, dict) and data.get("kind") == "Status":
            reason = data.get("reason", "")
            message = data.get("message", message)
    except orjson.JSONDecodeError:
        pass
    retry = None
    if headers is not None and headers.get("Retry-After"):
        try:
            retry = float(headers["Retry-After"])
        except ValueError:
            retry = None
    return ApiError(status, reason, message or f"HTTP {status}", retry)


class Stream:
    """A streaming response (watch, log follow): iterate lines; close() from any thread."""

    def __init__(self, response: urllib3.HTTPResponse):
        self._resp = response

    def lines(self) -> Iterator[bytes]:
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
            shutdown = getattr(self._resp, "shutdown", None)
            if shutdown is not None:
                shutdown()
            self._resp.close()
            self._resp.release_conn()
        except Exception:
            pass


@dataclass
class KubeClient:
    context: ContextInfo
    api: ApiClient

    @classmethod
    def connect(cls, kc: KubeConfigSet, context: str | None = None) -> "KubeClient":
        ctx = kc.context(context)
        existing = [p for p in kc.paths if os.path.exists(p)]
        try:
            api = new_client_from_config(config_file=os.pathsep.join(existing),
                                         context=ctx.name, persist_config=False)
        except ConfigException as exc:
            raise KubeConfigError(f'context "{ctx.name}" (from {ctx.source}): {exc}') from exc
        except (OSError, ValueError) as exc:
            raise KubeConfigError(f'context "{ctx.name}" (from {ctx.source}): {exc}') from exc
        return cls(ctx, api)

    @property
    def server(self) -> str:
        return self.api.configuration.host

    def _send(self, method: str, path: str, query: dict | None, body: Any,
              content_type: str | None, timeout, accept: str):
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        serialized = self.api.param_serialize(
            method=method, resource_path=path, query_params=params, header_params=headers,
            body=body, auth_settings=["BearerToken"])
        return self.api.call_api(*serialized, _request_timeout=timeout)

    def request(self, method: str, path: str, query: dict | None = None, body: Any = None,
                content_type: str | None = None, timeout: float | tuple = 30,
                accept: str = "application/json") -> bytes:
        """One request; the raw body on success, ApiError on an error status."""
        resp = self._send(method, path, query, body, content_type, timeout, accept)
        data = resp.read()
        if not 200 <= resp.status < 300:
            raise error_from_response(resp.status, data, resp.headers)
        return data

    def get_json(self, path: str, query: dict | None = None, timeout: float = 30) -> dict:
        return orjson.loads(self.request("GET", path, query, timeout=timeout))

    def stream(self, path: str, query: dict | None = None,
               timeout: float | tuple = (10, 330)) -> Stream:
        """A GET whose body is read as it arrives (watch, logs)."""
        resp = self._send("GET", path, query, None, None, timeout, "application/json")
        if not 200 <= resp.status < 300:
            raise error_from_response(resp.status, resp.read(), resp.headers)
        return Stream(resp.response)

    def version(self) -> dict:
        return self.get_json("/version", timeout=5)

    def close(self) -> None:
        try:
            self.api.close()
        except Exception:
            pass
