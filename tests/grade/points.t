# Rubric points: says per clause and sentence, binding, negation, code.
term gil: GIL | global interpreter lock | interpreter lock
term thread: thread+ | OS thread+
term own: own+ | separate | its own | their own
term release: release+ | drop+ | give+ up | gave up | free+
term create-task: create_task | asyncio.create_task | create task
term await: await+ | awaiting
term schedule: schedule+ | queue+
term run: run+ | ran | execute+
term concurrent: concurrent | concurrently | in the background | background
term not: not | never | no | doesn't | don't | does not
term block: block+
term loop: event loop | loop
term bytes: byte+
term wait: wait+
term gone: unreachable | not reachable | no longer reachable | never freed
term cycle: cycle+

point
says @release .. @gil
+ The thread releases the GIL while it waits.
- It holds the GIL.
- The thread does not release the GIL.
- It never gives up the GIL.
- The thread doesnt release the GIL.
+ It doesn't hold on: it releases the GIL.
+ Not only does it wait, it releases the GIL.
- It is not true that the thread, while it waits on the socket for a long time, releases the GIL.
- It's a myth that while a thread waits it releases the GIL.
+ It is true that the thread releases the GIL.

point
says @schedule .. @run .. @concurrent|@schedule .. @concurrent
about @create-task
not_about @await
+ create_task schedules the coroutine to run concurrently.
+ create_task, not await, schedules the coroutine to run concurrently.
+ asyncio.create_task() schedules it in the background, whereas await just waits.
+ create_task rather than await schedules the coroutine concurrently.
- await schedules the coroutine to run concurrently, while create_task waits.
- await schedules the coroutine concurrently; create_task does not.
- create_task does not schedule anything concurrently.
# An answer that names neither subject anywhere speaks of the one asked
# about, in its own words.
+ It schedules the coroutine concurrently.
# A denied sentence still names the subject the next one carries on with.
+ It's a myth that create_task waits. In reality it schedules the coroutine concurrently.
- It's a myth that await waits. In reality it schedules the coroutine concurrently.
- Not create_task. It schedules the coroutine concurrently.
# A list item carries on from its list's lead-in line, past the items
# before it; plain sentences carry a subject two sentences at most.
+ create_task:\n- returns a Task\n- needs a reference kept\n- schedules the coroutine concurrently
+ With create_task:\n1. it returns a Task\n2. you keep a reference\n3. it schedules the coroutine concurrently
- await:\n- returns a Task\n- needs a reference kept\n- schedules the coroutine concurrently
- create_task is fine. It returns. It waits. It schedules the coroutine concurrently.

point
says @thread .. @own .. @gil|each @thread .. @gil
reject each @thread .. @own @gil|@gil per @thread
+ Threads share one GIL, not one per thread: each thread must acquire the GIL.
- Unlike what many think, each thread has its own GIL.
- Unlike what many think, each thread has its own GIL, and each thread waits for the GIL.
- Each thread has its own GIL.
+ It is wrong to say each thread has its own GIL: each thread waits for the GIL.
+ Each thread needs the GIL; no thread has its own GIL.
# A belief reported as others', named a misconception or refuted after, is
# not the learner's claim; one the learner holds or takes over still is.
+ People often assume each thread has its own GIL, but each thread must wait for the GIL.
+ Many developers think that each thread has its own GIL; in fact each thread waits for the GIL.
+ You might expect each thread to have its own GIL, but threads share one: each thread waits for the GIL.
+ A common misconception is that each thread has its own GIL. Each thread waits for the GIL.
+ A common myth: each thread has its own GIL. Really, each thread waits for the GIL.
+ Each thread has its own GIL? No: each thread waits for the one GIL.
+ Each thread has its own GIL. That's wrong: each thread waits for the GIL.
+ Each thread has its own GIL - that's a myth; each thread waits for the GIL.
+ Each thread has its own GIL, which is not true: each thread waits for the GIL.
+ The idea that each thread has its own GIL is wrong; each thread waits for the GIL.
- As many people assume, each thread has its own GIL.
- I think each thread has its own GIL.
- People think about it wrongly, but each thread has its own GIL.
- Each thread has its own GIL? Yes, each thread has its own GIL.
- Each thread has its own GIL. That's why threads run in parallel.
- The idea that each thread has its own GIL is right.
+ It's often said that each thread has its own GIL. That's not so: each thread waits for the GIL.
+ It is widely assumed each thread has its own GIL; each thread in fact waits for the GIL.
+ It's sometimes claimed each thread has its own GIL. It isn't, and each thread waits for the GIL.
+ Each thread has its own GIL, people say. It doesn't: each thread waits for the GIL.
- As is sometimes assumed, each thread has its own GIL.
+ They think each thread has its own GIL, but each thread waits for the GIL.
+ It's commonly expected that each thread has its own GIL; each thread waits for the GIL.
+ It's not that each thread has its own GIL: each thread waits for the GIL.
- It's expected that each thread has its own GIL.
+ Each thread has its own GIL? Not quite: each thread waits for the GIL.
+ Each thread has its own GIL. That's a common mistake: each thread waits for the GIL.
+ The idea that each thread has its own GIL is wrong: each thread waits for the GIL.
+ Each thread has its own GIL is a common myth: in fact each thread waits for the GIL.
- Each thread waits for the GIL; the error is that each thread has its own GIL.
+ It's tempting to think each thread has its own GIL, but each thread waits for the GIL.
+ Each thread waits for the GIL; each thread is often mistaken for having its own GIL.
- Each thread has its own GIL. It doesn't matter, each thread waits for the GIL.
- Each thread has its own GIL. Wrong: threads never wait for the GIL.
+ My colleague insisted that each thread has its own GIL, but each thread waits for the GIL.
+ A teammate told me each thread has its own GIL; each thread waits for the GIL.
+ The interviewer assumed each thread has its own GIL, but each thread waits for the GIL.
+ Our junior believed each thread has its own GIL; each thread waits for the GIL.
+ Tutorials claim each thread has its own GIL, yet each thread waits for the GIL.
+ My manager thinks each thread has its own GIL; each thread waits for the GIL.
+ I assumed each thread has its own GIL, but each thread waits for the GIL.
+ We had thought each thread has its own GIL. Then we measured: each thread waits for the GIL.
- As I assumed, each thread has its own GIL.
- We figured out that each thread has its own GIL. Each thread waits for the GIL.
- I assume each thread has its own GIL, and each thread waits for the GIL.
- He insisted that each thread has its own GIL, and each thread waits for the GIL.
# A reported belief the learner then endorses is the learner's claim.
- Many people think each thread has its own GIL, and they are right: each thread waits for the GIL.
- People say each thread has its own GIL. They're not wrong. Each thread waits for the GIL.
- It's often said that each thread has its own GIL. That's true. Each thread waits for the GIL.
+ People say each thread has its own GIL, which is true only for subinterpreters; each thread waits for the GIL.
# A person's verdict on a belief told as a story refutes it too.
+ At first we thought each thread has its own GIL, but we were wrong: each thread waits for the GIL.
+ My lead insisted that each thread has its own GIL. He was wrong; each thread waits for the GIL.
+ I assumed each thread has its own GIL. I'm completely wrong: each thread waits for the GIL.
- Each thread has its own GIL. We were right: threads never wait for the GIL.
- Each thread has its own GIL, and you are wrong if you think each thread waits for the GIL.

point
says @block
reject stays in (\w+ ){0,2}memory
# "Nothing" or "nobody" right before a claim is its subject and denies
# it; anywhere else they deny only their own words.
+ It blocks; nothing stays in memory after the worker stops.
+ It blocks, and nobody stays in memory.
- It blocks, and the model stays in memory after the worker stops; the loop gets nothing.
- It blocks: nothing, they say, is freed, and the model stays in memory.

point
says second (\w+ ){0,2}loop (\w+ ){0,2}gets? nothing
+ The second loop gets nothing.

point
says @block
reject @thread+ (\w+ ){0,3}@run
# "none of" denies what follows it, like "no".
+ It blocks; none of its threads run the loop.
- It blocks, and its threads run the loop.

point
says up to .. @bytes|at most .. @bytes
reject exactly 1024
+ It reads up to 1024 bytes, not exactly 1024.
- It reads up to 1024 bytes, exactly 1024.
+ It reads at most 1024 bytes.

point
says @schedule .. @concurrent
# "unlike" governs its object, not the subject after it.
+ Unlike await it schedules the coroutine concurrently.
+ Unlike a plain await they schedule it concurrently.
- Unlike scheduling it concurrently, it waits.
- It waits, unlike a task scheduled concurrently.

point
says @block
reject @thread
# A negator followed by a short aside between commas still governs.
+ It blocks; it isn't, as is sometimes assumed, run on a thread.
+ It does not, as people say, use threads; it blocks.
- It blocks; it is, as people say, run on a thread.
- It does not block, as is sometimes assumed, and it runs on a thread.

point
says @not @block .. @loop
+ asyncio.sleep does not block the event loop.
+ asyncio.sleep doesn't block the loop.
- asyncio.sleep blocks the loop.

point
says \*args
+ The wrapper takes *args and **kwargs.
+ def wrapper(*args, **kwargs):
- The wrapper takes args.

point
says \*\*kwargs
+ use **kwargs to pass keywords
- use kwargs to pass keywords

point
code @wraps\(func\)
+ ```python\n@wraps(func)\ndef wrapper(*a): pass\n```
+ use `@wraps(func)` on the wrapper
- use wraps on the wrapper

point
says @wait
code def retry\(times\)
+ def retry(times):
+ it waits
- it sleeps

point
pattern releases? the gil
+ It releases the GIL.
+ It does not release the GIL.
- It holds the GIL.

point
says @release .. @gil
+ **releases** the *GIL*
+ The thread releases the\nGIL.
- The thread releases the lock. The GIL stays.

# A literal @ in a term entry is written \@.
term wraps: functools.wraps | \@wraps
point
says @wraps
+ decorate the wrapper with @wraps(func)
+ use functools.wraps
- use wraps

# ' .. ' stays on its side of a semicolon, even when the sentence is tried
# whole; a negator inside code (a keyword, a comment) negates no claim.
point
says @release .. @gil
+ It releases the GIL; the others run.
- It releases the memory; the GIL stays held.
+ ```\nif not ready:\n    pass\n```\nThe read releases the GIL.
# Code written without fences is code too; a comment's negator denies the
# comment and stops at its line's end.
+ Like this:\n\n    ok = not done\nit releases the GIL.
+ Try it:\nok = not done\nit releases the GIL.
- ok = not done it releases the GIL.
- ```\nsock.recv(1)   # does not release the GIL\n```
+ ```\nsock.recv(1)   # releases the GIL\n```
+ ```\nwait()   # not this\n# it releases the GIL\n```
- Like this:\n\n    sock.recv(1)   # never releases the GIL\n
+ The call `if not data: break` releases the GIL while it waits.
- The call does not release the GIL.

# A subject in the claim's own comma-delimited phrase binds before a nearer
# one beyond a comma.
point
says sequential\w*|one after another
about @await
not_about @create-task
+ await is sequential, create_task is concurrent.
- create_task is sequential, await is concurrent.
- create_task runs them one after another, await does not.

# A claim that states its own negation owns its negators: they do not negate
# the subject after them.
term daemon: daemon | daemon thread+
point
says @not @wait .. for
about @daemon
+ The interpreter doesn't wait for daemon threads at exit.
- The interpreter waits for daemon threads at exit.

# Ownership is decided per match, not per pattern: a negator that one
# alternative spells out belongs to a match of that alternative, but a
# negator a gap of another alternative took still negates it, as in a
# pattern that states no negation.
point
says @not @block|@schedule (\w+ ){0,3}@concurrent
about @create-task
+ create_task doesn't block the caller.
+ create_task schedules it to run concurrently.
- create_task schedules it not concurrently.

point
says @wait
reject @release (\w+ ){0,5}@gil|@not @wait
+ It waits and releases its lock but never the GIL.
- It waits and releases its lock and the GIL.

# A match that a negator inside denies gives way to the shorter match the
# pattern finds from the same start before that negator.
point
says nothing .. @run|nothing printed
+ Nothing printed and the body hasn't run yet.
- Nothing was in it and the body hasn't run yet.

# A match that starts inside a negator word is negated by it, whatever
# else its pattern spells.
point
says @wait
reject like Java|@not @block
+ It waits, unlike Java.
- It waits like Java.

point
says (not|n.t) (\w+ ){0,1}@block
+ It doesn't block the loop.
- It blocks the loop.

# "not even" opening an aside inside a match stresses the claim around it.
point
says @wait
reject nothing[^.]{0,50}can interrupt
+ It waits, and nothing can stop it.
- It waits, and nothing, not even a signal, can interrupt it.

# A match that starts at a negated word does not hide a later one inside it.
term switch: switch+ | take+ turns | took turns
point
says @thread .. @switch
+ A counter isn't thread-safe, since threads take turns on the GIL.
- Threads do not switch.

# A set's alternatives are merged into a trie; every form still matches,
# nothing else does.
term release2: release+ | give+ up | gave up | non-blocking | I/O
point
says @release2
+ it releases the lock
+ it released it
+ releasing
+ release
+ giving up
+ it gave up
+ it gives up
+ non blocking
+ nonblocking
+ IO
+ i/o
- releas
- relea
- give
- gav up
- blocking

# A subject beyond a semicolon binds after one beyond a comma only; "no"
# qualifying a noun does not negate the verb after an "and".
term gather: gather | asyncio.gather
point
says run\w* to completion|carr\w+ on
about @gather
not_about @create-task
+ gather raises the first error, but the other tasks run to completion anyway; create_task cancels nothing.
- create_task lets the others carry on; gather cancels them.

point
says @release .. @gil
+ The sleeping thread uses no CPU and releases the GIL.
- The sleeping thread uses no CPU and no GIL is released.

# "can|" in a pattern is not a negator: negators inside the match still count.
point
says @release .. (can|may) @run
+ It releases the GIL so others can run.
- It releases its hold, never the GIL, so others can run.

# n't words of any length; a claim that states its own negation is not
# denied across an "and".
point
says @release .. @gil
+ It releases the GIL.
- It shouldn't release the GIL.
- It wouldn't release the GIL.

point
says no traceback .. printed
+ The worker doesn't crash and no traceback is printed.
- A traceback is printed.

# A negator denies both sides of an "or", also for a pattern that can
# state its own negation: "doesn't search or run the file again".
point
says @wait
reject @run (\w+ ){0,2}again|@not @wait
+ It waits in sys.modules, so it doesn't search or run the file again.
+ It waits and never blocks or runs it again.
- It waits, then it searches and runs the file again.
- It waits and doesn't search, and it runs the file again.

# A pattern that states its negation with a phrase negator owns it, as
# with @not: "instead of" and "rather than" inside the match do not negate it.
point
says instead of (\w+ ){0,3}@thread|rather than (\w+ ){0,3}@thread
+ Use one event loop instead of many threads.
+ It multiplexes sockets rather than spawning threads.
- It spawns one thread per socket instead of a loop.

# A sentence that opens with a pronoun speaks of the first subject the
# sentence before named: bound when that is the point's subject, not when
# it is the contrasted one, nor when the sentence names a subject itself.
point
says @schedule .. @concurrent
about @create-task
not_about @await
+ Call create_task on the coroutine. It schedules it to run concurrently.
+ asyncio.create_task wraps the coroutine in a Task. This schedules it in the background.
- Call await on the coroutine. It schedules it to run concurrently.
- await and create_task differ. It schedules the coroutine concurrently.
- Call create_task on the coroutine. It does not schedule it concurrently.
- Call create_task on the coroutine. Then await schedules it concurrently.
- Call create_task on the coroutine. Later it is awaited. It schedules it concurrently.

# A sentence that denies itself is denied up to its first colon or
# semicolon: what follows states the correction.
point
says @loop .. epoll
+ It is not true that the OS plays no part: the event loop waits in epoll.
- It is not true that the event loop waits in epoll.
- It's a myth that the event loop waits in epoll; it spins.

# A negator inside parentheses does not reach past them.
point
says in (the )?input order
+ That iterator yields values (not futures) in input order.
- That iterator does not yield values in input order.

# A sentence naming neither subject carries on from the nearest of the two
# sentences before it that names one, whatever word it opens with.
point
says @schedule .. @concurrent
about @create-task
not_about @await
+ Call create_task on the coroutine. Later on the loop schedules it concurrently.
+ create_task wraps the coroutine. Nothing waits here. The loop schedules it in the background.
- Call await on the coroutine. Later on the loop schedules it concurrently.
- create_task wraps it. Then await runs. The loop schedules it concurrently.

# A claim in an answer that names neither subject anywhere is said of the
# subject asked about, when it is a phrase: a lone word needs a subject to
# give it its sense. A subject named anywhere, the point's or the
# contrasted one, leaves the binding to the rules above.
point
says keeps? running|survives
about save_task|\bthe save\b
not_about \bhandler\b|\bcaller\b
+ Only the wrapper is cancelled. The protected write keeps running.
+ The job inside the shield keeps running to the end.
- It survives.
- The handler is cancelled. The protected write keeps running.
- The caller is stopped. Meanwhile, at the same time, the protected write keeps running.
- Not save_task. Sadly it keeps running.
- The handler keeps running.
asked What happens to the handler?
- It keeps running.

# The answer to a follow-up question: the question lends its subject, as a
# sentence before the answer would, but nothing in it counts as said.
point
says @schedule .. @concurrent
about @create-task
not_about @await
asked What does create_task do with the coroutine you pass it?
+ It schedules it to run concurrently.
+ Schedules it in the background.
- It waits for it.
- await schedules it concurrently.
asked What does the loop do after create_task schedules the coroutine concurrently?
- Nothing.
- It runs other tasks.
asked What does await do with the coroutine you pass it?
- It schedules it to run concurrently.

point
says @release .. @gil
reject @own @gil
asked Does each thread have its own GIL, and what happens to it while a thread releases it during I/O?
- It waits.
+ A thread releases the GIL while it waits.

# An entry that states a negation itself ("not reachable") owns its
# negator; a negator outside it still negates.
point
says @cycle .. @gone
reject @cycle .. never freed
+ A cycle is not reachable.
+ The cycle is no longer reachable from the program.
+ A cycle is unreachable.
- A cycle is not unreachable.
- It isn't a cycle that is not reachable.
- A cycle is reachable.
- A cycle is not reachable, so the cycle is never freed.

# Words that name a pitfall keep a reject from firing up to the next comma
# or the clause's end, and so does a question; a claim there still counts.
point
says @block .. @loop
reject @thread
+ The classic trap is that time.sleep in a thread blocks the loop.
+ Naively you would add a thread, and time.sleep still blocks the loop.
+ Unlike a thread, which would not block the loop, time.sleep blocks the loop.
+ Why not a thread? Because time.sleep blocks the loop.
+ It is easy to assume a thread helps, yet time.sleep blocks the loop.
+ We had a bug where time.sleep ran in a thread, and it still blocks the loop.
- The thread has no bug, and time.sleep blocks the loop.
- It runs in a thread and blocks the loop.
- Naively, it runs in a thread and blocks the loop.
- It blocks the loop, unlike a thread pool which runs in a thread.
# A belief refuted in place ("... is the classic mistake") fires no reject.
+ "Run it in a thread" is the classic mistake: time.sleep blocks the loop.
+ Moving it to a thread is simply wrong, because time.sleep blocks the loop.
- It runs in a thread, so saying it blocks the loop is wrong.
# Python's False after a copula is a value, not a verdict on the claim.
- Run in a thread it blocks the loop and comparing the two with == is also False.
- The thread blocks the loop (the check `t.done()` is False until then).

# "Unlike X, which P, Y ...": the relative clause says P of X, which the
# "unlike" does not deny; a claim outside it does not bind to X.
term scan: scan+ | check+ | walk+
term select: select | poll
term epoll: epoll
point
says @scan .. every descriptor
about @select
not_about @epoll
+ Unlike epoll, select scans every descriptor.
+ Unlike select and poll, which scan every descriptor on each call, epoll reports only the ready ones.
+ Unlike select, which has to check every descriptor, epoll is told which are ready.
- Unlike epoll, which scans every descriptor, select is told which are ready.
- Unlike select, epoll scans every descriptor.
- Unlike select, which is simple, epoll scans every descriptor.
- Unlike select and poll, which never scan every descriptor, epoll is told which are ready.

# Punctuation inside a token ("10:00:00", "https://") does not separate a
# subject from its claim; a colon or comma in prose does.
point
says for users
about \bstr\b
not_about \brepr\b
+ str prints 10:00:00 for users, and repr is for developers.
+ str shows https://example.org/a,b for users, and repr shows the escapes.
- str is exact: repr prints 10:00:00 for users.

# "not only" affirms what follows it, but denies a claim that is itself
# the "only": a reject for "only direct parents" does not fire on "the
# whole chain, not only direct parents".
term check: check+ | look+ at
point
says @check .. (inheritance|chain|parents?)
reject (only|just) (the )?direct parents?
+ issubclass checks the whole inheritance chain, not only direct parents.
+ It checks inheritance, not just the direct parent.
+ Not only does it check the direct parent, it checks the whole chain.
- issubclass checks only direct parents.
- It looks at the inheritance of only the direct parents.

# Rubric \w is ASCII: an accented word is folded to plain letters first,
# so a gap still crosses it.
point
says \bcalls (\w+ ){0,2}sleep
+ It calls the naïve sleep.
+ It calls the café sleep.
- It calls nothing: no sleep.

# A wrong claim bound to its own subject: the point is not found where the
# answer says it of that subject, at any distance in the clause or
# sentence, and is where it is denied or said of the other subject.
point
says @schedule .. @concurrent
about @create-task
not_about @await
wrong @concurrent
wrong_about @await
wrong_not_about @create-task
+ create_task schedules the coroutine to run concurrently; await just waits for it.
+ create_task schedules it to run concurrently.
+ create_task schedules it concurrently. The coroutine then runs in the background.
- create_task schedules it concurrently. Plain await, which reads nicely and which most tutorials show first for a good reason, also runs the coroutines concurrently.
- create_task schedules the coroutine concurrently, and await runs it in the background as well.
+ create_task schedules the coroutine concurrently; await does not run anything concurrently.
+ create_task schedules the coroutine concurrently. Await never runs it in the background.
- create_task schedules it concurrently. Await? It runs it in the background too.
+ The coroutine is scheduled to run in the background.
# Like a reject, it is passed over where it is named a pitfall.
+ create_task schedules it concurrently. It's tempting to say await runs them concurrently, but it doesn't.
+ create_task schedules it concurrently. The classic trap is thinking await runs them concurrently.
- create_task schedules it concurrently. And await runs them concurrently too.
# A follow-up's question lends its subject to it too.
asked And what does a plain await do with the coroutine, compared with create_task?
- It runs it in the background too. create_task schedules it concurrently as well.
+ It waits for it to finish; create_task schedules it concurrently.

# A later part, clause or phrase after a comma that denies itself denies
# what follows it, not the claim before it.
point
says @release .. @gil
+ The thread releases the GIL; it's a myth that each thread has its own GIL.
+ The thread releases the GIL; it's not true that each thread has its own GIL.
+ The thread releases the GIL, but it's a myth that each thread has its own GIL.
+ The thread releases the GIL, and it's a myth that each thread has its own GIL.

point
says @release .. @gil
reject each @thread .. @own .. @gil
+ The thread releases the GIL; but it's a myth that each thread has its own GIL.
+ The thread releases the GIL, but it's a myth that each thread has its own GIL.
+ The thread releases the GIL, so it's a myth that each thread has its own GIL.
+ The thread releases the GIL, and it's a myth that each thread has its own GIL.
- The thread releases the GIL. Each thread has its own GIL, and it's not true that they share one.

point
says each @thread .. @own .. @gil
- The thread releases the GIL, but it's a myth that each thread has its own GIL.
- It's a myth that each thread has its own GIL.
+ Each thread has its own GIL, and it's a myth that they share one.
+ Each thread has its own GIL; it's a myth that they share one.

# An accented letter in a pattern or a term entry matches as its plain
# one: answers are folded so before matching.
term fancy: naïve approach | café
point
says @fancy|fiancé|r[éè]sum[éè]
+ It is a naïve approach.
+ It is a naive approach.
+ We met at the cafe.
+ My fiancé.
+ My fiance.
+ Send the résumé.
+ Send the resume.
- Send the rsum.

# A ligature folds to one atom: a quantifier after it covers both letters.
point
says \bÆ?ther\b
+ the ther
+ the Aether
+ the Æther
- the Ather
