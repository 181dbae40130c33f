"""Runs the content's programs that declare `needs:` (a lesson section's
`code` with an `output`, an `output` question) against the real frameworks
on the system's Python (/usr/bin/python3, where Debian installs them), and
compares their output exactly, under PYTHONHASHSEED 0 and 1.

Each program runs with the network cut off (`unshare -n`, or `unshare -rn`
for a user without root), AWS_EC2_METADATA_DISABLED=true and dummy AWS
credentials, in a folder of its own. A program that needs `redis` gets a
private Redis server, started once for the run on a Unix socket in a
temporary folder (`redis-check-rdb` run under the name `redis-server`: the
same binary, from redis-tools, without the redis-server package's system
service), named by REDIS_URL (unix://PATH, for redis-py) and REDIS_SOCKET
(the path: Celery's broker URL is redis+socket://PATH); it is stopped at
the end, on failure too.

Before the content, the runner proves itself on tests/data/stack: a program
there that reaches for the network must fail, one that pings the private
Redis must pass. Exit 77 only when a package cannot be had (the message
names it); every need the content uses is installed by .ci/setup."""

import concurrent.futures
import glob
import os
import socket
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from stacklib import REDIS_BINARY, Redis  # noqa: E402

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SYSTEM_PYTHON = "/usr/bin/python3"
HOST_PORT = 0
# The module each need imports (redis: the client; its server is started).
MODULES = {
    "authlib": "authlib", "boto3": "boto3", "celery": "celery", "django": "django", "dotenv": "dotenv",
    "drf": "rest_framework", "fastapi": "fastapi", "httpx": "httpx", "jwt": "jwt",
    "mongoengine": "mongoengine", "mongomock": "mongomock", "oauthlib": "oauthlib", "pydantic": "pydantic",
    "redis": "redis",
}
# Debian's package of each, for the message when one is missing.
PACKAGES = {
    "authlib": "python3-authlib", "boto3": "python3-boto3", "celery": "python3-celery",
    "django": "python3-django", "dotenv": "python3-dotenv", "drf": "python3-djangorestframework",
    "fastapi": "python3-fastapi", "httpx": "python3-httpx", "jwt": "python3-jwt",
    "mongoengine": "python3-mongoengine", "mongomock": "python3-mongomock", "oauthlib": "python3-oauthlib",
    "pydantic": "python3-pydantic", "redis": "python3-redis redis-tools",
}


def programs(root):
    """(name, source, expected output, needs) of every program under root
    that declares needs."""
    for path in sorted(glob.glob(os.path.join(root, "lessons", "*.yaml"))):
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        for i, sec in enumerate(doc.get("sections") or []):
            code = sec.get("code")
            if code and "output" in code and code.get("needs"):
                yield (f"{os.path.relpath(path, SRC)} § {i + 1} {sec.get('title')!r}",
                       code["source"], code["output"], code["needs"])
    for path in sorted(glob.glob(os.path.join(root, "quizzes", "*.yaml"))):
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        for q in doc.get("questions") or []:
            if q.get("type") == "output" and q.get("needs"):
                yield f"{os.path.relpath(path, SRC)} {q['id']}", q["code"], q["answer"], q["needs"]


def missing(needs):
    """The Debian packages missing for needs, as one string, or ''."""
    probe = "import importlib.util, sys; print(*[m for m in sys.argv[1:] if importlib.util.find_spec(m) is None])"
    mods = sorted({MODULES[n] for n in needs})
    got = subprocess.run([SYSTEM_PYTHON, "-c", probe, *mods], capture_output=True, text=True)
    absent = set(got.stdout.split()) if got.returncode == 0 else set(mods)
    pkgs = [PACKAGES[n] for n in sorted(needs) if MODULES[n] in absent]
    if "redis" in needs and not os.access(REDIS_BINARY, os.X_OK):
        pkgs.append("redis-tools")
    return " ".join(sorted(set(" ".join(pkgs).split())))


def unshare_prefix():
    """The command that runs a program without a network."""
    return ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]


def run(source, seed, folder, redis):
    env = {"PYDOJO_HOST_PORT": str(HOST_PORT),"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": folder, "PYTHONHASHSEED": str(seed),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    if redis:
        # redis-py's form of the address, and the bare path (Celery's broker
        # takes redis+socket://PATH).
        env["REDIS_URL"] = "unix://" + redis.sock
        env["REDIS_SOCKET"] = redis.sock
    prog = os.path.join(folder, "example.py")
    with open(prog, "w", encoding="utf-8") as f:
        f.write(source)
    try:
        p = subprocess.run(unshare_prefix() + [SYSTEM_PYTHON, "-I", prog], capture_output=True, env=env,
                           cwd=folder, timeout=60)
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after 60 s"
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(source, want, folder, redis):
    for seed in (0, 1):
        rc, out, err = run(source, seed, folder, redis)
        if out != want:
            return (f"PYTHONHASHSEED={seed}: output differs (exit {rc})\n"
                    f"    want: {want!r}\n    got:  {out!r}\n    stderr: {err[-600:]!r}")
    return None


def run_all(progs, tmp, redis):
    """name -> None or why it failed, run in parallel, each in a folder."""
    # Most of a program's time is spent loading a framework from disk, not
    # on a processor: twice as many at once as there are processors.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2)) as pool:
        jobs = []
        for i, (name, source, want, needs) in enumerate(progs):
            # A fresh folder per program, also across calls (self-test, content).
            folder = tempfile.mkdtemp(prefix=f"p{i}-", dir=tmp)
            os.chmod(folder, 0o755)
            jobs.append((name, pool.submit(check, source, want, folder, redis if "redis" in needs else None)))
        return [(name, job.result()) for name, job in jobs]


def main():
    global HOST_PORT
    t0 = time.monotonic()
    # A port open on this host's loopback, which a program run without a
    # network must not reach (the self-test's proof that the cut holds;
    # this machine may have no route outside at all).
    host = socket.socket()
    host.bind(("127.0.0.1", 0))
    host.listen(8)
    HOST_PORT = host.getsockname()[1]
    content = list(programs(SRC))
    selftest = list(programs(os.path.join(SRC, "tests", "data", "stack")))
    needs = {n for p in content + selftest for n in p[3]}
    unknown = needs - set(MODULES)
    if unknown:
        print(f"FAIL unknown needs {sorted(unknown)} (pydojo check reports where)")
        sys.exit(1)
    absent = missing(needs)
    if absent:
        print(f"skip: missing Debian packages: {absent} (.ci/setup installs them as root)")
        sys.exit(77)
    if subprocess.run(unshare_prefix() + ["true"], capture_output=True).returncode != 0:
        print("FAIL: cannot cut the network off with unshare")
        sys.exit(1)
    failed = passed = 0
    redis = None
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        try:
            redis = Redis(tmp)
            for name, bad in run_all(selftest, tmp, redis):
                # The self-test's programs that must fail say so in their name.
                must_fail = "must fail" in name
                if bool(bad) != must_fail:
                    failed += 1
                    print(f"FAIL self-test {name}: " + (bad or "passed, and must fail"))
                else:
                    print(f"self-test ok {name}")
            for name, bad in run_all(content, tmp, redis):
                if bad:
                    failed += 1
                    print(f"FAIL {name}: {bad}")
                else:
                    passed += 1
        finally:
            if redis:
                redis.stop()
    print(f"{passed} programs matched against the frameworks, {failed} failed "
          f"({time.monotonic() - t0:.1f} s)")
    sys.exit(1 if failed else 0)


main()
