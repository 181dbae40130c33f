"""Every start-up, store and search figure in one run, on a release build:

    meson setup build-rel --buildtype=release && ninja -C build-rel
    python3 tests/bench/all.py build-rel

runs startup.py (topics, learn and quiz against a bare libyaml parse of the
shipped content, with and without the parsed-content cache; a 20,000-file
catalog), store.py (topics, quiz start and stats at 10, 100,000 and
1,000,000 reviews) and search.py (search against grep -rPi on 4 MiB, and
against topics on the shipped content), one after the other. Each prints
ratios from its own interleaved runs, with CPU time beside wall time."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(HERE)), "build")
status = 0
for script in ("startup.py", "store.py", "search.py"):
    print(f"==> {script}", flush=True)
    status |= subprocess.run([sys.executable, os.path.join(HERE, script), build]).returncode
sys.exit(1 if status else 0)
