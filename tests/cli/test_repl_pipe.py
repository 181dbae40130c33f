"""The REPL scripted over a pipe: no prompts or banner, commands run in
order, `next`/`prev`/`sections` walk the open lesson, comments and blank
lines are skipped, a failing command does not stop the script, and the exit
status is that of the last failing command."""

from clitest import expect, run, run_tests


def test_script_runs_in_order_without_prompts():
    status, out, err = run([], stdin="version\n\n   \n# a comment\ntopics\n")
    expect(status == 0, f"exit {status}: {err}")
    expect("pydojo>" not in out and "pydojo>" not in err, "prompt printed on a pipe")
    expect(out.startswith("pydojo 0."), f"version not first: {out[:80]!r}")
    expect("gil" in out, "topics did not run")


def test_lesson_walk():
    status, out, err = run([], stdin="learn gil 1\nnext\nprev\nsections\n")
    expect(status == 0, f"exit {status}: {err}")
    expect("Section 1 of" in out and "Section 2 of" in out, f"next did not move: {out[-400:]!r}")
    expect(out.count("Section 1 of") == 2, "prev did not come back to section 1")
    expect(out.rstrip().splitlines()[-1].strip().startswith("8.") or "> " in out,
           "sections did not list the lesson")


def test_failure_carries_on_and_sets_status():
    status, out, err = run([], stdin="learn nope\nversion\n")
    expect(status == 2, f"exit {status}, want 2 (last failing command)")
    expect("pydojo 0." in out, "script stopped at the failing command")
    expect("unknown topic 'nope'" in err, f"{err!r}")
    status, out, err = run([], stdin="search zzqqxx-none\nversion\n")
    expect(status == 1, f"exit {status}, want 1 (no matches)")


def test_quit_stops_the_script():
    status, out, err = run([], stdin="quit\nversion\n")
    expect(status == 0 and "pydojo 0." not in out, f"{status} {out!r}")


def test_unterminated_quote_and_repl_only_commands():
    status, out, err = run([], stdin="learn 'gil\nversion\n")
    expect(status == 2 and "unterminated quote" in err and "pydojo 0." in out,
           f"{status} {out!r} {err!r}")
    status, out, err = run(["next"])
    expect(status == 2 and "next" in err, f"next outside the REPL: {status} {err!r}")
    status, out, err = run([], stdin="next\n")
    expect(status == 2 and "learn" in err, f"next with no lesson open: {status} {err!r}")


def test_closed_stdin():
    status, out, err = run([])
    expect(status == 0 and out == "" and err == "", f"{status} {out!r} {err!r}")


def test_binary_junk_is_not_a_crash():
    status, out, err = run([], stdin=b"\xff\xfe\x00learn\x00 gil\n\x80\x81\nversion\n")
    expect(status in (0, 2) and "pydojo 0." in out, f"{status} {out!r} {err!r}")


run_tests(globals())
