"""`callcenter tls init`: a self-signed certificate for the desktop hub (development): a leaf,
which the desktops pin (they accept exactly it, not what its key might sign)."""

from __future__ import annotations

import argparse
from pathlib import Path

import platformdirs

from callcenter.cli.context import settings
from db.errors import DataError


def default_dir() -> Path:
    return Path(platformdirs.user_data_dir("hotline1022", appauthor=False)) / "tls"


def register(commands: argparse._SubParsersAction) -> None:
    tls = commands.add_parser("tls", help="TLS certificates for the desktop hub")
    sub = tls.add_subparsers(dest="tls_command", required=True, metavar="ACTION")
    p = sub.add_parser("init", help="make a self-signed certificate the desktops pin "
                       "(development only)")
    p.add_argument("--cert", type=Path, help="certificate file (default: [hub] tls_cert, "
                   "or hub.crt in the user's data directory)")
    p.add_argument("--key", type=Path, help="private key file (default: [hub] tls_key)")
    p.add_argument("--name", action="append", default=[], metavar="HOST",
                   help="a host name or address the desktops connect to (repeatable; "
                   "localhost, 127.0.0.1, ::1 and this host's name are always in)")
    p.add_argument("--force", action="store_true", help="replace an existing certificate")
    p.set_defaults(handler=init)


def init(args: argparse.Namespace) -> int:
    from callcenter.hub.tls import default_names, fingerprint, make_self_signed

    hub = settings(args).hub
    cert = args.cert or hub.tls_cert or default_dir() / "hub.crt"
    key = args.key or hub.tls_key or cert.with_suffix(".key")
    if (cert.exists() or key.exists()) and not args.force:
        raise DataError(f"{cert} or {key} exists already (--force replaces them)")
    names = default_names() + [n for n in args.name if n not in default_names()]
    make_self_signed(cert, key, names)
    print(f"certificate: {cert}\nprivate key: {key} (mode 0600)\nnames: {', '.join(names)}\n"
          f"SHA-256: {fingerprint(cert)}")
    print("in callcenter.toml:\n  [hub]\n"
          f"  tls_cert = \"{cert}\"\n  tls_key = \"{key}\"\n"
          f"desktops pin exactly this certificate (not a CA): give them {cert} (--ca-file)")
    return 0
