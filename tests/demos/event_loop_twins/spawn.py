"""Tasks that create tasks: create_task only schedules a task's first step,
so a child starts after its parent yields, in creation order.

Twin of `demo-event-loop --scenario spawn`.  argv[1] (time unit in ms) is
accepted for symmetry with the other twins; this scenario has no timers.
"""
import asyncio


async def node(name, depth):
    print(f"{name}: start")
    total = 1
    if depth > 0:
        left = asyncio.create_task(node(name + ".1", depth - 1))
        right = asyncio.create_task(node(name + ".2", depth - 1))
        print(f"{name}: created {name}.1 and {name}.2")
        total += await left
        total += await right
    else:
        await asyncio.sleep(0)
    print(f"{name}: done, {total} task(s) in subtree")
    return total


async def main():
    print("main: create root")
    root = asyncio.create_task(node("root", 2))
    print("main: root created, not started yet")
    n = await root
    print(f"main: {n} tasks ran")


if __name__ == "__main__":
    asyncio.run(main())
