"""sleep(0) yields to the event loop exactly once; a task that never awaits
runs to its end in one go.

Twin of `demo-event-loop --scenario sleep0`.  argv[1] (time unit in ms) is
accepted for symmetry with the other twins; this scenario has no timers.
"""
import asyncio


async def worker(name, steps, yields):
    for i in range(steps):
        print(f"{name}: step {i}")
        if yields:
            await asyncio.sleep(0)
    print(f"{name}: done")
    return steps


async def main():
    print("main: create A and B (sleep(0) after each step), C (never awaits)")
    a = asyncio.create_task(worker("A", 3, True))
    b = asyncio.create_task(worker("B", 3, True))
    c = asyncio.create_task(worker("C", 3, False))
    print("main: created, none has run yet")
    await asyncio.sleep(0)
    print("main: back after one sleep(0)")
    total = await a + await b + await c
    print(f"main: all done, {total} steps")


if __name__ == "__main__":
    asyncio.run(main())
