"""demo-bytecode-vm against CPython: one test per version (3.11, 3.12,
3.13), each comparing the demo's listing for that version with what the
interpreter of that version compiles.

3.11 is /usr/bin/python3; 3.12 and 3.13 come from $PYDOJO_PYTHON312 /
$PYDOJO_PYTHON313 or python3.12 / python3.13 on PATH, and their tests exit
77 (skipped) when the interpreter is absent.  Compared with dis on that
interpreter: the opcode names in order, their offsets and the jump targets.
Compared with the interpreter running total(n, 3): the instructions it
executes (traced with sys.settrace's opcode events on 3.11, sys.monitoring's
INSTRUCTION events on 3.12+; RESUME comes before tracing starts, so the
demo's first instruction must be RESUME and the rest must match), the
result, and a stack never deeper than co_stacksize.  The contended run:
the result and instruction count are exact, the eval breaker is checked
n + 2 times (RESUME, CALL, one JUMP_BACKWARD per turn), every drop request
is honoured at a JUMP_BACKWARD within one loop turn, and a run of at least
~100 ms with a 1 ms switch interval sees at least one drop."""

import json
import signal
import subprocess
import sys

from demo_helpers import Demo, Failure, find_python, get, main

FUNC = '''
def total(n, k):
    s = 0
    for i in range(n):
        s += i * k
    return s
'''

PROBE = FUNC + '''
import dis, json, sys
ins = list(dis.get_instructions(total))
names = {i.offset: i.opname for i in ins}
def traced(n):
    offs = []
    if sys.version_info >= (3, 12):
        mon = sys.monitoring
        mon.use_tool_id(3, "pydojo")
        mon.register_callback(3, mon.events.INSTRUCTION,
            lambda code, off: offs.append(off) if code is total.__code__ else None)
        mon.set_local_events(3, total.__code__, mon.events.INSTRUCTION)
        r = total(n, 3)
        mon.set_local_events(3, total.__code__, 0)
        mon.free_tool_id(3)
    else:
        def tr(frame, event, arg):
            if frame.f_code is not total.__code__:
                return None
            frame.f_trace_opcodes = True
            if event == "opcode":
                offs.append(frame.f_lasti)
            return tr
        sys.settrace(tr)
        r = total(n, 3)
        sys.settrace(None)
    return r, [names[o] for o in offs]
out = {
    "version": "%d.%d" % sys.version_info[:2],
    "opnames": [i.opname for i in ins],
    "offsets": [i.offset for i in ins],
    "jumps": {str(i.offset): i.argval for i in ins if i.opcode in dis.hasjrel + dis.hasjabs},
    "stacksize": total.__code__.co_stacksize,
    "traces": {str(n): traced(n) for n in (0, 1, 2, 5)},
}
print(json.dumps(out))
'''


def probe(python):
    p = subprocess.run([python, "-c", PROBE], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise Failure(f"{python} could not run the probe: {p.stderr[-400:]}")
    return json.loads(p.stdout)


def total(n, k):
    return sum(i * k for i in range(n))


def check_version(demo, version, cp):
    demo.expect(cp["version"] == version, f"the interpreter is {cp['version']}, not {version}")
    for show_n in (0, 1, 2, 5):
        j = demo.run_json("--version", version, "--show-n", str(show_n), "--n", "1000",
                          "--interval-ms", "50")
        demo.expect(get(j, "version") == version, "version")
        demo.expect(get(j, "listing.opnames") == cp["opnames"],
                    f"{version}: the listing's opcodes differ from dis:\n  demo    "
                    f"{get(j, 'listing.opnames')}\n  CPython {cp['opnames']}")
        demo.expect(get(j, "listing.offsets") == cp["offsets"],
                    f"{version}: offsets {get(j, 'listing.offsets')}, dis {cp['offsets']}")
        demo.expect(get(j, "listing.jumps") == cp["jumps"],
                    f"{version}: jump targets {get(j, 'listing.jumps')}, dis {cp['jumps']}")
        want_r, want_ops = cp["traces"][str(show_n)]
        ops = get(j, "trace.executed")
        demo.expect(ops[:1] == ["RESUME"] and ops[1:] == want_ops,
                    f"{version}: total({show_n}, 3) executed\n  {ops}\n  CPython ran "
                    f"(after RESUME)\n  {want_ops}")
        demo.expect(get(j, "trace.result") == want_r == total(show_n, 3),
                    f"total({show_n}, 3) = {get(j, 'trace.result')}, CPython {want_r}")
        demo.expect(get(j, "trace.ok") is True, "the VM failed")
        demo.expect(get(j, "trace.max_depth") <= cp["stacksize"],
                    f"stack {get(j, 'trace.max_depth')} deep, co_stacksize {cp['stacksize']}")
    loop = get(j, "listing.loop_length")
    t2 = len(cp["traces"]["2"][1]) + 1
    demo.expect(loop == (len(cp["traces"]["5"][1]) + 1 - t2) // 3, "loop length")

    n = 5000000
    j = demo.run_json("--version", version, "--n", str(n), "--interval-ms", "1",
                      "--io-ms", "0.5", "--show-n", "0")
    demo.expect(get(j, "run.result") == 3 * n * (n - 1) // 2, "the long run's result")
    demo.expect(get(j, "run.instructions") == t2 + (n - 2) * loop,
                f"{get(j, 'run.instructions')} instructions, wanted {t2 + (n - 2) * loop}")
    demo.expect(get(j, "run.checks") == n + 2, f"{get(j, 'run.checks')} breaker checks, wanted n + 2")
    req, drops = get(j, "run.requests"), get(j, "run.drops")
    demo.expect(drops >= 1, "no GIL drop in a long run with a 1 ms switch interval")
    demo.expect(0 <= req - drops <= 1, f"{req} drop requests but {drops} drops")
    demo.expect(get(j, "run.latency_max") <= loop,
                f"a request waited {get(j, 'run.latency_max')} instructions, more than one "
                f"turn of the loop ({loop})")
    by = get(j, "run.honoured_by")
    demo.expect(set(by) == {"JUMP_BACKWARD"} and sum(by.values()) == drops,
                f"drops honoured at {by}: all must be at JUMP_BACKWARD")


def run(version):
    if version == "3.11":
        python = "/usr/bin/python3"
    else:
        python = find_python(version)
        if not python:
            print(f"SKIP demo-bytecode-vm {version}: no python{version} (set "
                  f"PYDOJO_PYTHON{version.replace('.', '')})")
            sys.exit(77)

    def check(demo):
        if version == "3.11":
            for bad in (["--version", "3.10"], ["--version=3.14"], ["--n", "999"],
                        ["--n=50000001"], ["--show-n", "6"], ["--interval-ms", "0.4"],
                        ["--io-ms=51"], ["--bogus"], ["stray"]):
                demo.check_bad(*bad)
            rc, out, err = demo.run("--n", "100000")
            demo.expect(rc == 0 and "In Python terms" in out and "JUMP_BACKWARD" in out
                        and "<range_iterator" in out,
                        "human output lacks the listing, the stack or the closing line")
            demo.check_signal(["--n", "50000000"], 0.3)
            demo.check_signal(["--n", "50000000", "--io-ms", "0"], 0.5, signal.SIGTERM)
        check_version(demo, version, probe(python))

    main("bytecode-vm", check)
