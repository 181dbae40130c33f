"""demo-queue-ipc: pickled messages over a pipe between processes, a locked
queue between threads, and a shared-memory ring between processes all
deliver every message intact and in order.

What is asserted is exact: counts, order, checksums, that the bytes on the
pipe are CPython's own pickle of (seq, payload) with protocol 4 behind a
4-byte big-endian length (multiprocessing's wire format), and how many
write() calls that takes.  Throughput is only checked to be positive."""

import pickle
import signal

from demo_helpers import get, main

WAYS = ("pipe", "threads", "shm")


def payload(seq, size):
    return bytes((seq * 131 + i * 7 + (i >> 8)) & 0xFF for i in range(size))


def wire_bytes(messages, size):
    """Bytes multiprocessing.Connection.send_bytes puts on the pipe."""
    def body(seq):
        return len(pickle.dumps((seq, b"\0" * size), protocol=4))
    total = 0
    # The pickle's length depends on the seq's opcode only: 0..255, ..65535, more.
    for lo, hi in ((0, 256), (256, 65536), (65536, 1 << 31)):
        n = max(0, min(messages, hi) - lo)
        if n:
            total += n * (body(lo) + 4)
    return total


def check_run(demo, messages, size, capacity):
    j = demo.run_json("--messages", str(messages), "--size", str(size),
                      "--capacity", str(capacity))
    demo.expect(get(j, "params.messages") == messages and
                get(j, "params.size") == size and
                get(j, "params.capacity") == capacity, "params not echoed")
    for w in WAYS:
        demo.expect(get(j, "sent." + w) == messages,
                    f"{w}: sent {get(j, 'sent.' + w)} of {messages}")
        demo.expect(get(j, "received." + w) == messages,
                    f"{w}: received {get(j, 'received.' + w)} of {messages}")
        demo.expect(get(j, "out_of_order." + w) == 0, f"{w}: messages out of order")
        demo.expect(get(j, "corrupt." + w) == 0, f"{w}: corrupt messages")
        demo.expect(get(j, "checksum_ok." + w) is True, f"{w}: checksum differs")
        demo.expect(get(j, "msgs_per_s." + w) > 0, f"{w}: no throughput")
        demo.expect(get(j, "wall_s." + w) > 0, f"{w}: no wall time")
        for side in ("producer", "consumer"):
            demo.expect(get(j, f"blocked_s.{side}.{w}") >= 0, "negative blocked time")
            demo.expect(get(j, f"cpu_s.{side}.{w}") >= 0, "negative CPU time")
    demo.expect(get(j, "all_intact") is True, "not all intact")
    # One send_bytes per message: header and body in one write up to 16 KiB,
    # apart above; recv_bytes reads the header, then the body.
    split = len(pickle.dumps((0, b"\0" * size), protocol=4)) > 16384
    writes, reads = get(j, "pipe.writes"), get(j, "pipe.reads")
    demo.expect(writes >= messages * (2 if split else 1),
                f"{writes} write() calls for {messages} messages")
    demo.expect(writes <= messages * 8, f"{writes} write() calls: too many")
    demo.expect(reads >= 2 * messages, f"{reads} read() calls for {messages} messages")
    want = wire_bytes(messages, size)
    demo.expect(get(j, "pipe.bytes") == want,
                f"{get(j, 'pipe.bytes')} bytes on the pipe, pickle says {want}")
    demo.expect(abs(get(j, "pipe.bytes_per_message") - want / messages) < 0.01,
                "pipe.bytes_per_message")
    demo.expect(get(j, "pipe.buffer_bytes") >= 4096, "pipe buffer size")
    return j


def check(demo):
    for bad in (["--messages", "0"], ["--messages=2000001"], ["--size", "-1"],
                ["--size=16385"], ["--capacity", "0"], ["--capacity=4097"],
                ["--messages", "many"], ["--bogus", "1"], ["--size"], ["stray"]):
        demo.check_bad(*bad)

    j = check_run(demo, 3000, 100, 16)
    first = bytes.fromhex(get(j, "pipe.first_pickle_hex"))
    demo.expect(first == pickle.dumps((0, payload(0, 100)), protocol=4),
                "the first message is not pickle.dumps((0, payload), protocol=4)")
    demo.expect(pickle.loads(first) == (0, payload(0, 100)),
                "the first message does not unpickle to (0, payload)")
    demo.expect(get(j, "shm.ring_bytes") >= 16 * 116, "ring size")

    # Sequence numbers past 255 and 65535 change the pickle's int opcode.
    check_run(demo, 70000, 3, 1000)
    # Empty payloads, a queue of one.
    j = check_run(demo, 500, 0, 1)
    demo.expect(pickle.loads(bytes.fromhex(get(j, "pipe.first_pickle_hex"))) == (0, b""),
                "empty payload pickle")
    # Large messages: header and body sent apart, the ring holds a few.
    check_run(demo, 200, 16384, 4)

    rc, out, err = demo.run("--messages", "2000", "--size", "50")
    demo.expect(rc == 0 and "In Python terms" in out and "producer |" in out
                and "consumer |" in out,
                "human output lacks the timelines or the closing line")
    demo.expect("checksum matches" in out, "human output lacks the checks")

    demo.check_signal(["--messages", "2000000"], 0.3)
    demo.check_signal(["--messages", "2000000", "--size", "1000"], 1.0, signal.SIGTERM)


main("queue-ipc", check)
