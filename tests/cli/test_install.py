"""`meson install` into a staging directory, then the installed binary run
from elsewhere with no hint of the source or build tree: it must find its
content and demos relative to itself. The man page and bash completion are
installed too."""

import glob
import os
import shutil
import subprocess
import tempfile

from clitest import SRC, expect, private_env, run_tests

BUILD = os.environ.get("PYDOJO_BUILD_ROOT", "build")


def test_installed_binary_finds_its_files():
    with tempfile.TemporaryDirectory(prefix="pydojo-install-") as stage:
        p = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild",
                            "--destdir", stage, "--quiet"],
                           capture_output=True, text=True, timeout=300)
        expect(p.returncode == 0, f"meson install failed: {p.stderr[-800:]}")
        bins = glob.glob(os.path.join(stage, "**", "bin", "pydojo"), recursive=True)
        expect(len(bins) == 1, f"installed binary not found: {bins}")
        prefix = os.path.dirname(os.path.dirname(bins[0]))
        man = os.path.join(prefix, "share", "man", "man1", "pydojo.1")
        expect(os.path.getsize(man) > 1000, "man page missing or empty")
        comp = os.path.join(prefix, "share", "bash-completion", "completions", "pydojo")
        expect(os.path.getsize(comp) > 200, "bash completion missing or empty")
        # Installed as written, so test_completion's run of the source's
        # script is a run of the installed one.
        for installed, source in ((comp, "pydojo.bash-completion"), (man, "pydojo.1")):
            with open(installed, "rb") as a, open(os.path.join(SRC, "doc", source), "rb") as b:
                expect(a.read() == b.read(), f"{installed} differs from doc/{source}")
        terms = os.path.join(prefix, "share", "pydojo", "terms.yaml")
        expect(os.path.isfile(terms) and os.path.getsize(terms) > 1000,
               "the shared rubric vocabulary (terms.yaml) is not installed")
        harness = os.path.join(prefix, "share", "pydojo", "share", "harness.py")
        with open(harness, "rb") as a, open(os.path.join(SRC, "share", "harness.py"), "rb") as b:
            expect(a.read() == b.read(), "the exercise harness is not installed as written")
        demos = glob.glob(os.path.join(prefix, "libexec", "pydojo", "demo-*"))
        expect(len(demos) >= 3, f"demo binaries not installed: {demos}")
        # Move the installed tree, so no path compiled in can be what works.
        moved = os.path.join(stage, "elsewhere")
        shutil.move(prefix, moved)
        binary = os.path.join(moved, "bin", "pydojo")
        with tempfile.TemporaryDirectory() as home:
            env = private_env(home)
            for k in ("PYDOJO_DATADIR", "PYDOJO_DEMODIR", "PYDOJO_SOURCE_ROOT"):
                env.pop(k, None)
            r = subprocess.run([binary, "check"], cwd="/", env=env,
                               capture_output=True, text=True, timeout=60)
            expect(r.returncode == 0 and r.stdout.startswith("ok: "),
                   f"installed check: {r.returncode} {r.stdout!r} {r.stderr[-400:]!r}")
            r = subprocess.run([binary, "learn", "gil", "1"], cwd="/", env=env,
                               capture_output=True, text=True, timeout=60)
            expect(r.returncode == 0 and "GIL" in r.stdout, f"installed learn: {r.stderr!r}")
            r = subprocess.run([binary, "demo", "generators", "--n", "1000", "--json"],
                               cwd="/", env=env, capture_output=True, text=True, timeout=60)
            expect(r.returncode == 0 and '"computed_on_break"' in r.stdout,
                   f"installed demo: {r.returncode} {r.stderr[-400:]!r}")


run_tests(globals())
