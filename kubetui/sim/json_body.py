"""A JSON answer as the API server sends it: Go's net/http sets Content-Length only on
what fits its first 2 KB buffer, so every longer answer goes out chunked (and since
1.33 the API server encodes lists item by item as it writes them: a list of any size
comes chunked), and a client must read it so."""

from __future__ import annotations

import orjson
from aiohttp import web

JSON = "application/json"
CHUNKED_OVER = 2048


def json_response(data: object, status: int = 200,
                  headers: dict[str, str] | None = None) -> web.Response:
    body = orjson.dumps(data)
    resp = web.Response(body=body, status=status, content_type=JSON, headers=headers)
    if len(body) > CHUNKED_OVER:
        resp.enable_chunked_encoding()
    return resp
