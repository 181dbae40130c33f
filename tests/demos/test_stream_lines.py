"""demo-stream-lines: the classic log collector over loopback TCP.

Exact: every byte sent arrives; every line is rebuilt from the chunks with
the checksum the server recorded, except the over-long one, which the
bounded collector cuts at its limit (the naive unbounded buffer keeps it,
at the cost of holding it whole); one ACK per line reaches the server; the
lines with invalid UTF-8 are decoded exactly as CPython's
bytes.decode("utf-8", errors="replace") decodes them (checked here with
python3 on the raw bytes the demo reports)."""

import signal

from demo_helpers import get, main


def check_samples(demo, j):
    samples = get(j, "invalid_samples")
    demo.expect(len(samples) >= 1, "no invalid UTF-8 sample reported")
    for s in samples:
        raw = bytes.fromhex(s["raw_hex"])
        want = raw.decode("utf-8", errors="replace")
        demo.expect(s["text"] == want,
                    f"line {s['line']}: decoded {s['text']!r}, CPython gives {want!r}")
        demo.expect(s["replaced"] == want.count("\ufffd"),
                    f"line {s['line']}: {s['replaced']} replacements, CPython "
                    f"makes {want.count(chr(0xfffd))}")


def check(demo):
    for bad in (["--lines", "0"], ["--lines=1000001"], ["--chunk", "15"],
                ["--chunk=65537"], ["--limit", "63"], ["--long-kib=-1"],
                ["--long-kib", "16385"], ["--seed", "-1"], ["--chunk", "1k"],
                ["--bogus"], ["stray"]):
        demo.check_bad(*bad)

    n, chunk, limit, long_kib = 3000, 1024, 65536, 128
    j = demo.run_json("--lines", str(n), "--chunk", str(chunk), "--limit", str(limit),
                      "--long-kib", str(long_kib))
    demo.expect(get(j, "params.lines") == n and get(j, "params.long-kib") == long_kib,
                "params not echoed")
    demo.expect(get(j, "lines_sent") == n, "lines_sent")
    demo.expect(get(j, "lines_received") == n, f"lines received {get(j, 'lines_received')}")
    demo.expect(get(j, "bytes_received") == get(j, "bytes_sent"), "bytes lost on loopback")
    demo.expect(get(j, "acks_sent") == n and get(j, "acks_received") == n,
                f"ACKs: {get(j, 'acks_sent')} sent, {get(j, 'acks_received')} received")
    demo.expect(get(j, "overlong.lines") == 1, f"over-long lines {get(j, 'overlong.lines')}")
    demo.expect(get(j, "lines_intact") == n - 1,
                f"{get(j, 'lines_intact')} of {n} lines intact, wanted all but the over-long one")
    demo.expect(get(j, "overlong.sent_bytes") >= long_kib * 1024, "over-long line size")
    demo.expect(get(j, "overlong.kept_bytes") == limit, "over-long line: kept bytes")
    demo.expect(get(j, "overlong.dropped_bytes") == get(j, "overlong.sent_bytes") - limit,
                "over-long line: dropped bytes")
    demo.expect(get(j, "max_buffer_bytes") <= limit + chunk,
                f"the bounded collector held {get(j, 'max_buffer_bytes')} bytes")
    demo.expect(get(j, "naive.lines_intact") == n, "the naive collector lost a line")
    demo.expect(get(j, "naive.max_buffer_bytes") >= long_kib * 1024,
                "the naive buffer did not hold the long line")
    demo.expect(get(j, "long_lines_sent") >= 1 and get(j, "chunks") > n // 20,
                "no line longer than a chunk, or too few reads")
    demo.expect(get(j, "invalid_lines_sent") >= 1 and
                get(j, "fffd.lines") == get(j, "invalid_lines_sent"),
                f"{get(j, 'fffd.lines')} lines decoded with U+FFFD, "
                f"{get(j, 'invalid_lines_sent')} sent with bad bytes")
    demo.expect(get(j, "fffd.per_chunk") >= get(j, "fffd.per_line"),
                "decoding chunks replaced fewer bytes than decoding lines")
    check_samples(demo, j)

    # Tiny chunks: every line still rebuilt; characters split between reads.
    j = demo.run_json("--lines", "1500", "--chunk", "16", "--long-kib", "0", "--seed", "7")
    demo.expect(get(j, "lines_intact") == 1500 and get(j, "overlong.lines") == 0,
                f"16-byte chunks: {get(j, 'lines_intact')} of 1500 lines intact")
    demo.expect(get(j, "max_buffer_bytes") <= 65536 + 16, "bounded buffer")
    demo.expect(get(j, "fffd.per_chunk") > get(j, "fffd.per_line"),
                "no multi-byte character was split between 16-byte reads")
    check_samples(demo, j)

    rc, out, err = demo.run("--lines", "500", "--long-kib", "70")
    demo.expect(rc == 0 and "In Python terms" in out and "client loop |" in out
                and "[LOG]" in out,
                "human output lacks the log lines, the timeline or the closing line")

    demo.check_signal(["--lines", "1000000", "--long-kib", "16384"], 0.3)
    demo.check_signal(["--lines", "1000000", "--chunk", "16"], 0.3, signal.SIGTERM)


main("stream-lines", check)
