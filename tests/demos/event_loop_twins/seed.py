"""The classic Task A / Task B program, unchanged but for the time unit.

Twin of `demo-event-loop --scenario seed`: the demo must print the same lines
in the same order.  argv[1] is the time unit in milliseconds (default 100;
the classic example uses 1000).
"""
import asyncio
import sys

U = (int(sys.argv[1]) if len(sys.argv) > 1 else 100) / 1000


async def task_a():
    print("Task A: starting I/O operation")
    # simulate e.g. file or network read
    await asyncio.sleep(1 * U)
    print("Task A: I/O complete")


async def task_b():
    print("Task B: starting I/O operation")
    # simulate another I/O
    await asyncio.sleep(2 * U)
    print("Task B: I/O complete")


async def main():
    # schedule both tasks concurrently
    t1 = asyncio.create_task(task_a())
    t2 = asyncio.create_task(task_b())
    # wait for both to finish
    await t1
    await t2
    print("All tasks done.")


if __name__ == "__main__":
    asyncio.run(main())
