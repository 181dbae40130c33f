"""Timers with the same deadline fire in the order they were scheduled, which
need not be the order the tasks were created in.

Twin of `demo-event-loop --scenario same-deadline`.  A, B and C share one
absolute deadline (loop.call_at with the same time); A first yields once with
sleep(0), so its timer is scheduled last.  argv[1] is the time unit in ms
(default 100).
"""
import asyncio
import sys

U = (int(sys.argv[1]) if len(sys.argv) > 1 else 100) / 1000


async def sleep_until(when):
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_at(when, fut.set_result, None)
    await fut


async def sleeper(name, when, yield_first):
    if yield_first:
        print(f"{name}: sleep(0) first")
        await asyncio.sleep(0)
    print(f"{name}: timer set")
    await sleep_until(when)
    print(f"{name}: woke")
    return name


async def main():
    loop = asyncio.get_running_loop()
    when = loop.time() + U
    print("main: one deadline for A, B and C")
    order = await asyncio.gather(sleeper("A", when, True),
                                 sleeper("B", when, False),
                                 sleeper("C", when, False))
    print(f"main: gather returned {order}")


if __name__ == "__main__":
    asyncio.run(main())
