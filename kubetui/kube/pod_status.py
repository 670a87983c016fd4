"""A pod's status as the slim decoder keeps it: dict-faced structs (kube/dict_face.py)
in place of the status map, its container statuses and their states, which were most
of a slim pod's own bytes (a bulk pod's dicts were 1.8 KB, these 1.2 of it). The fields
are what rows, the diagnosis, the lint, xray and the timeline read; the rest of a status
comes with the full object."""

from __future__ import annotations

from typing import Any, TypedDict

from .dict_face import DictFace


class Condition(TypedDict, total=False):
    """A condition without its times (most pods' are then one of a few shared lists)."""
    type: str
    status: str
    reason: str
    message: str


class Waiting(DictFace, gc=False, omit_defaults=True):
    reason: str | None = None
    message: str | None = None


class Running(DictFace, gc=False, omit_defaults=True):
    startedAt: Any = None


class Terminated(DictFace, gc=False, omit_defaults=True):
    exitCode: int | None = None
    signal: int | None = None
    reason: str | None = None
    message: str | None = None
    startedAt: Any = None
    finishedAt: Any = None
    containerID: str | None = None


class ContainerState(DictFace, gc=False, omit_defaults=True):
    waiting: Waiting | None = None
    running: Running | None = None
    terminated: Terminated | None = None


class ContainerStatus(DictFace, gc=False, omit_defaults=True):
    name: str | None = None
    ready: bool | None = None
    started: bool | None = None
    restartCount: int | None = None
    image: str | None = None
    imageID: str | None = None
    state: ContainerState | None = None
    lastState: ContainerState | None = None


class PodStatus(DictFace, gc=False, omit_defaults=True):
    phase: str | None = None
    reason: str | None = None
    message: str | None = None
    conditions: list[Condition] | None = None
    containerStatuses: list[ContainerStatus] | None = None
    initContainerStatuses: list[ContainerStatus] | None = None
    podIP: str | None = None
    hostIP: str | None = None
    startTime: Any = None
    nominatedNodeName: str | None = None
    qosClass: str | None = None
