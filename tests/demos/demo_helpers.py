"""Shared helpers for the demo tests (tests/demos/test_*.py).

A test runs one demo binary with small parameters and --json, then asserts
what must hold on any machine: counts, orderings, exact results, exit
statuses, and that no process the demo started is left behind.  Every run
gets a marker variable in its environment, so leftovers are found by
scanning /proc/*/environ.  Timings are never asserted, except loose ratios
where a test says why they are safe.

Usage in a test:

    from demo_helpers import Demo, main
    def check(demo):
        j = demo.run_json("--threads", "2")
        demo.expect(j["expected"] == 2000, "expected count")
    main("race", check)
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

MARKER_VAR = "PYDOJO_TEST_MARKER"


class Failure(Exception):
    pass


def get(obj, path):
    """The value at a dotted path ("speedup.gil") of a nested dict."""
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            raise Failure(f"figure '{path}' is missing from the JSON output")
        obj = obj[part]
    return obj


class Demo:
    def __init__(self, build_dir, demo_id):
        self.id = demo_id
        self.binary = os.path.join(build_dir, "demo-" + demo_id)
        if not os.access(self.binary, os.X_OK):
            raise Failure(f"no demo binary at '{self.binary}'")
        self.marker = uuid.uuid4().hex
        self.env = dict(os.environ, **{MARKER_VAR: self.marker})
        self.env.pop("NO_COLOR", None)

    def expect(self, cond, message):
        if not cond:
            raise Failure(message)

    def run(self, *args, timeout=120):
        """Runs the demo; returns (status, stdout, stderr)."""
        p = subprocess.run([self.binary, *args], env=self.env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, errors="replace", timeout=timeout)
        self.check_no_leftovers()
        return p.returncode, p.stdout, p.stderr

    def run_json(self, *args, timeout=120):
        """Runs with --json; checks exit 0 and one JSON object on stdout."""
        rc, out, err = self.run(*args, "--json", timeout=timeout)
        if rc != 0:
            raise Failure(f"demo-{self.id} {' '.join(args)} --json exited "
                          f"{rc}; stderr: {err.strip()[-500:]}")
        try:
            j = json.loads(out)
        except ValueError as e:
            raise Failure(f"demo-{self.id} {' '.join(args)} --json: stdout "
                          f"is not one JSON object ({e}): {out[:300]!r}")
        self.expect(isinstance(j, dict), "the JSON output is not an object")
        self.expect(isinstance(j.get("params"), dict),
                    "the JSON output has no 'params' object")
        return j

    def leftovers(self):
        found = []
        needle = f"{MARKER_VAR}={self.marker}".encode()
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = f.read()
            except OSError:
                continue
            if needle in env.split(b"\0"):
                found.append(int(pid))
        return found

    def check_no_leftovers(self, wait_s=2.0):
        deadline = time.monotonic() + wait_s
        while True:
            left = self.leftovers()
            if not left:
                return
            if time.monotonic() > deadline:
                raise Failure(f"processes left behind by demo-{self.id}: {left}")
            time.sleep(0.05)

    def check_help(self):
        rc, out, err = self.run("--help")
        self.expect(rc == 0, f"--help exited {rc}")
        self.expect(out.startswith("usage: demo-" + self.id),
                    f"--help does not start with a usage line: {out[:80]!r}")
        self.expect("--json" in out, "--help does not mention --json")

    def check_bad(self, *args):
        """A bad parameter: exit 2 and one error line on stderr, no stdout."""
        rc, out, err = self.run(*args)
        self.expect(rc == 2, f"{' '.join(args)}: exit {rc}, wanted 2")
        lines = err.strip().splitlines()
        self.expect(len(lines) == 1 and "error" in lines[0],
                    f"{' '.join(args)}: wanted one error line, got {err!r}")
        self.expect(out == "", f"{' '.join(args)}: printed on stdout: {out!r}")

    def check_signal(self, args, delay, sig=signal.SIGINT):
        """Sends sig after delay seconds: exit 128+sig and nothing left."""
        p = subprocess.Popen([self.binary, *args], env=self.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        time.sleep(delay)
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise Failure(f"demo-{self.id} did not stop within 30 s of "
                          f"signal {int(sig)}")
        if p.returncode == 0:
            # It may have finished before the signal arrived.
            self.check_no_leftovers()
            return
        self.expect(p.returncode == 128 + sig,
                    f"after signal {int(sig)}: exit {p.returncode}, "
                    f"wanted {128 + sig}; stderr: {err[-300:]!r}")
        self.check_no_leftovers()

    def check_manifest(self, manifest_path):
        """The manifest entry's params mirror --help (needs PyYAML)."""
        import yaml  # the build set up the tests on a python3 that has it
        with open(manifest_path) as f:
            entries = yaml.safe_load(f) or []
        entry = [e for e in entries if e.get("id") == self.id]
        self.expect(len(entry) == 1, f"demos.yaml has {len(entry)} entries "
                    f"for '{self.id}', wanted 1")
        e = entry[0]
        self.expect(e.get("binary") == "demo-" + self.id, "binary name")
        _, out, _ = self.run("--help")
        help_names = re.findall(r"^  --([a-z0-9-]+)", out, re.M)
        help_names = [n for n in help_names if n not in ("json", "help")]
        names = [p["name"] for p in e.get("params", [])]
        self.expect(names == help_names,
                    f"manifest params {names} differ from --help {help_names}")
        defaults = dict(re.findall(r"^  --([a-z0-9-]+) .*default ([^,)]+)\)$",
                                   out, re.M))
        for p in e.get("params", []):
            if p["type"] != "flag":
                self.expect(str(p.get("default")) == defaults.get(p["name"])
                            or (p["type"] == "float" and float(p["default"])
                                == float(defaults.get(p["name"], "nan"))),
                            f"manifest default of '{p['name']}' "
                            f"({p.get('default')}) differs from --help "
                            f"({defaults.get(p['name'])})")
            if p["type"] in ("int", "float"):
                lo, hi = p["min"], p["max"]
                self.check_bad(f"--{p['name']}={hi + 1}")
                self.check_bad(f"--{p['name']}={lo - 1}")
            if p["type"] == "enum":
                self.expect(p["default"] in p["values"], "enum default")


def main(demo_id, check):
    """Runs check(demo) with the build directory from argv; exits 0 or 1."""
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} BUILD_DEMO_DIR", file=sys.stderr)
        sys.exit(2)
    try:
        demo = Demo(sys.argv[1], demo_id)
        demo.check_help()
        manifest = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "demos", "demos.yaml")
        if os.path.exists(manifest):
            demo.check_manifest(manifest)
        check(demo)
        demo.check_no_leftovers()
    except Failure as e:
        print(f"FAIL demo-{demo_id}: {e}", file=sys.stderr)
        sys.exit(1)
    except subprocess.TimeoutExpired as e:
        print(f"FAIL demo-{demo_id}: timed out: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"ok demo-{demo_id}")
    sys.exit(0)


def find_python(version):
    """An interpreter of version "3.12": $PYDOJO_PYTHON312, else python3.12
    on PATH; None when neither runs and reports that version (a pyenv shim
    for a version that is not selected does not count)."""
    import shutil
    var = "PYDOJO_PYTHON" + version.replace(".", "")
    for cand in (os.environ.get(var), shutil.which("python" + version)):
        if not cand:
            continue
        try:
            p = subprocess.run([cand, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if p.returncode == 0 and p.stdout.strip() == version:
            return cand
    return None
