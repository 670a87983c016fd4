"""How a simulated container behaves, read from a pod annotation a real cluster ignores.

    metadata:
      annotations:
        sim.kubetui.dev/behavior: "crash exit=3 after=6s; logs rate=20"

Clauses are separated by `;`. Each names a behaviour, then `key=value` settings, and may
say `container=NAME` (default: every container of the pod):

| clause                    | what the kubelet does                                          |
|---------------------------|----------------------------------------------------------------|
| `crash exit=N after=T`    | the container exits with N after T; restarts back off          |
|                           | (CrashLoopBackOff: 10s, 20s, 40s ... 5m)                       |
| `oom after=T`             | killed after T with exit code 137, reason OOMKilled            |
| `readiness fail`          | runs, but its readiness probe never passes                     |
| `liveness fail after=T`   | its liveness probe fails after T; the kubelet restarts it      |
| `slow-start after=T`      | becomes ready only T after it starts                           |
| `pull fail`               | the image cannot be pulled: ErrImagePull, then ImagePullBackOff |
| `logs rate=N`             | writes N log lines a second (chatty)                           |

An image whose tag says it does not exist (`nginx:does-not-exist`, anything with
`nonexistent`, `missing`, `nope` or `typo` in the tag) fails to pull with no annotation,
so `kubectl set image` can break a rollout on purpose.

Durations: `500ms`, `6s`, `2m`, or plain seconds. The same demo files misbehave on a real
cluster through their commands and images; the annotation only tells the sim."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

ANNOTATION = "sim.kubetui.dev/behavior"
RUN_SECONDS = 2.0  # how long a batch container without a behaviour runs
VERBS = ("crash", "oom", "readiness", "liveness", "slow-start", "pull", "logs")


@dataclass
class Behavior:
    crash_after: float | None = None
    exit_code: int = 1
    oom_after: float | None = None
    readiness_fails: bool = False
    liveness_fails_after: float | None = None
    ready_after: float | None = None
    pull_fails: bool = False
    log_rate: float | None = None

    @property
    def exits_after(self) -> tuple[float, int, str] | None:
        """(seconds, exit code, reason) of the next exit, if it will exit."""
        if self.oom_after is not None:
            return self.oom_after, 137, "OOMKilled"
        if self.crash_after is not None:
            return self.crash_after, self.exit_code, "Error" if self.exit_code else "Completed"
        return None


def duration(text: str) -> float:
    text = text.strip()
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * factor
    return float(text)


def parse(pod: dict) -> dict[str, Behavior]:
    """Behaviour per container name; containers not named get the default."""
    text = ((pod.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION, "")
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
    out = {n: Behavior() for n in names}
    for clause in text.split(";"):
        words = clause.split()
        if not words or words[0] not in VERBS:
            continue
        verb, settings, flags = words[0], {}, set()
        for w in words[1:]:
            if "=" in w:
                k, _, v = w.partition("=")
                settings[k] = v
            else:
                flags.add(w)
        targets = [settings["container"]] if settings.get("container") in out else names
        for name in targets:
            try:
                _apply(out[name], verb, settings, flags)
            except ValueError:
                continue  # a malformed clause is ignored, as a real cluster ignores it all
    for c in (pod.get("spec") or {}).get("containers") or ():
        if missing_image(c.get("image", "")):
            out[c["name"]].pull_fails = True
    if (pod.get("spec") or {}).get("restartPolicy") in ("Never", "OnFailure"):
        for c in pod["spec"]["containers"]:
            _run_to_completion(out[c["name"]], c)
    return out


MISSING_WORDS = ("does-not-exist", "doesnotexist", "nonexistent", "missing", "nope", "typo")


def missing_image(image: str) -> bool:
    """A tag that says it does not exist (`nginx:does-not-exist`, `app:1.2-typo`) cannot
    be pulled, as on a real registry: `kubectl set image` can break a rollout on purpose."""
    name = image.rsplit("/", 1)[-1]
    tag = name.split("@")[0].partition(":")[2].lower()
    return any(word in tag for word in MISSING_WORDS)


def _run_to_completion(b: Behavior, c: dict) -> None:
    """A batch container with no behaviour set runs its command and exits: with the code
    of a trailing `exit N`, else 0, after RUN_SECONDS; a server loop never exits."""
    if b.exits_after is not None:
        return
    script = " ".join([*(c.get("command") or ()), *(c.get("args") or ())])
    if any(loop in script for loop in ("while true", "while :", "sleep infinity")):
        return
    words = script.replace(";", " ").replace("&&", " ").split()
    code = 0
    if len(words) >= 2 and words[-2] == "exit" and words[-1].isdigit():
        code = int(words[-1])
    # `sleep N` runs N seconds (a debug pod's `sleep 3600`), else the command is quick
    sleeps = [float(w) for prev, w in pairwise(words)
              if prev.endswith("sleep") and w.replace(".", "", 1).isdigit()]
    b.crash_after, b.exit_code = max([RUN_SECONDS, *sleeps]), code


def _apply(b: Behavior, verb: str, s: dict, flags: set) -> None:
    after = duration(s["after"]) if "after" in s else None
    if verb == "crash":
        b.crash_after = after if after is not None else 5.0
        b.exit_code = int(s.get("exit", 1))
    elif verb == "oom":
        b.oom_after = after if after is not None else 8.0
    elif verb == "readiness":
        b.readiness_fails = "fail" in flags or s.get("probe") == "fail"
    elif verb == "liveness":
        b.liveness_fails_after = after if after is not None else 15.0
    elif verb == "slow-start":
        b.ready_after = after if after is not None else 30.0
    elif verb == "pull":
        b.pull_fails = True
    elif verb == "logs":
        b.log_rate = float(s.get("rate", 10))
