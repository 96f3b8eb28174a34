"""`python -m devhost [--port N] [--root DIR] [--route-prefix P] [--threads N] [--[no-]local-settings]`.

Applies local.settings.json (as Core Tools does), then serves function_app.py's HTTP functions.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from devhost import local_settings
from devhost.loader import find_root
from devhost.server import DEFAULT_THREADS, PortUnavailable, serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devhost", description="Serve function_app.py's HTTP functions.")
    parser.add_argument("--port", type=int, default=None, help="port (0 picks a free one; default: settings PORT)")
    parser.add_argument("--root", default=None, help="folder holding function_app.py")
    parser.add_argument("--route-prefix", default=None, help="override host.json's routePrefix (default api)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="worker threads")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--local-settings",
        default=None,
        metavar="FILE",
        help=f"settings file (default: {local_settings.FILE_NAME} in the root, if present)",
    )
    source.add_argument("--no-local-settings", action="store_true", help="read settings from the environment only")
    return parser


def _expected(error: BaseException) -> bool:
    """Start-up errors whose message says everything (no traceback): settings, local settings, the port."""
    return isinstance(error, (PortUnavailable, local_settings.LocalSettingsError)) or (
        type(error).__name__ == "SettingsError"
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, apply local settings and serve until interrupted; 2 when start-up fails."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.port is not None and not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    try:
        if not args.no_local_settings:
            root = find_root(args.root)
            explicit = args.local_settings is not None
            path = Path(args.local_settings) if explicit else root / local_settings.FILE_NAME
            applied = local_settings.load(path, required=explicit)
            if applied is not None:
                print(f"  {applied.summary()}", flush=True)
        serve(None, "127.0.0.1", args.port, root=args.root, route_prefix=args.route_prefix, threads=args.threads)
    except KeyboardInterrupt:
        return 0
    except (ValueError, OSError) as exc:
        if not _expected(exc):
            traceback.print_exc()
        print(f"devhost: cannot start: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
