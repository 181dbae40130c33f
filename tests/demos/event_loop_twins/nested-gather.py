"""Nested gather: each coroutine argument is wrapped in a task in argument
order, and results come back in argument order, not completion order.

Twin of `demo-event-loop --scenario nested-gather`.  argv[1] is the time unit
in ms (default 100).
"""
import asyncio
import sys

U = (int(sys.argv[1]) if len(sys.argv) > 1 else 100) / 1000


async def leaf(name, units):
    print(f"{name}: start, sleep({units})")
    await asyncio.sleep(units * U)
    print(f"{name}: end")
    return name


async def group(name, *leaves):
    print(f"{name}: gather {len(leaves)}")
    got = await asyncio.gather(*(leaf(n, u) for n, u in leaves))
    print(f"{name}: got {got}")
    return name


async def main():
    print("main: gather G1, G2, d")
    got = await asyncio.gather(group("G1", ("a", 3), ("b", 1)),
                               group("G2", ("c", 2)),
                               leaf("d", 0))
    print(f"main: got {got}")


if __name__ == "__main__":
    asyncio.run(main())
