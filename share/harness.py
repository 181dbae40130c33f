"""pydojo's exercise harness: runs the tests of one exercise on a learner's
solution and reports each result as a JSON line in a results file.

    python3 -s -P harness.py [RESULTS]       (default RESULTS: results.jsonl)

It runs in a folder holding solution.py, tests.json (a list of
{"name": ..., "file": ...}) and the test files it names. The folder is put
on sys.path (-P keeps the script's own folder off it, and -I would also
ignore PYTHONHASHSEED), the solution is imported once as the module
`solution`, then each test file is run in a namespace of its own, followed by
the functions named test_* it defines and its unittest.TestCase classes. The learner's stdout and stderr are
left alone: results never go there.

Results, one JSON object a line, flushed as they come (a test that hangs
leaves the ones after it unreported):
    {"major": 3, "minor": 11}               first, always
    {"error": TEXT, "line": N}              the solution could not be imported
    {"name": NAME, "passed": BOOL, "message": TEXT, "line": N}
line is a line of solution.py from the traceback (0: none)."""

import json
import os
import sys
import traceback

HERE = os.path.abspath(os.getcwd())
SOLUTION = os.path.join(HERE, "solution.py")


def report(out, obj):
    out.write(json.dumps(obj, ensure_ascii=True) + "\n")
    out.flush()


def solution_line(tb):
    """The last line of solution.py the traceback went through, or 0."""
    line = 0
    for frame in traceback.extract_tb(tb):
        if os.path.abspath(frame.filename) == SOLUTION:
            line = frame.lineno or 0
    return line


def describe(exc, test_file, test_src):
    """The failing assertion's text, or the exception's type and text. A
    bare assert names the test's line that failed."""
    if isinstance(exc, AssertionError):
        text = str(exc)
        if text:
            return text
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if os.path.basename(frame.filename) == test_file and frame.lineno:
                lines = test_src.splitlines()
                if 0 < frame.lineno <= len(lines):
                    return "assertion failed: " + lines[frame.lineno - 1].strip()
        return "assertion failed"
    text = str(exc)
    name = type(exc).__name__
    return name + ": " + text if text else name


def syntax_error_line(exc):
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == SOLUTION:
        return exc.lineno or 0
    return 0


def run_cases(ns):
    """Runs the unittest.TestCase classes the test defined; raises the
    first failure or error, with its traceback."""
    unittest = sys.modules.get("unittest")
    if unittest is None:
        return
    cases = [v for v in list(ns.values())
             if isinstance(v, type) and issubclass(v, unittest.TestCase) and v is not unittest.TestCase]
    if not cases:
        return

    class First(unittest.TestResult):
        first = None

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self.first = self.first or err[1]

        def addError(self, test, err):
            super().addError(test, err)
            self.first = self.first or err[1]

    result = First()
    loader = unittest.TestLoader()
    unittest.TestSuite(loader.loadTestsFromTestCase(c) for c in cases).run(result)
    if result.first is not None:
        raise result.first


def run_test(out, name, test_file):
    # By its full path: the solution may have changed the working folder.
    with open(os.path.join(HERE, test_file), encoding="utf-8", errors="replace") as f:
        src = f.read()
    try:
        code = compile(src, test_file, "exec")
        ns = {"__name__": "__pydojo_test__", "__file__": os.path.join(HERE, test_file)}
        exec(code, ns)
        for key, value in list(ns.items()):
            if key.startswith("test_") and callable(value) and not isinstance(value, type):
                value()
        run_cases(ns)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit and all: the test failed
        line = solution_line(exc.__traceback__) or syntax_error_line(exc)
        report(out, {"name": name, "passed": False, "message": describe(exc, test_file, src), "line": line})
        return
    report(out, {"name": name, "passed": True, "message": "", "line": 0})


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "results.jsonl"
    out = open(results, "w", encoding="utf-8", errors="backslashreplace")
    report(out, {"major": sys.version_info[0], "minor": sys.version_info[1]})
    sys.path.insert(0, HERE)
    with open("tests.json", encoding="utf-8", errors="replace") as f:
        tests = json.load(f)
    try:
        import solution  # noqa: F401  (the tests import it again, cached)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        line = syntax_error_line(exc) or solution_line(exc.__traceback__)
        text = type(exc).__name__ + (": " + exc.msg if isinstance(exc, SyntaxError) else (": " + str(exc) if str(exc) else ""))
        report(out, {"error": text, "line": line})
        return 0
    for t in tests:
        run_test(out, t["name"], t["file"])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
