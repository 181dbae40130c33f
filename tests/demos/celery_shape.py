"""The tasks of tests/demos/celery_real.py, for a real Celery worker and its
client: children that wait 50 ms, parents that call .get() on their
children inside the task, and parents that send a chord instead.  The
broker and the result backend are the private Redis named by
PYDOJO_REDIS_SOCKET."""

import os
import time

import redis
from celery import Celery, chord

SOCK = os.environ["PYDOJO_REDIS_SOCKET"]
TASK_S = 0.05

app = Celery("celery_shape", broker="redis+socket://" + SOCK,
             backend="redis+socket://" + SOCK)
app.conf.update(task_serializer="json", result_serializer="json",
                accept_content=["json"], worker_hijack_root_logger=False,
                broker_connection_retry=False)


@app.task
def child(i, j):
    time.sleep(TASK_S)
    return (i + 1) * (j + 1)


def barrier(key, count):
    """Waits (at most 10 s) until count tasks have reached it, so that
    every parent holds its worker before any child is sent."""
    r = redis.Redis(unix_socket_path=SOCK)
    try:
        r.incr(key)
        deadline = time.monotonic() + 10
        while int(r.get(key)) < count and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        r.close()


@app.task
def parent_get(i, n, allow, timeout, key=None, count=0):
    """Sends n children, then waits on their results inside the task; with
    key, only once count parents are running."""
    if key:
        barrier(key, count)
    results = [child.delay(i, j) for j in range(n)]
    return sum(r.get(timeout=timeout, disable_sync_subtasks=not allow)
               for r in results)


@app.task
def total(values):
    return sum(values)


@app.task
def parent_chord(i, n):
    """Sends chord(group of n children, total.s()) and returns its id."""
    return chord(child.s(i, j) for j in range(n))(total.s()).id
