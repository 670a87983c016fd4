"""When a context's credentials expire: the client certificate's NotAfter or a JWT
token's `exp` from the kubeconfig, or what an exec plugin said (its ExecCredential's
expirationTimestamp). "Expires soon" is within 7 days."""

from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass

import orjson

from .client import KubeClient
from .config import KubeConfigSet

log = logging.getLogger("kubetui.fleet")
SOON = 7 * 86400  # a credential expiring within this is "expires soon"


@dataclass(frozen=True)
class Expiry:
    when: float
    what: str  # "client certificate", "token", "exec token", "exec certificate"
    renews: bool = False  # an exec plugin hands out a new one by itself

    def soon(self, now: float) -> bool:
        return self.when - now < SOON



def _cert_not_after(pem: bytes) -> float | None:
    from cryptography import x509
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        log.exception("a client certificate that is not PEM")
        return None
    return cert.not_valid_after_utc.timestamp()


def _jwt_exp(token: str) -> float | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, (int, float)) else None


def kubeconfig_expiry(kc: KubeConfigSet, name: str) -> Expiry | None:
    """The client certificate's NotAfter (client-certificate-data, or the file
    client-certificate names), else a JWT token's `exp`, from the kubeconfig."""
    ctx = kc.contexts[name]
    user, source = kc.users.get(ctx.user) or ({}, "")
    user = user or {}
    pem = None
    try:
        if user.get("client-certificate-data"):
            pem = base64.b64decode(user["client-certificate-data"])
        elif user.get("client-certificate"):
            path = os.path.join(os.path.dirname(source), user["client-certificate"])
            with open(path, "rb") as fh:
                pem = fh.read()
    except (OSError, ValueError):
        log.exception("fleet %s: the client certificate cannot be read", name)
    if pem:
        when = _cert_not_after(pem)
        if when is not None:
            return Expiry(when, "client certificate")
    token = user.get("token")
    when = _jwt_exp(token) if isinstance(token, str) else None
    return Expiry(when, "token") if when is not None else None


def exec_expiry(client: KubeClient | None) -> Expiry | None:
    """What the exec plugin said last: its ExecCredential's expirationTimestamp (the
    official loader keeps it on itself, reachable through the refresh hook it sets on
    the configuration), or the NotAfter of the certificate it handed out."""
    if client is None:
        return None
    config = client.api.configuration
    hook = getattr(config, "refresh_api_key_hook", None)
    for cell in getattr(hook, "__closure__", None) or ():
        loader = cell.cell_contents
        user = getattr(loader, "_user", None)
        if user is None or "exec" not in user:
            continue
        expiry = loader.__dict__.get("expiry")
        if expiry is not None:
            return Expiry(expiry.timestamp(), "exec token", renews=True)
    return None


__all__ = ["Expiry", "SOON", "exec_expiry", "kubeconfig_expiry"]
