# Term entries: literal phrases, word forms, ise/ize, spaces and hyphens.
phrase release+
~ it releases the lock
~ released
~ releasing
~ release
! releaser
! irrelease
phrase run+
~ running
~ runs
! ran
phrase drop+
~ dropped
~ dropping
~ drops
phrase copy+
~ copies
~ copied
~ copying
phrase serialise+
~ serialize
~ serialised
~ serializing
~ serialises
phrase serialisation
~ serialization
~ serialisation
phrase analyze+
~ analysed
~ analyse
phrase non-blocking
~ non-blocking
~ non blocking
~ nonblocking
! blocking
phrase event loop
~ event-loop
~ eventloop
~ the Event Loop
phrase I/O
~ I/O
~ io-bound
~ IO
phrase give+ up
~ gives up
~ giving up
! gave up the lock
phrase os.fork()
~ call os.fork() now
! osxfork()
phrase *args
~ f(*args)

# An accented letter in an entry is its plain one, as answers are folded.
phrase naïve approach
~ a naive approach
phrase Straße
~ strasse
