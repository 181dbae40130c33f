"""Drives pydojo on a pseudo-terminal, as a user at a real terminal would:
the child gets the pty as its controlling terminal in a new session, the test
types bytes and reads the screen. The slave side stays open here so the
terminal's modes can be compared before and after (was it restored?)."""

import fcntl
import os
import re
import select
import subprocess
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|[\r\x07]")


class Pty:
    def __init__(self, argv, env, cols=100, rows=40):
        self.master, self.slave = os.openpty()
        import struct
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.modes_before = termios.tcgetattr(self.slave)
        slave = self.slave

        def child_setup():
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     env=env, preexec_fn=child_setup, close_fds=True)
        self.screen = ""

    def read_until(self, pattern, timeout=30.0):
        """Reads output until the regex matches the text not yet consumed;
        returns that text up to the end of the match (escape sequences and
        bells removed) and keeps the rest for the next call."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            seen = ANSI.sub("", self.screen)
            m = rx.search(seen)
            if m:
                self.screen = seen[m.end():]
                return seen[:m.end()]
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"waited for {pattern!r}; screen: {seen[-600:]!r}")
            r, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if r:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                if not data and self.proc.poll() is not None:
                    raise TimeoutError(f"exited while waiting for {pattern!r}: {seen[-600:]!r}")
                self.screen += data.decode("utf-8", "replace")

    def wait_line_editing(self, timeout=30.0):
        """Waits until the line editor has the terminal (canonical mode off).
        Bytes typed before that are read by the terminal's own cooked mode: a
        Ctrl-C there is a signal that also flushes the line typed so far."""
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.slave)[3] & termios.ICANON:
            if time.monotonic() > deadline:
                raise TimeoutError("the line editor never took the terminal")
            time.sleep(0.01)

    def prompt(self, pattern, timeout=30.0):
        """Reads up to the prompt, then waits for the line editor."""
        out = self.read_until(pattern, timeout)
        self.wait_line_editing(timeout)
        return out

    def type(self, text):
        os.write(self.master, text.encode("utf-8") if isinstance(text, str) else text)

    def wait(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            r, _, _ = select.select([self.master], [], [], 0.1)
            if r:
                try:
                    self.screen += os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:
                    pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            raise TimeoutError("did not exit")
        # What it wrote just before exiting may still wait in the terminal.
        while select.select([self.master], [], [], 0.05)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            self.screen += data.decode("utf-8", "replace")
        return self.proc.returncode

    def modes_restored(self):
        return termios.tcgetattr(self.slave) == self.modes_before

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)
