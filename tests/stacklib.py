"""What the tests that run real frameworks share: a private Redis server.

Redis is `redis-check-rdb` run under the name `redis-server` (the same
binary, from redis-tools, without the redis-server package's system
service), on a Unix socket in a folder of the caller's, no TCP port, no
persistence."""

import os
import signal
import socket
import subprocess
import time

REDIS_BINARY = "/usr/bin/redis-check-rdb"


def die_with_parent():
    """In the child: SIGTERM when this test ends, even by SIGKILL."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Redis:
    """A private Redis server on a Unix socket in folder, no TCP port, no
    persistence; stopped by stop(), and by the kernel when this process ends
in any way (parent-death signal)."""

    def __init__(self, folder):
        self.sock = os.path.join(folder, "redis.sock")
        self.log = os.path.join(folder, "redis.log")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--unixsocketperm", "700",
             "--dir", folder, "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", self.log],
            executable=REDIS_BINARY, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(self.sock) and self.ping():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the private Redis did not start (see {self.log})")

    def ping(self):
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(1)
                s.connect(self.sock)
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
