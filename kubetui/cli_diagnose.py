"""`kubetui diagnose TARGET` and `kubetui report TARGET -o FILE`: the checklist, the most
likely cause, the timeline and the incident bundle without the TUI, against a cluster
(`--context`, `-n`) or saved files (`--from DIR`). Exit codes for scripts: 0 nothing is
wrong, 1 a problem was found, 2 it could not look."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import tempfile

OK, PROBLEM, CANNOT_LOOK = 0, 1, 2


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", help="pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME, "
                                  "job/NAME (a bare NAME is a pod)")
    p.add_argument("-n", "--namespace", help="its namespace (default: the context's, "
                                             "else default)")
    p.add_argument("--context", help="the kubeconfig context (default: the current one)")
    p.add_argument("--kubeconfig", action="append", metavar="FILE",
                   help="kubeconfig file (repeatable; overrides $KUBECONFIG)")
    p.add_argument("--from", dest="source", metavar="DIR",
                   help="read saved files instead of a cluster: `kubectl get -o json` "
                        "output or a `kubectl cluster-info dump` folder")


def _client(args):
    """(client, namespace) for the arguments; raises for a cluster that cannot be used."""
    if args.source:
        from .kube.offline import OfflineClient
        return OfflineClient(args.source), args.namespace or "default"
    from .kube.client import KubeClient
    from .kube.config import kubeconfig_paths, load_kubeconfig
    kc = load_kubeconfig(kubeconfig_paths(args.kubeconfig))
    client = KubeClient.connect(kc, args.context)
    return client, args.namespace or kc.context(args.context).namespace or "default"


def _gather(args):
    from .kube.incident import gather_incident
    from .logfile import setup_logging
    setup_logging()  # failures go to the log file, the terminal gets the report
    client, namespace = _client(args)
    try:
        return gather_incident(client, args.target, namespace)
    finally:
        client.close()


def diagnose_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="kubetui diagnose", description=__doc__)
    _common(p)
    p.add_argument("-o", "--output", choices=("text", "markdown", "json"), default="text")
    args = p.parse_args(argv)
    from .diagnose.checklist import PROBLEM as BAD
    from .diagnose.checklist import headline
    from .kube.incident import CannotLook
    from .render import report
    try:
        incident = _gather(args)
    except (CannotLook, ValueError, OSError) as exc:
        print(f"kubetui diagnose: {exc}", file=sys.stderr)
        return CANNOT_LOOK
    except Exception as exc:  # noqa: BLE001 - CLI boundary: a kubeconfig or auth failure: one line, exit 2
        print(f"kubetui diagnose: {type(exc).__name__}: {exc}", file=sys.stderr)
        return CANNOT_LOOK
    c = incident.checklist
    if args.output == "json":
        print(json.dumps(report.checklist_json(incident.target, incident.namespace,
                                               incident.pod, c), indent=1))
    elif args.output == "markdown":
        print(report.incident_markdown(incident, report.commands_for(incident)))
    else:
        print(incident.mask(report.checklist_text(incident.target, incident.namespace,
                                                  incident.pod, c,
                                                  headline(c) if c else "")), end="")
    if c is None:
        return CANNOT_LOOK
    return PROBLEM if c.cause is not None or BAD in c.verdicts() else OK


def report_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="kubetui report", description=__doc__)
    _common(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the markdown file to write")
    p.add_argument("--tar", action="store_true",
                   help="also write FILE.tar.gz: the report and the raw JSON beside it")
    args = p.parse_args(argv)
    from .render import report
    try:
        incident = _gather(args)
    except Exception as exc:  # noqa: BLE001 - CLI boundary: nothing to report on: say why, exit 2
        print(f"kubetui report: {exc}", file=sys.stderr)
        return CANNOT_LOOK
    text = report.incident_markdown(incident, report.commands_for(incident))
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {args.output}")
    if args.tar:
        raw = {"checklist": report.checklist_json(incident.target, incident.namespace,
                                                  incident.pod, incident.checklist),
               "timeline": report.timeline_lines(incident.timeline),
               "events": incident.events, "node": incident.node,
               "history": [r.__dict__ for r in incident.history]}
        data = incident.mask(json.dumps(raw, indent=1, default=str))
        archive = f"{args.output}.tar.gz"
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "incident.json")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(data)
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(args.output, arcname=os.path.basename(args.output))
                tar.add(path, arcname="incident.json")
        print(f"wrote {archive}")
    c = incident.checklist
    return CANNOT_LOOK if c is None else PROBLEM if c.cause is not None else OK


__all__ = ["diagnose_main", "report_main"]
