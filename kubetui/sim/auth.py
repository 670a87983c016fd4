"""Who is asking: bearer tokens mapped to users and groups, and the 401 a real API server
answers for a token it does not know.

Plain http carries no credentials from kubectl (client-go sends auth only over TLS), so
there a request with no Authorization header is served as the cluster admin, like the
old insecure port; over TLS it is `system:anonymous`, which RBAC grants nothing. A request
that does send a token must send a valid one: that is what
lets a test rotate a token and watch a client reload its credentials."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from aiohttp import web

ADMIN_USER = "kubernetes-admin"
ADMIN_GROUPS = ("kubeadm:cluster-admins", "system:authenticated")


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ("system:authenticated",)


@dataclass
class Authenticator:
    admin_token: str = "kubetui-sim-admin"
    tokens: dict[str, User] = field(default_factory=dict)
    anonymous_is_admin: bool = True  # plain http: kubectl sends no credentials there

    def __post_init__(self) -> None:
        self.tokens.setdefault(self.admin_token, User(ADMIN_USER, ADMIN_GROUPS))

    def add(self, token: str, user: str, groups: tuple[str, ...] = ()) -> None:
        self.tokens[token] = User(user, ("system:authenticated", *groups))

    def rotate_admin(self) -> str:
        """A new admin token; the old one answers 401 from now on."""
        old = self.tokens.pop(self.admin_token)
        self.admin_token = f"kubetui-sim-admin-{secrets.token_hex(4)}"
        self.tokens[self.admin_token] = old
        return self.admin_token

    def user_for(self, authorization: str | None) -> User | None:
        """The user a request acts as; None means 401 Unauthorized."""
        if not authorization:
            if self.anonymous_is_admin:
                return User(ADMIN_USER, ADMIN_GROUPS)
            return User("system:anonymous", ("system:unauthenticated",))
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.tokens.get(token.strip())


UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}

USER = web.RequestKey("user", User)
