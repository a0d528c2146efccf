"""Run every benchmark in turn and print its figures: `make bench`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ("digest_bench.py", []),
    ("reminder_sweep.py", []),
    ("command_roundtrip.py", ["300"]),
    ("delivery_bench.py", []),
]


def main() -> int:
    failed = 0
    for script, args in SCRIPTS:
        print(f"== {script} {' '.join(args)}", flush=True)
        failed += subprocess.call([sys.executable, str(HERE / script), *args]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
