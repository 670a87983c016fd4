"""Image references as containerd reports them: full names and image IDs."""

from __future__ import annotations

import hashlib


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def image_id(image: str) -> str:
    repo = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    if "/" not in repo:
        repo = f"docker.io/library/{repo}"
    elif "." not in repo.split("/")[0]:
        repo = f"docker.io/{repo}"
    return f"{repo}@sha256:{digest(image)}"


def full_image(image: str) -> str:
    name = image if ":" in image.rsplit("/", 1)[-1] or "@" in image else f"{image}:latest"
    if "/" not in name:
        return f"docker.io/library/{name}"
    if "." not in name.split("/")[0]:
        return f"docker.io/{name}"
    return name
