# Normalisation: once per answer, before any matching.
normal It’s the “GIL” — really
= It's the "GIL" - really
normal one\n\n   two   three
= one two three
normal call `asyncio.create_task()` here
= call asyncio.create_task() here
normal ```python\nx = 1\n```\nafter
= x = 1 after
normal this is *really* **bold** and _em_
= this is really bold and em
normal f(*args, **kwargs) and a * b and 2**10
= f(*args, **kwargs) and a * b and 2**10
normal def __init__(self) and *args
= def __init__(self) and *args
normal it is block-\ning the loop
= it is blocking the loop
normal non-\nBlocking stays
= non- Blocking stays
normal wait… then
= wait... then
normal a b c
= a b c
normal a naïve café, Ærø and Straße; Łódź is 3 × 4
= a naive cafe, AEro and Strasse; Lodz is 3 × 4
# A contraction typed without its apostrophe gets it back; a word it could
# also be, a name, and code stay as they are.
normal it doesnt block, Theyre waiting and I cant see why; Dont.
= it doesn't block, They're waiting and I can't see why; Don't.
normal its own lock, we were well, cant.py, dont() and `isnt`
= its own lock, we were well, cant.py, dont() and isnt
normal an IM server, Im sure
= an IM server, I'm sure
# A first-person hedge set apart goes: it would split what it stands in.
normal the lock is (I think) released, IIRC, at once, I think, always
= the lock is released at once always
normal it is, I think so, fine (I think that is right)
= it is, I think so, fine (I think that is right)
