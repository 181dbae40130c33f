# Sentences and clauses.
sentences The GIL is a lock. Threads take turns! Really? Yes
= The GIL is a lock. | Threads take turns! | Really? | Yes
sentences Use a pool, e.g. a ThreadPoolExecutor, i.e. threads. Then wait.
= Use a pool, e.g. a ThreadPoolExecutor, i.e. threads. | Then wait.
sentences Python 3.12 changed 0.5 of it. Next.
= Python 3.12 changed 0.5 of it. | Next.
sentences Call asyncio.create_task or os.fork() now. Done.
= Call asyncio.create_task or os.fork() now. | Done.
sentences It waits... and then runs. Done.
= It waits... and then runs. | Done.
sentences Threads vs. processes etc. are compared. Ok.
= Threads vs. processes etc. are compared. | Ok.
# After a number, ms is milliseconds, not the title Ms.
sentences The call took 50 ms. The loop stalled. Ask Ms. Lee.
= The call took 50 ms. | The loop stalled. | Ask Ms. Lee.
sentences Run `x. y` here. Ok.
= Run x. y here. | Ok.
sentences First\n\nSecond
= First | Second
sentences Points:\n- one thing\n- another thing
= Points: | one thing | another thing
sentences Like this:\n```\nx = 1. y = 2\n```\nthen more
= Like this: | x = 1. y = 2 | then more
# So may the end of a line of text ("Like this: ```python"), though not
# a run of backticks inline.
sentences Like this: ```python\nx = 1. y = 2\n```\nthen more
= Like this: | x = 1. y = 2 | then more
sentences Use ```x = 1. y``` here. Ok.
= Use x = 1. y here. | Ok.
# A list item may open with a fence.
sentences Like this:\n- ```python\nx = 1. y = 2\n```\n- then more
= Like this: | x = 1. y = 2 | then more
sentences Steps:\n1. ```python\nx = 1. y = 2\n  ```\n2. then more
= Steps: | x = 1. y = 2 | then more
sentences Dr. Smith said so. Ok.
= Dr. Smith said so. | Ok.
clauses Threads share memory; processes do not.
= Threads share memory; | processes do not.
clauses Note: it runs.
= Note: | it runs.
clauses It runs - mostly.
= It runs | mostly.
clauses A thread waits, but a coroutine yields.
= A thread waits, | but a coroutine yields.
clauses A thread blocks while a coroutine yields.
= A thread blocks | while a coroutine yields.
clauses Unlike threads, coroutines yield.
= Unlike threads, coroutines yield.
clauses create_task, not await, schedules the coroutine.
= create_task, not await, schedules the coroutine.
clauses Threads and processes run, and so on.
= Threads and processes run, and so on.
clauses It acts as though it ran; not yet done.
= It acts as though it ran; | not yet done.
clauses Use `a; b` here.
= Use a; b here.
clauses A whereas B although C however D instead E yet F whilst G though H
= A | whereas B | although C | however D | instead E | yet F | whilst G | though H
# Code written without fences is a block of its own, like a fenced one.
sentences Example:\n\n    x = f(1)   # not a sentence. Really\n    y = 2\n\nThat is all. Done.
= Example: | x = f(1) # not a sentence. Really y = 2 | That is all. | Done.
sentences def g():\n    yield 1\n# prints nothing\ng()\n\nIt is lazy. Done.
= def g(): yield 1 # prints nothing g() | It is lazy. | Done.
sentences Try it:\nimport threading, queue as q\nt = threading.Thread(target=f)\nThat runs f. Ok.
= Try it: | import threading, queue as q t = threading.Thread(target=f) | That runs f. | Ok.
sentences if it is I/O-bound:\nuse threads. Ok.
= if it is I/O-bound: use threads. | Ok.
sentences Threads:\n\n    they share memory. Ok.
= Threads: | they share memory. | Ok.
# A line that is only a keyword reads no further than its end.
sentences Ok:\nasync
= Ok: async
sentences Ok:\nclass
= Ok: class
sentences async
= async
sentences return the value to the caller. Then stop.
= return the value to the caller. | Then stop.
sentences for each request in the queue: it waits. Ok.
= for each request in the queue: it waits. | Ok.
sentences import the module first. Ok.
= import the module first. | Ok.
sentences await and create_task differ. Ok.
= await and create_task differ. | Ok.
sentences yield from delegates to a sub_generator: it forwards send(). Ok.
= yield from delegates to a sub_generator: it forwards send(). | Ok.
