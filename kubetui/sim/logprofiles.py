"""What a simulated container writes, by image: nginx access logs, redis and postgres
server lines, coredns queries, app logs, and the last words before a crash.

A profile is lazy: line k of a run is computed from k and the run's seed when somebody
reads it, so 10k idle pods cost no timers and no memory."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

Line = Callable[[int, float, random.Random], str]


@dataclass(frozen=True)
class Profile:
    head: tuple[str, ...]
    interval: float  # seconds between periodic lines
    line: Line


def _clf(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_PATHS = ("/", "/healthz", "/api/products", "/api/cart", "/static/app.js", "/api/checkout",
          "/favicon.ico")


def _nginx(k: int, t: float, rng: random.Random) -> str:
    if k % 3 == 0:
        return (f'10.244.1.1 - - [{_clf(t)}] "GET /healthz HTTP/1.1" 200 2 "-" '
                f'"kube-probe/1.36" "-"')
    path = rng.choice(_PATHS)
    status = rng.choice((200, 200, 200, 200, 304, 404)) if path != "/api/checkout" else 200
    size = rng.randint(200, 48_000)
    ip = f"10.244.{rng.randint(0, 2)}.{rng.randint(2, 250)}"
    return (f'{ip} - - [{_clf(t)}] "GET {path} HTTP/1.1" {status} {size} "-" '
            f'"Mozilla/5.0 (X11; Linux x86_64)" "-"')


def _redis(k: int, t: float, rng: random.Random) -> str:
    stamp = datetime.fromtimestamp(t, timezone.utc).strftime("%d %b %Y %H:%M:%S.%f")[:-3]
    if k % 2:
        return f"1:M {stamp} * {rng.randint(1, 100)} changes in 60 seconds. Saving..."
    return f"1:M {stamp} * Background saving terminated with success"


def _coredns(k: int, t: float, rng: random.Random) -> str:
    svc = rng.choice(("cart.shop", "frontend.shop", "ledger.payments", "redis.shop",
                      "kubernetes.default"))
    return (f'[INFO] 10.244.{rng.randint(0, 2)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)}'
            f' - {rng.randint(1, 65535)} "A IN {svc}.svc.cluster.local. udp 56 false 512" '
            f"NOERROR qr,aa,rd 106 0.000{rng.randint(100, 999)}s")


def _app(k: int, t: float, rng: random.Random) -> str:
    path = rng.choice(("/api/items", "/api/cart", "/pay", "/ledger/batch", "/metrics"))
    status = rng.choice((200, 200, 200, 201, 204, 500)) if path != "/metrics" else 200
    level = "error" if status >= 500 else "info"
    return (f'time={_iso(t)} level={level} msg="{path} {status}" '
            f"duration={rng.randint(1, 250)}ms request_id={rng.getrandbits(32):08x}")


def _prometheus(k: int, t: float, rng: random.Random) -> str:
    return (f'time={_iso(t)} level=INFO source=compact.go:{rng.randint(500, 700)} '
            f'msg="write block" component=tsdb duration={rng.randint(20, 900)}ms')


PROFILES: dict[str, Profile] = {
    "nginx": Profile((
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to "
        "perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
        "nginx/1.27.3",
        "start worker processes",
    ), 2.0, _nginx),
    "redis": Profile((
        "1:C oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
        "1:C Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started",
        "1:M * Server initialized",
        "1:M * Ready to accept connections tcp",
    ), 30.0, _redis),
    "coredns": Profile((
        ".:53",
        "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e73"
        "8df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6"
        "ff41be96639138a43908",
        "CoreDNS-1.11.3",
        "linux/amd64, go1.22.7, a6338e9",
    ), 5.0, _coredns),
    "prometheus": Profile((
        'level=INFO source=main.go:640 msg="Starting Prometheus Server" mode=server '
        "version=3.0.1",
        'level=INFO source=main.go:1290 msg="Server is ready to receive web requests."',
    ), 20.0, _prometheus),
    "app": Profile((
        'level=info msg="starting server" addr=:8080',
        'level=info msg="connected to backing services"',
    ), 3.0, _app),
}


def profile_for(image: str, command: list[str] | None = None) -> Profile:
    name = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
    for key in ("nginx", "redis", "coredns", "prometheus"):
        if key in name:
            return PROFILES[key]
    if command and " echo " in f" {' '.join(command)} ":
        return _echo_profile(" ".join(command))
    return PROFILES["app"]


def _echo_profile(script: str) -> Profile:
    """A shell script's own words: `while true; do echo X; sleep N; done` prints X every
    N seconds; a script without a loop prints each of its echo lines once."""
    echoes = [part.split("echo", 1)[1].split(">", 1)[0].strip().strip("'\"")
              for part in script.replace("&&", ";").split(";") if "echo " in f" {part} "]
    echoes = [e for e in echoes if e] or ["tick"]
    if not any(loop in script for loop in ("while ", "until ", "for ")):
        return Profile(tuple(echoes), 1e9, lambda k, t, rng: echoes[-1])
    interval = 5.0
    if "sleep" in script:
        try:
            interval = float(script.split("sleep", 1)[1].split(";", 1)[0].strip())
        except ValueError:
            pass
    text = echoes[0]
    counters = re.findall(r"(\w+)=\$\(\(\s*\1\s*\+\s*1\s*\)\)", script)  # i=$((i+1))
    if counters:
        names = "|".join(map(re.escape, counters))
        var = re.compile(r"\$\{?(" + names + r")\}?\b")
        return Profile((), max(interval, 0.1), lambda k, t, rng: var.sub(str(k + 1), text))
    return Profile((text,), max(interval, 0.1), lambda k, t, rng: text)


def last_words(exit_code: int, reason: str, t: float) -> list[str]:
    """What a container prints before it dies (a kill or a stop prints nothing more)."""
    if reason in ("OOMKilled", "Stopped"):
        return []
    if exit_code == 0:
        return [f'time={_iso(t)} level=info msg="work done, exiting"']
    return [
        f'time={_iso(t)} level=error msg="connecting to postgres://ledger-db:5432: dial '
        f'tcp 10.96.41.7:5432: connect: connection refused"',
        f'time={_iso(t)} level=fatal msg="cannot start without the ledger database" '
        f"exit_code={exit_code}",
    ]
