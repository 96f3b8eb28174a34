"""`python -m devhost [--port N] [--root DIR] [--route-prefix P] [--threads N]`: serve function_app locally."""
from __future__ import annotations

import argparse
import sys
import traceback

from devhost.server import DEFAULT_THREADS, serve


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m devhost", description="Serve function_app.py's HTTP functions.")
    parser.add_argument("--port", type=int, default=None, help="port (0 picks a free one; default: settings PORT)")
    parser.add_argument("--root", default=None, help="folder holding function_app.py")
    parser.add_argument("--route-prefix", default=None, help="override host.json's routePrefix (default api)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="worker threads")
    args = parser.parse_args(argv)
    if args.port is not None and not 0 <= args.port <= 65535:
        parser.error("--port must be from 0 to 65535")
    try:
        serve(None, "127.0.0.1", args.port, root=args.root, route_prefix=args.route_prefix, threads=args.threads)
    except KeyboardInterrupt:
        return 0
    except (ValueError, OSError) as exc:  # SettingsError is a ValueError; its message names the setting
        if not isinstance(exc, OSError) and type(exc).__name__ != "SettingsError":
            traceback.print_exc()
        print(f"devhost: cannot start: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
