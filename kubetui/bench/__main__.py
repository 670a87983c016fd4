"""`python -m kubetui.bench [--pods N] [--json FILE]` (the app),
`python -m kubetui.bench informer [--pods N] [--json FILE]` (the informer alone), and
`logs`, `arch`, `lint`, `fleet` (every context at once), `startup`, `screens` (memory over screens
opened and closed, churn, switches) and `soak` (see each module)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):
        p = argparse.ArgumentParser(prog="python -m kubetui.bench",
                                    description="the app, headless, beside kubectl")
        p.add_argument("--pods", type=int, default=10_000)
        p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
        p.add_argument("--no-lint", action="store_true",
                       help="without the live lint ([lint] live = false), to compare")
        args = p.parse_args(argv)
        from .app import run as run_app
        return run_app(args.pods, args.json, lint=not args.no_lint)
    p = argparse.ArgumentParser(prog="python -m kubetui.bench",
                                description="kubetui's benchmarks against the simulated cluster")
    sub = p.add_subparsers(dest="which", required=True)
    inf = sub.add_parser("informer", help="list+watch of N pods beside `kubectl get pods -A`")
    inf.add_argument("--pods", type=int, default=10_000)
    inf.add_argument("--events", type=int, default=50_000,
                     help="watch events to decode for the decode rate")
    inf.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    logs = sub.add_parser("logs", help="the logs view: throughput and RSS after 1M lines")
    logs.add_argument("--lines", type=int, default=1_000_000)
    logs.add_argument("--rate", type=int, default=20_000,
                      help="lines a second the followed pod writes (0: skip that part)")
    logs.add_argument("--seconds", type=float, default=10)
    logs.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    arch = sub.add_parser("arch", help="the architecture view's model and layout at scale")
    arch.add_argument("--nodes", type=int, default=100)
    arch.add_argument("--pods", type=int, default=10_000)
    arch.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    soak = sub.add_parser("soak", help="the app for N minutes under churn, every fault "
                                       "and every screen: cache, errors, memory, threads")
    soak.add_argument("--minutes", type=float, default=30)
    soak.add_argument("--pods", type=int, default=10_000)
    soak.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    soak.add_argument("--trace", action="store_true",
                      help="tracemalloc: the source lines whose allocations grew (slow)")
    soak.add_argument("--no-trim", dest="trim", action="store_false",
                      help="no malloc_trim after heap resets (to compare)")
    scr = sub.add_parser("screens", help="RSS and threads over screens opened and closed, "
                                        "churn and context switches")
    scr.add_argument("--pods", type=int, default=10_000)
    scr.add_argument("--cycles", type=int, default=20, help="opens and closes of each screen")
    scr.add_argument("--churn-seconds", type=float, default=60,
                     help="how long to churn 200 pods a second (0: skip)")
    scr.add_argument("--switches", type=int, default=20,
                     help="context switches between two clusters of N pods (0: skip)")
    scr.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    lint = sub.add_parser("lint", help="the footgun lint: full pass, per change, live")
    lint.add_argument("--pods", type=int, default=10_000)
    lint.add_argument("--churn", type=float, default=200,
                      help="pod updates a second during the live part")
    lint.add_argument("--no-live", action="store_true",
                      help="in-process parts only (no simulated cluster process)")
    lint.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    fleet = sub.add_parser("fleet", help="the fleet screen over N simulated clusters of M "
                                         "pods each: all rows filled, RSS, idle CPU")
    fleet.add_argument("--contexts", type=int, default=10)
    fleet.add_argument("--pods", type=int, default=10_000, help="pods per context")
    fleet.add_argument("--idle-seconds", type=float, default=10)
    fleet.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    start = sub.add_parser("startup", help="--version, --help and --demo's first frame")
    start.add_argument("--runs", type=int, default=5)
    start.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = p.parse_args(argv)
    if args.which == "startup":
        from .startup import run as run_startup
        return run_startup(args.runs, args.json)
    if args.which == "fleet":
        from .fleet import run as run_fleet
        return run_fleet(args.contexts, args.pods, args.json, args.idle_seconds)
    if args.which == "soak":
        from .soak import run as run_soak
        return run_soak(args.minutes, args.pods, args.json, args.trace, args.trim)
    if args.which == "screens":
        from .screens import run as run_screens
        return run_screens(args.pods, args.cycles, args.churn_seconds, args.switches,
                           args.json)
    if args.which == "lint":
        from .lint import run as run_lint
        return run_lint(args.pods, args.json, live=not args.no_live, churn=args.churn)
    if args.which == "arch":
        from .arch import run as run_arch
        return run_arch(args.nodes, args.pods, args.json)
    if args.which == "logs":
        from .logs import run as run_logs
        return run_logs(args.lines, args.json, args.rate, args.seconds)
    if args.which == "informer":
        from .informer import run
        return run(args.pods, args.events, args.json)
    return 2


if __name__ == "__main__":
    sys.exit(main())
