"""`callcenter demo`: the hotline with no FreeSWITCH (simulator + daemon + wallboard)."""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path
from types import FrameType

from callcenter.demo import DemoOptions, run_demo


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("demo", help="run the whole hotline on the built-in simulator")
    p.add_argument("--headless", action="store_true",
                   help="a text wallboard instead of the agent desktop")
    p.add_argument("--rate", type=float, default=None,
                   help="callers per simulated minute (default 6; 20 with --lead)")
    p.add_argument("--speed", type=float, default=10.0, help="simulated seconds per second")
    p.add_argument("--duration", type=float, default=None, help="real seconds to run")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lead", action="store_true",
                   help="the team lead's console instead of the nurse's desk: logged in as "
                        "the demo lead, 24 simulated agents, a busy hour (--rate 20)")
    p.add_argument("--no-history", dest="history", action="store_false",
                   help="start from an empty day: no patients under home monitoring (and with "
                        "--lead no calls) written first")
    p.add_argument("--staff", type=int, default=None,
                   help="simulated agents beyond the six demo agents (default 0; 18 with "
                        "--lead)")
    p.add_argument("--no-web", dest="web", action="store_false",
                   help="without the public declaration form (callcenter web)")
    p.add_argument("--desktop-user", default=None, help=argparse.SUPPRESS)
    p.add_argument("--ready-file", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--control", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=demo)


def demo(args: argparse.Namespace) -> int:
    if args.rate is None:
        args.rate = 20.0 if args.lead else 6.0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.headless:
        from desktop.app import display_available

        if display_available():
            from callcenter.demo_desktop import run_desktop_demo

            return run_desktop_demo(args.rate, args.speed, args.seed, lead=args.lead,
                                    staff=_staff(args), duration=args.duration,
                                    web=args.web, history=args.history)
        print("demo: no display here (no DISPLAY or WAYLAND_DISPLAY): the headless wallboard "
              "instead", flush=True)
    if args.ready_file is not None:  # the desktop demo's backend, which SIGTERM stops
        signal.signal(signal.SIGTERM, _interrupt)
    run_demo(DemoOptions(rate_per_minute=args.rate, speed=args.speed, duration=args.duration,
                         seed=args.seed, desktop_user=args.desktop_user,
                         ready_file=args.ready_file, quiet=args.quiet, control=args.control,
                         extra_staff=_staff(args), lead=args.lead,
                         history=args.lead and args.history, patients=args.history,
                         web=args.web))
    return 0


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM while the demo starts: unwound as Ctrl-C would (what was started so far is
    stopped: the web form's process, the daemon), not killed on the spot. Once up, the demo
    takes SIGTERM itself (a clean stop)."""
    raise KeyboardInterrupt


def _staff(args: argparse.Namespace) -> int:
    return args.staff if args.staff is not None else (18 if args.lead else 0)
