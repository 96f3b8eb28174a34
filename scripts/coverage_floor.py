"""Print `make test`'s coverage total beside its floor; exit 2 under the floor.

Usage: coverage_floor.py COVERAGE_JSON FLOOR. COVERAGE_JSON is SlipCover's merged report of the lanes and the local
hosts (the Makefile's `test` target); its total counts lines and branches together, as the table above it does.
"""

import json
import sys
from pathlib import Path


def main(report: Path, floor: float) -> int:
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    total = summary["percent_covered"]
    lines = summary["covered_lines"], summary["covered_lines"] + summary["missing_lines"]
    branches = summary["covered_branches"], summary["covered_branches"] + summary["missing_branches"]
    print(
        f"Coverage of functions/, shared/ and devhost/: {total:.2f}% "
        f"(lines {lines[0]}/{lines[1]}, branches {branches[0]}/{branches[1]}); floor {floor}%"
    )
    if total < floor:
        print(f"FAIL: coverage {total:.2f}% is under its floor of {floor}%", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), float(sys.argv[2])))
