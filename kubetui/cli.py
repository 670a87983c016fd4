"""Command line: `kubetui [options]`, `kubetui --demo`, `kubetui sim [options]`,
`kubetui lint [options]`."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from . import __version__
from .kube.config import KubeConfigError, NoKubeConfig, kubeconfig_paths, load_kubeconfig
from .logfile import setup_logging

DEMO_HINT = "try the built-in demo cluster: kubetui --demo"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kubetui",
        description="A terminal dashboard for Kubernetes. "
                    "Run `kubetui sim --help` for the simulated cluster, "
                    "`kubetui diagnose TARGET` / `kubetui report TARGET -o FILE` for a "
                    "checklist or an incident report without the TUI, "
                    "`kubetui lint --help` for the footgun lint (for CI), and "
                    "`kubetui kind-demo up|down` for the demo on a kind cluster.",
        epilog="Kubeconfig is read like kubectl reads it: --kubeconfig, else $KUBECONFIG "
               "(a:b:c of split files), else ~/.kube/config.")
    p.add_argument("--version", action="version", version=f"kubetui {__version__}")
    p.add_argument("--demo", action="store_true",
                   help="run against an embedded simulated cluster (no cluster needed)")
    p.add_argument("--kubeconfig", action="append", metavar="FILE",
                   help="kubeconfig file (repeatable; overrides $KUBECONFIG)")
    p.add_argument("--clusters-dir", metavar="DIR",
                   help="also read every kubeconfig file in DIR (one cluster per file)")
    p.add_argument("--context", help="context to use (default: the current context)")
    p.add_argument("-n", "--namespace", help="namespace to show (default: all namespaces)")
    p.add_argument("--readonly", action="store_true", help="refuse every write")
    p.add_argument("--fleet", action="store_true",
                   help="start on the fleet: every context of every kubeconfig file, live")
    return p


def _sim_parser() -> argparse.ArgumentParser:
    from .sim.faults import FAULT_HELP

    p = argparse.ArgumentParser(
        prog="kubetui sim",
        description="Serve the simulated Kubernetes cluster on 127.0.0.1 until interrupted, "
                    "for kubectl or any other client.")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument("--scenario", default="demo",
                   help="shipped scenario name, a folder of YAML, or 'none' (default: demo)")
    p.add_argument("--write-kubeconfig", metavar="FILE",
                   help="write a kubeconfig for this cluster to FILE (mode 0600)")
    p.add_argument("--name", metavar="NAME",
                   help="the context, cluster and user names in that kubeconfig (default: "
                        "kubetui-sim-PORT, so two sims' files never shadow each other)")
    p.add_argument("--speed", type=float, default=1.0,
                   help="simulated time runs this many times faster (default: 1)")
    p.add_argument("--tls", action="store_true",
                   help="serve https with a throwaway CA (written into the kubeconfig); "
                        "needed for kubectl to send tokens, so RBAC applies to it")
    p.add_argument("--user", metavar="NAME",
                   help="write the kubeconfig for user NAME instead of the admin (RBAC "
                        "bindings decide what it may do; the demo lets 'dev' view shop)")
    p.add_argument("--pods", type=int, default=0, metavar="N",
                   help="also load N bulk pods (namespace 'bulk'), for scale tests")
    p.add_argument("--churn", type=float, default=0, metavar="RATE",
                   help="update RATE bulk pods per second (with --pods)")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC", help=FAULT_HELP)
    return p


def _lint_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kubetui lint",
        description="Run kubetui's footgun rules once over a cluster (or saved `kubectl get "
                    "-o json` files) and print the findings. Exit codes: 0 nothing at or "
                    "past the threshold, 1 findings at or past it, 2 could not look (no "
                    "cluster, a kind it may not list, no files).",
        epilog="Rules are turned off in the [lint] table of ~/.config/kubetui/config.toml "
               "(disabled = [...], and per namespace [lint.namespaces.NS]), or with "
               "--disable. ConfigMaps and Secrets are read as metadata only.")
    p.add_argument("--kubeconfig", action="append", metavar="FILE",
                   help="kubeconfig file (repeatable; overrides $KUBECONFIG)")
    p.add_argument("--clusters-dir", metavar="DIR",
                   help="also read every kubeconfig file in DIR (one cluster per file)")
    p.add_argument("--context", help="context to use (default: the current context)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("-n", "--namespace", help="lint this namespace only")
    scope.add_argument("-A", "--all-namespaces", action="store_true",
                       help="lint every namespace (the default)")
    p.add_argument("-o", "--output", choices=("text", "json", "markdown"), default="text",
                   help="text (default), json (a list of findings) or markdown")
    p.add_argument("--fail-on", choices=("warning", "error"), default="warning",
                   help="the severity that fails the run, exit 1 (default: warning)")
    p.add_argument("--from", dest="source", metavar="DIR",
                   help="lint the `kubectl get -o json` (or YAML) files in DIR instead of a "
                        "cluster")
    p.add_argument("--disable", action="append", default=[], metavar="RULE",
                   help="turn a rule off (repeatable)")
    p.add_argument("--config", metavar="FILE",
                   help="read the [lint] table from FILE (default: kubetui's config.toml)")
    p.add_argument("--fixes", action="store_true", help="text output: print each fix too")
    return p


def lint_main(argv: list[str]) -> int:
    """`kubetui lint`: the live lint's rules, once, for CI pipelines."""
    import tomllib
    from dataclasses import replace

    from kubetui.ui.config import config_path

    from .diagnose import lint_report
    from .diagnose.lint import RANK, RULES, LintConfig, lint

    args = _lint_parser().parse_args(argv)

    def cannot(message: str) -> int:
        print(f"kubetui lint: {message}", file=sys.stderr)
        return 2

    path = Path(args.config) if args.config else config_path()
    table: dict = {}
    if args.config or path.exists():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("lint") or {}
        except (OSError, tomllib.TOMLDecodeError) as exc:
            if args.config:
                return cannot(f"{path}: {exc}")
            print(f"kubetui lint: {path}: {exc}; using no [lint] settings", file=sys.stderr)
    config, problems = LintConfig.from_table(table)
    for problem in problems:
        print(f"kubetui lint: {path}: {problem}", file=sys.stderr)
    unknown = [r for r in args.disable if r not in RULES]
    if unknown:
        return cannot(f"no rule {', '.join(unknown)} (rules: {', '.join(RULES)})")
    config = replace(config, disabled=config.disabled | frozenset(args.disable))
    namespace = None if args.all_namespaces else args.namespace
    if args.source:
        from .kube.lint_source import read_files
        src = read_files(args.source, namespace)
    else:
        from .kube.client import KubeClient
        from .kube.lint_source import fetch
        setup_logging()  # failures go to the log file, the terminal gets the report
        try:
            kc = load_kubeconfig(kubeconfig_paths(args.kubeconfig,
                                                  clusters_dir=args.clusters_dir))
            client = KubeClient.connect(kc, args.context)
        except KubeConfigError as exc:
            return cannot(str(exc))
        try:
            src = fetch(client, namespace, config.reads())
        except Exception as exc:  # noqa: BLE001 - CLI boundary: unreachable, TLS, a stalled server: say it, exit 2
            return cannot(f"cannot read {client.server}: {getattr(exc, 'message', exc)}")
        finally:
            client.close()
    findings = lint(src.objects, config, src.metrics)
    if src.objects or not src.unread:  # nothing read is not "no findings"
        out = {"json": lint_report.as_json, "markdown": lint_report.markdown}.get(
            args.output, lambda fs: lint_report.text(fs, fixes=args.fixes))(findings)
        sys.stdout.write(out)
    for note in src.notes:
        print(f"kubetui lint: {note}", file=sys.stderr)
    for what, why in src.unread.items():
        print(f"kubetui lint: could not read {what}: {why}", file=sys.stderr)
    if src.unread:
        return 2
    worst = RANK[args.fail_on]
    return 1 if any(RANK[f.severity] <= worst for f in findings) else 0


def _fail(message: str) -> int:
    print(f"kubetui: {message}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sim"]:
        return sim_main(argv[1:])
    if argv[:1] in (["diagnose"], ["report"]):
        from .cli_diagnose import diagnose_main, report_main
        return (diagnose_main if argv[0] == "diagnose" else report_main)(argv[1:])
    if argv[:1] == ["lint"]:
        return lint_main(argv[1:])
    if argv[:1] == ["kind-demo"]:
        from .kind_demo import main as kind_main
        return kind_main(argv[1:], run_tui=main)
    args = _parser().parse_args(argv)
    if args.demo:
        return demo_main(args)
    try:
        kc = load_kubeconfig(kubeconfig_paths(args.kubeconfig, clusters_dir=args.clusters_dir))
        if args.fleet and not args.context and not kc.current_context and kc.contexts:
            args.context = sorted(kc.contexts)[0]  # the fleet needs no current context
        kc.context(args.context)
    except NoKubeConfig as exc:
        return _fail(f"{exc}; set KUBECONFIG or --kubeconfig to a cluster's config, or "
                     f"{DEMO_HINT}")
    except KubeConfigError as exc:
        return _fail(str(exc))
    return run_app(kc, args)


def run_app(kc, args) -> int:
    from kubetui.ui.app import KubetuiApp, Settings
    from kubetui.ui.config import load_config

    setup_logging()
    cfg = load_config()
    settings = Settings(context=args.context, namespace=args.namespace,
                        readonly=args.readonly or cfg.readonly, refresh_hz=cfg.refresh_hz,
                        favorites=cfg.favorites, context_namespaces=cfg.context_namespaces,
                        keymap=cfg.keymap, debug_image=cfg.debug_image,
                        problems=cfg.problems, lint=cfg.lint,
                        fleet=getattr(args, "fleet", False))
    if cfg.theme:
        settings.theme = cfg.theme
    app = KubetuiApp(kc, settings)
    try:
        app.run()
    finally:
        app.shutdown()
    return app.return_code or 0


def demo_main(args) -> int:
    """Start the simulated cluster in-process, point a private kubeconfig at it, and run
    the dashboard through exactly the path a real cluster takes."""
    from kubetui.ui.lifetime import tune_malloc

    from .sim import SimCluster

    setup_logging()
    tune_malloc()  # before the sim's threads start (see the function)
    folder = tempfile.mkdtemp(prefix="kubetui-demo-")
    sim = None
    try:
        sim = SimCluster("demo").start()
        path = sim.write_kubeconfig(os.path.join(folder, "kubeconfig"))
        args.context = None
        return run_app(load_kubeconfig([path]), args)
    except OSError as exc:
        return _fail(f"cannot start the demo cluster: {exc}")
    finally:
        if sim is not None:
            sim.stop()
        shutil.rmtree(folder, ignore_errors=True)


def sim_main(argv: list[str]) -> int:
    from .sim import SimCluster
    from .sim.faults import parse_schedule

    args = _sim_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="kubetui sim: %(message)s")
    try:
        faults = [parse_schedule(spec) for spec in args.fault]
    except ValueError as exc:
        return _fail(f"sim: {exc}")
    try:
        scenario = None if args.scenario == "none" else args.scenario
        sim = SimCluster(scenario, port=args.port, speed=args.speed, tls=args.tls).start()
    except (OSError, FileNotFoundError) as exc:
        return _fail(f"sim: {exc}")
    print(f"Simulated cluster listening on {sim.url}", flush=True)
    if args.pods:
        started = time.monotonic()
        sim.bulk.load(args.pods)
        print(f"Loaded {args.pods} bulk pods in {time.monotonic() - started:.1f}s", flush=True)
        if args.churn:
            sim.bulk.churn(args.churn)
    if args.write_kubeconfig:
        port = sim.url.rsplit(":", 1)[-1]
        sim.write_kubeconfig(args.write_kubeconfig, context=args.name or f"kubetui-sim-{port}",
                             user=args.user)
        print(f"kubeconfig written to {args.write_kubeconfig}; try:\n"
              f"  kubectl --kubeconfig {args.write_kubeconfig} get pods -A", flush=True)
    for spec, every, first in faults:
        _schedule_fault(sim, spec, every, first)
    print("Press Ctrl-C to stop.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sim.stop())
    try:
        sim.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def _schedule_fault(sim, spec: str, every: float | None, first: float) -> None:
    """Run a fault after `first` seconds, and then every `every` seconds if given,
    printing what happened."""
    import threading

    def run():
        while True:
            try:
                sim.faults.apply_spec(spec)
                print(f"fault: {spec}", flush=True)
            except (ValueError, RuntimeError, TimeoutError) as exc:
                print(f"fault {spec!r} failed: {exc}", file=sys.stderr, flush=True)
                return
            if every is None or sim._stopped.wait(every):
                return

    timer = threading.Timer(first, run)
    timer.daemon = True
    timer.start()


if __name__ == "__main__":
    raise SystemExit(main())
