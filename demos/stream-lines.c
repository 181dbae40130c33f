/*
 * stream-lines: the classic asyncio.open_connection log collector, on
 * loopback, with what it gets right and what it does not.
 *
 * A server thread streams log lines over TCP in writes of random size, so
 * line ends fall anywhere: most lines are short, some are longer than a
 * chunk, some hold multi-byte UTF-8 characters and some invalid bytes, and
 * one is over-long.  It records the length and a checksum of every line it
 * sends and counts the acknowledgements it gets back.  The client, on the
 * main thread, is a small event loop (epoll, a non-blocking socket, an
 * output buffer drained when the socket is writable: writer.write() and
 * drain()).  It reads fixed-size chunks (reader.read(1024)) and feeds each
 * to two line collectors:
 *   naive         buffer += chunk; split off each line: correct, but the
 *                 buffer holds a whole line however long it is;
 *   bounded       keeps at most --limit bytes of a line (as asyncio's
 *                 StreamReader limit of 64 KiB), drops the rest of an
 *                 over-long line up to its newline and reports it.
 * Each line is decoded as bytes.decode("utf-8", errors="replace") does
 * (U+FFFD for each maximal invalid subpart), acknowledged with "ACK\n", and
 * checked against what the server sent.  Decoding each chunk by itself
 * instead is measured too: it breaks characters split across chunks.
 * It does not model asyncio's transports or its 64 KiB read size.
 */
#include "demolib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- small helpers ---- */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static long rnd(uint64_t *s, long lo, long hi)
{
	return lo + (long)(xorshift(s) % (uint64_t)(hi - lo + 1));
}

/*
 * One row of the timeline, capped: a long run would otherwise record
 * millions of segments; past the cap the row stops, and the drawing covers
 * only the time both rows recorded.
 */
enum { ROW_CAP = 40000 };

struct row {
	struct demo_timeline *tl;
	int row;
	long n;
	double until;                   /* end of the last recorded segment */
};

static void row_add(struct row *r, double start, double end, char state)
{
	if (!r->tl || r->n >= ROW_CAP)
		return;
	demo_timeline_add(r->tl, r->row, start, end, state);
	r->n++;
	r->until = end;
}

/*
 * bytes.decode("utf-8", errors="replace"): appends the text to out (when not
 * NULL) and returns how many U+FFFD it put in.  Each maximal subpart of an
 * ill-formed sequence becomes one U+FFFD, as in CPython.
 */
static long utf8_decode(const unsigned char *s, size_t n, struct buf *out)
{
	static const unsigned char fffd[3] = {0xef, 0xbf, 0xbd};
	long repl = 0;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			if (out)
				buf_add(out, &s[i], 1);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			len = 0;        /* 80..C1, F5..FF never start a character */
		}
		size_t j = i + 1;
		if (len && j < n && s[j] >= lo && s[j] <= hi) {
			j++;
			while (j - i < len && j < n && s[j] >= 0x80 && s[j] <= 0xbf)
				j++;
		}
		if (len && j - i == len) {
			if (out)
				buf_add(out, &s[i], len);
		} else {
			if (out)
				buf_add(out, fffd, 3);
			repl++;
		}
		i = j;
	}
	return repl;
}

/* Appends s as a JSON string. */
static void json_quote(struct buf *b, const unsigned char *s, size_t n)
{
	buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		char esc[8];
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			buf_add(b, esc, 2);
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", s[i]);
			buf_puts(b, esc);
		} else {
			buf_add(b, &s[i], 1);
		}
	}
	buf_puts(b, "\"");
}

/* ---- the server: what it sends ---- */

static const char *const words[] = {
	"GET", "/api/v1/orders", "200", "in", "12ms", "user=alice", "POST",
	"/login", "retry", "cache", "miss", "upstream", "timeout", "ok",
	"queue=ingest", "worker-3", "bytes=5120", "latency_p99=41ms",
};
static const char *const utf8_words[] = {
	"café", "naïve", "日本語", "🐍", "Ωmega", "Zürich", "東京", "€42",
};
/* invalid UTF-8, as bytes from a broken client would be */
static const char *const bad_bytes[] = {
	"\xff", "\xc3\x28", "\xe6\x97x", "\xc0\xaf", "\xed\xa0\x80",
	"\xf4\x90\x80\x80", "\xf0\x9f\x90", "\x80\x80", "\xfe\xfe", "caf\xe9",
};

enum kind { K_PLAIN, K_UTF8, K_INVALID, K_LONG, K_OVERLONG };

/* Line i of the stream (no newline), deterministic for a seed. */
static enum kind make_line(struct buf *b, long i, long nlines, long long_bytes,
			   uint64_t *rng)
{
	char head[96];
	enum kind k = K_PLAIN;
	if (long_bytes > 0 && i == nlines / 2)
		k = K_OVERLONG;
	else if (i % 97 == 41)
		k = K_LONG;
	else if (i % 50 == 7)
		k = K_INVALID;
	else if (i % 13 == 5)
		k = K_UTF8;
	b->len = 0;
	snprintf(head, sizeof head, "2024-05-01T12:%02ld:%02ld.%03ld host-%ld app[%ld]: #%ld",
		 (i / 60000) % 60, (i / 1000) % 60, i % 1000, rnd(rng, 1, 40),
		 rnd(rng, 100, 999), i);
	buf_puts(b, head);
	size_t target = k == K_OVERLONG ? (size_t)long_bytes
		      : k == K_LONG     ? (size_t)rnd(rng, 1500, 5000)
					: (size_t)rnd(rng, 40, 180);
	if (k == K_INVALID) {
		buf_puts(b, " bad input: ");
		buf_puts(b, bad_bytes[(i / 50) % (long)(sizeof bad_bytes / sizeof *bad_bytes)]);
	}
	while (b->len < target) {
		buf_puts(b, " ");
		if (k == K_UTF8 && rnd(rng, 0, 2) == 0)
			buf_puts(b, utf8_words[rnd(rng, 0, (long)(sizeof utf8_words / sizeof *utf8_words) - 1)]);
		else
			buf_puts(b, words[rnd(rng, 0, (long)(sizeof words / sizeof *words) - 1)]);
	}
	return k;
}

struct server {
	int listen_fd;
	long nlines, long_bytes;
	uint64_t seed;
	struct row tl;
	/* results */
	size_t *len;                    /* per line, as sent */
	uint64_t *sum;
	unsigned char *kind;
	long long bytes_sent;
	long writes;
	long acks;                      /* "ACK\n" received */
	int error;                      /* errno of a failure, 0 if none */
	atomic_int quit;                /* the client gave up: stop at once */
};

/* The server thread's state while it streams. */
struct feed {
	struct server *s;
	int fd;
	struct buf line, out;           /* the line being made; bytes not yet written */
	size_t off;                     /* out.p[0 .. off) is written */
	long next;                      /* the next line to make */
	bool wr_open;
	uint64_t rng, wrng;             /* lines; write sizes */
	long ack_partial;               /* bytes of "ACK\n" matched so far */
};

/* Waits for the client's connection; -1 when stopped or it failed. */
static int accept_client(struct server *s)
{
	int fd = -1;
	struct pollfd pf = {s->listen_fd, POLLIN, 0};
	while (!demo_stopping() && !atomic_load(&s->quit)) {
		int r = poll(&pf, 1, 100);
		if (r > 0) {
			fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
	}
	return fd;
}

/* Keeps a little data ready: the next lines, as bytes; EOF after the last. */
static void feed_fill(struct feed *f)
{
	struct server *s = f->s;
	double tg = demo_now();
	while (f->wr_open && f->out.len - f->off < 16384 && f->next < s->nlines) {
		s->kind[f->next] = (unsigned char)make_line(&f->line, f->next, s->nlines,
							    s->long_bytes, &f->rng);
		s->len[f->next] = f->line.len;
		s->sum[f->next] = fnv1a(f->line.p, f->line.len);
		if (f->off && f->off == f->out.len)
			f->out.len = f->off = 0;
		buf_add(&f->out, f->line.p, f->line.len);
		buf_add(&f->out, "\n", 1);
		f->next++;
	}
	row_add(&s->tl, tg, demo_now(), '#');
	if (f->wr_open && f->off == f->out.len && f->next == s->nlines) {
		shutdown(f->fd, SHUT_WR);       /* writer.close(): EOF after the last line */
		f->wr_open = false;
	}
}

/* A write of random size: line ends fall anywhere.  -1 when it failed. */
static int feed_write(struct feed *f)
{
	struct server *s = f->s;
	size_t want = (size_t)rnd(&f->wrng, 1, 3000);
	if (want > f->out.len - f->off)
		want = f->out.len - f->off;
	double t = demo_now();
	ssize_t w = write(f->fd, f->out.p + f->off, want);
	row_add(&s->tl, t, demo_now(), '#');
	if (w > 0) {
		f->off += (size_t)w;
		s->bytes_sent += w;
		s->writes++;
	} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
		s->error = errno;
		return -1;
	}
	if (f->off > 65536 && f->off * 2 > f->out.len) {
		memmove(f->out.p, f->out.p + f->off, f->out.len - f->off);
		f->out.len -= f->off;
		f->off = 0;
	}
	return 0;
}

/* Counts whole "ACK\n" records; 1 when the client closed, -1 when it failed. */
static int feed_read_acks(struct feed *f)
{
	static const char ack[] = "ACK\n";
	char ackbuf[4096];
	ssize_t k = read(f->fd, ackbuf, sizeof ackbuf);
	if (k == 0)
		return 1;               /* the client closed: all acks are in */
	if (k < 0 && errno != EAGAIN && errno != EINTR) {
		f->s->error = errno;
		return -1;
	}
	for (ssize_t i = 0; i < k; i++) {
		if (ackbuf[i] == ack[f->ack_partial]) {
			if (++f->ack_partial == 4) {
				f->s->acks++;
				f->ack_partial = 0;
			}
		} else {
			f->ack_partial = ackbuf[i] == 'A';
		}
	}
	return 0;
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct feed f = {.s = s, .wr_open = true};
	f.rng = s->seed * 2654435761u + 88172645463325252ull;
	f.wrng = f.rng ^ 0x9e3779b97f4a7c15ull;
	f.fd = accept_client(s);
	if (f.fd < 0) {
		s->error = errno ? errno : EINTR;
		goto out;
	}
	for (;;) {
		if (demo_stopping() || atomic_load(&s->quit))
			break;
		feed_fill(&f);
		struct pollfd pf = {f.fd, (short)(POLLIN | (f.wr_open ? POLLOUT : 0)), 0};
		double tw = demo_now();
		int r = poll(&pf, 1, 100);
		row_add(&s->tl, tw, demo_now(), '.');
		if (r < 0 && errno != EINTR) {
			s->error = errno;
			break;
		}
		if (r <= 0)
			continue;
		if ((pf.revents & POLLOUT) && feed_write(&f) < 0)
			break;
		if ((pf.revents & (POLLIN | POLLHUP | POLLERR)) && feed_read_acks(&f))
			break;
	}
	close(f.fd);
out:
	free(f.line.p);
	free(f.out.p);
	return NULL;
}

/* ---- the client's two line collectors ---- */

/* The naive one: buffer += chunk; while b"\n" in buffer: line, buffer = split */
struct naive {
	struct buf b;
	size_t max_len;
	long long copied;               /* bytes the splits copied */
	long lines;
	long intact;                    /* lines equal to what was sent */
};

/* Bounded: at most limit bytes of a line; the rest is dropped and reported. */
struct bounded {
	struct buf line;
	size_t limit;
	bool truncating;
	size_t dropped_now;
	size_t max_held;                /* the largest partial line plus chunk held */
	long long copied;               /* bytes copied into the line buffer */
};

struct client {
	struct server *srv;
	struct naive nv;
	struct bounded bd;
	/* per line delivered by the bounded collector */
	long lines, intact, truncated;
	long long bytes_intact, dropped_bytes, kept_overlong;
	long fffd_lines, fffd_total, fffd_chunks;
	long overlong_line;             /* index of the first truncated line, -1 */
	long long overlong_sent;
	struct buf text;                /* decode scratch */
	struct buf samples;             /* JSON array of invalid-UTF-8 lines */
	int nsamples;
	int shown;
	/* acknowledgements: writer.write(b"ACK\n"); await writer.drain() */
	struct buf ack;
	size_t ack_off, max_ack_backlog;
	long acks_sent;
	/* reading */
	long chunks, chunks_partial;
	long long bytes_received;
	struct demo *d;
};

static void show_line(struct client *c, const struct buf *t, long idx, const char *note)
{
	/* cut long lines for the screen at a character boundary */
	size_t n = t->len, cut = n;
	if (n > 90) {
		cut = 90;
		while (cut > 0 && (t->p[cut] & 0xc0) == 0x80)
			cut--;
	}
	demo_print(c->d, "  [LOG] %.*s%s   (line %ld%s)\n", (int)cut, (const char *)t->p,
		   cut < n ? " ..." : "", idx, note);
}

/* process_log_line(): decode, check, acknowledge. */
static void on_line(struct client *c, const unsigned char *p, size_t n, bool truncated,
		    size_t dropped)
{
	long idx = c->lines++;
	struct server *s = c->srv;
	c->text.len = 0;
	long repl = utf8_decode(p, n, &c->text);
	if (repl) {
		c->fffd_lines++;
		c->fffd_total += repl;
	}
	bool sent_known = idx < s->nlines;
	if (truncated) {
		c->truncated++;
		c->dropped_bytes += (long long)dropped;
		c->kept_overlong += (long long)n;
		if (c->overlong_line < 0) {
			c->overlong_line = idx;
			c->overlong_sent = sent_known ? (long long)s->len[idx] : -1;
		}
	} else if (sent_known && s->len[idx] == n && s->sum[idx] == fnv1a(p, n)) {
		c->intact++;
		c->bytes_intact += (long long)n;
	}
	if (repl && c->nsamples < 12) {
		struct buf *j = &c->samples;
		buf_puts(j, c->nsamples ? ", {\"line\": " : "[{\"line\": ");
		char num[32];
		snprintf(num, sizeof num, "%ld, \"raw_hex\": \"", idx);
		buf_puts(j, num);
		for (size_t i = 0; i < n; i++) {
			snprintf(num, sizeof num, "%02x", p[i]);
			buf_puts(j, num);
		}
		buf_puts(j, "\", \"text\": ");
		json_quote(j, c->text.p, c->text.len);
		snprintf(num, sizeof num, ", \"replaced\": %ld}", repl);
		buf_puts(j, num);
		c->nsamples++;
	}
	if (c->shown < 3 || (repl && c->shown < 6) || truncated) {
		char note[96] = "";
		if (repl)
			snprintf(note, sizeof note, ", %ld invalid byte sequence%s replaced",
				 repl, repl == 1 ? "" : "s");
		if (truncated)
			snprintf(note, sizeof note, ", over-long: %zu bytes kept, %zu dropped",
				 n, dropped);
		show_line(c, &c->text, idx, note);
		c->shown++;
	}
	buf_add(&c->ack, "ACK\n", 4);
	c->acks_sent++;
	if (c->ack.len - c->ack_off > c->max_ack_backlog)
		c->max_ack_backlog = c->ack.len - c->ack_off;
}

static void naive_feed(struct client *c, const unsigned char *p, size_t n)
{
	struct naive *nv = &c->nv;
	struct server *s = c->srv;
	buf_add(&nv->b, p, n);                  /* buffer += chunk */
	if (nv->b.len > nv->max_len)
		nv->max_len = nv->b.len;
	unsigned char *nl;
	while ((nl = memchr(nv->b.p, '\n', nv->b.len)) != NULL) {
		size_t len = (size_t)(nl - nv->b.p);
		long idx = nv->lines++;
		if (idx < s->nlines && s->len[idx] == len && s->sum[idx] == fnv1a(nv->b.p, len))
			nv->intact++;
		/* line, buffer = buffer.split(b"\n", 1): the rest is copied */
		size_t rest = nv->b.len - len - 1;
		memmove(nv->b.p, nl + 1, rest);
		nv->b.len = rest;
		nv->copied += (long long)rest;
	}
}

static void bounded_feed(struct client *c, const unsigned char *p, size_t n)
{
	struct bounded *bd = &c->bd;
	if (bd->line.len + n > bd->max_held)
		bd->max_held = bd->line.len + n;
	size_t i = 0;
	while (i < n) {
		const unsigned char *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		size_t take = end - i;
		size_t room = bd->limit - bd->line.len;
		if (take > room) {
			bd->dropped_now += take - room;
			bd->truncating = true;
			take = room;
		}
		buf_add(&bd->line, p + i, take);
		bd->copied += (long long)take;
		if (!nl)
			break;
		on_line(c, bd->line.p, bd->line.len, bd->truncating, bd->dropped_now);
		bd->line.len = 0;
		bd->truncating = false;
		bd->dropped_now = 0;
		i = end + 1;
	}
}

/* ---- the client's event loop ---- */

static int client_run(struct client *c, int fd, size_t chunk, struct row *tl)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -1;
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(ep);
		return -1;
	}
	unsigned char *cbuf = xmalloc(chunk);
	uint32_t cur = EPOLLIN;
	bool eof = false;
	int rc = 0;
	long next_report = c->srv->nlines / 10 + 1;
	while (!demo_stopping()) {
		bool pending = c->ack.len > c->ack_off;
		if (eof && !pending)
			break;
		/* after EOF, stop asking for input: it would always be ready */
		uint32_t want = (eof ? 0u : (uint32_t)EPOLLIN) | (pending ? (uint32_t)EPOLLOUT : 0u);
		if (want != cur) {
			ev.events = want;
			epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			cur = want;
		}
		struct epoll_event got;
		double tw = demo_now();
		int r = epoll_wait(ep, &got, 1, 100);
		double t0 = demo_now();
		row_add(tl, tw, t0, '.');
		if (r < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (r <= 0)
			continue;
		if ((got.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !eof) {
			/* chunk = await reader.read(1024): whatever is there, up to 1024 */
			ssize_t k = read(fd, cbuf, chunk);
			if (k == 0) {
				eof = true;     /* the server closed: no more lines */
			} else if (k > 0) {
				c->chunks++;
				c->chunks_partial += (size_t)k < chunk;
				c->bytes_received += k;
				c->fffd_chunks += utf8_decode(cbuf, (size_t)k, NULL);
				naive_feed(c, cbuf, (size_t)k);
				bounded_feed(c, cbuf, (size_t)k);
			} else if (errno != EAGAIN && errno != EINTR) {
				rc = -1;
				break;
			}
		}
		if (c->ack.len > c->ack_off) {
			/* drain(): write what the socket takes now, keep the rest */
			ssize_t w = write(fd, c->ack.p + c->ack_off, c->ack.len - c->ack_off);
			if (w > 0)
				c->ack_off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				rc = -1;
				break;
			}
			if (c->ack_off == c->ack.len)
				c->ack.len = c->ack_off = 0;
		}
		row_add(tl, t0, demo_now(), '#');
		if (c->lines >= next_report) {
			demo_progress(c->d, "  %ld lines, %lld bytes received", c->lines,
				      c->bytes_received);
			next_report += c->srv->nlines / 10 + 1;
		}
	}
	free(cbuf);
	close(ep);
	return rc;
}

/* The run: the server, the client, the connection and the timeline. */
struct run {
	struct demo *d;
	long lines, chunk, limit, long_kib;
	struct server srv;
	struct client cl;
	struct sockaddr_in addr;        /* where the server listens */
	int fd;                         /* the client's socket */
	pthread_t tid;
	bool started;                   /* the server thread runs */
	struct demo_timeline *tl;
	struct row crow;                /* the client's row of tl */
	double t0, wall;
	long sent_invalid, sent_long;
	int status;                     /* exit status of a failed step */
};

/* The server's socket, on an ephemeral loopback port. */
static int step_listen(struct run *r)
{
	struct server *srv = &r->srv;
	r->addr = (struct sockaddr_in){.sin_family = AF_INET};
	r->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof r->addr;
	srv->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->listen_fd < 0 ||
	    bind(srv->listen_fd, (struct sockaddr *)&r->addr, sizeof r->addr) < 0 ||
	    listen(srv->listen_fd, 1) < 0 ||
	    getsockname(srv->listen_fd, (struct sockaddr *)&r->addr, &alen) < 0) {
		fprintf(stderr, "demo-stream-lines: error: cannot listen on loopback: %s\n",
			strerror(errno));
		r->status = 3;
		return -1;
	}
	demo_print(r->d, "A server thread streams %ld log lines to 127.0.0.1:%d in writes of "
		   "random size; a few lines are longer than a chunk, some hold invalid "
		   "UTF-8%s.\n", r->lines, ntohs(r->addr.sin_port),
		   r->long_kib ? ", one is over-long" : "");
	demo_print(r->d, "The client runs the classic loop: chunk = await reader.read(%ld); "
		   "split lines; decode with errors=\"replace\"; ACK each line.\n\n", r->chunk);
	return 0;
}

static int step_start_server(struct run *r)
{
	r->t0 = demo_now();
	r->tl = demo_timeline_new(2, r->t0);
	demo_timeline_label(r->tl, 0, "server thread");
	demo_timeline_label(r->tl, 1, "client loop");
	r->srv.tl = (struct row){r->tl, 0, 0, 0};
	r->crow = (struct row){r->tl, 1, 0, 0};
	if (pthread_create(&r->tid, NULL, server_main, &r->srv)) {
		fprintf(stderr, "demo-stream-lines: error: cannot start the server thread\n");
		r->status = 1;
		return -1;
	}
	r->started = true;
	return 0;
}

/* reader, writer = await asyncio.open_connection(host, port) */
static int step_connect(struct run *r)
{
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&r->addr, sizeof r->addr) < 0 ||
	    fcntl(r->fd, F_SETFL, O_NONBLOCK) < 0) {
		if (demo_stopping())
			return 1;
		fprintf(stderr, "demo-stream-lines: error: cannot connect: %s\n",
			strerror(errno));
		r->status = 3;
		return -1;
	}
	return 0;
}

/* The client's loop until the server's EOF, then the server's end. */
static int step_collect(struct run *r)
{
	if (client_run(&r->cl, r->fd, (size_t)r->chunk, &r->crow) < 0 && !demo_stopping()) {
		fprintf(stderr, "demo-stream-lines: error: the connection failed: %s\n",
			strerror(errno));
		r->status = 1;
		return -1;
	}
	close(r->fd);                   /* writer.close() */
	r->fd = -1;
	pthread_join(r->tid, NULL);
	r->started = false;
	r->wall = demo_now() - r->t0;
	if (demo_stopping())
		return 1;
	if (r->srv.error) {
		fprintf(stderr, "demo-stream-lines: error: the server failed: %s\n",
			strerror(r->srv.error));
		r->status = 1;
		return -1;
	}
	return 0;
}

static int step_table(struct run *r)
{
	struct demo *d = r->d;
	const struct server *srv = &r->srv;
	const struct client *cl = &r->cl;
	for (long i = 0; i < r->lines; i++) {
		r->sent_invalid += srv->kind[i] == K_INVALID;
		r->sent_long += srv->len[i] + 1 > (size_t)r->chunk;
	}
	demo_print(d, "\n  %-40s %16s %16s\n", "", "naive collector", "bounded");
	demo_print(d, "  %-40s %16ld %16ld\n", "lines delivered", cl->nv.lines, cl->lines);
	demo_print(d, "  %-40s %16ld %16ld\n", "lines intact (checksum = what was sent)",
		   cl->nv.intact, cl->intact);
	demo_print(d, "  %-40s %16zu %16zu\n", "largest buffer held, bytes", cl->nv.max_len,
		   cl->bd.max_held);
	demo_print(d, "  %-40s %16lld %16lld\n", "bytes copied to split lines", cl->nv.copied,
		   cl->bd.copied);
	demo_print(d, "\n  server: %ld lines, %lld bytes in %ld writes; %ld ACKs received\n",
		   r->lines, srv->bytes_sent, srv->writes, srv->acks);
	demo_print(d, "  client: %lld bytes in %ld reads, %ld of them shorter than %ld "
		   "(read() returns what is there); %ld ACKs sent\n",
		   cl->bytes_received, cl->chunks, cl->chunks_partial, r->chunk, cl->acks_sent);
	demo_print(d, "  lines longer than one chunk: %ld sent, split across reads and "
		   "put back together\n", r->sent_long);
	demo_print(d, "  invalid UTF-8: %ld lines sent with bad bytes; %ld lines decoded with "
		   "%ld U+FFFD; decoding each chunk by itself would put %ld\n",
		   r->sent_invalid, cl->fffd_lines, cl->fffd_total, cl->fffd_chunks);
	if (cl->truncated == 1)
		demo_print(d, "  over-long line %ld: %lld bytes sent, %lld kept, %lld dropped "
			   "(limit %ld); the naive buffer grew to %zu bytes for it\n",
			   cl->overlong_line, cl->overlong_sent, cl->kept_overlong,
			   cl->dropped_bytes, r->limit, cl->nv.max_len);
	else if (cl->truncated > 1)
		demo_print(d, "  %ld lines over the limit of %ld bytes (the first: line %ld, "
			   "%lld bytes): %lld bytes kept, %lld dropped in all; the naive "
			   "buffer grew to %zu bytes\n", cl->truncated, r->limit, cl->overlong_line,
			   cl->overlong_sent, cl->kept_overlong, cl->dropped_bytes, cl->nv.max_len);
	return 0;
}

static int step_timeline(struct run *r)
{
	struct demo *d = r->d;
	double t_end = demo_now();
	if (r->srv.tl.n >= ROW_CAP || r->crow.n >= ROW_CAP) {
		t_end = r->srv.tl.until < r->crow.until ? r->srv.tl.until : r->crow.until;
		demo_print(d, "\nWho was busy (the first %.1f ms of %.1f ms):\n",
			   (t_end - r->t0) * 1e3, r->wall * 1e3);
	} else {
		demo_print(d, "\nWho was busy (the whole %.1f ms):\n", r->wall * 1e3);
	}
	demo_timeline_draw(d, r->tl, t_end, 60,
			   "# works (makes lines, writes / reads, splits, decodes, ACKs), . waits in poll");
	return 0;
}

static int step_json(struct run *r)
{
	struct demo *d = r->d;
	const struct server *srv = &r->srv;
	struct client *cl = &r->cl;
	demo_json_int(d, "lines_sent", r->lines);
	demo_json_int(d, "lines_received", cl->lines);
	demo_json_int(d, "lines_intact", cl->intact);
	demo_json_int(d, "max_buffer_bytes", (long long)cl->bd.max_held);
	demo_json_int(d, "bytes_sent", srv->bytes_sent);
	demo_json_int(d, "bytes_received", cl->bytes_received);
	demo_json_int(d, "bytes_intact", cl->bytes_intact);
	demo_json_int(d, "chunks", cl->chunks);
	demo_json_int(d, "chunks_partial", cl->chunks_partial);
	demo_json_int(d, "writes", srv->writes);
	demo_json_int(d, "acks_sent", cl->acks_sent);
	demo_json_int(d, "acks_received", srv->acks);
	demo_json_int(d, "max_ack_backlog_bytes", (long long)cl->max_ack_backlog);
	demo_json_int(d, "long_lines_sent", r->sent_long);
	demo_json_int(d, "invalid_lines_sent", r->sent_invalid);
	demo_json_int(d, "fffd.lines", cl->fffd_lines);
	demo_json_int(d, "fffd.per_line", cl->fffd_total);
	demo_json_int(d, "fffd.per_chunk", cl->fffd_chunks);
	demo_json_int(d, "overlong.lines", cl->truncated);
	demo_json_int(d, "overlong.line", cl->overlong_line);
	demo_json_int(d, "overlong.sent_bytes", cl->overlong_sent);
	demo_json_int(d, "overlong.kept_bytes", cl->kept_overlong);
	demo_json_int(d, "overlong.dropped_bytes", cl->dropped_bytes);
	demo_json_int(d, "naive.lines", cl->nv.lines);
	demo_json_int(d, "naive.lines_intact", cl->nv.intact);
	demo_json_int(d, "naive.max_buffer_bytes", (long long)cl->nv.max_len);
	demo_json_int(d, "naive.bytes_copied", cl->nv.copied);
	demo_json_int(d, "bytes_copied", cl->bd.copied);
	demo_json_num(d, "wall_s", r->wall);
	if (cl->nsamples)
		buf_puts(&cl->samples, "]");
	else
		buf_puts(&cl->samples, "[]");
	buf_add(&cl->samples, "", 1);
	demo_json_raw(d, "invalid_samples", (const char *)cl->samples.p);
	return 0;
}

static int step_summary(struct run *r)
{
	const struct client *cl = &r->cl;
	demo_print(r->d, "\nIn Python terms: reader.read(%ld) returns whatever bytes have "
		   "arrived, so lines come in pieces and the collector must join them: "
		   "%ld of %ld lines arrived intact; decode a whole line, not a chunk, or "
		   "characters split between reads turn into U+FFFD (%ld instead of %ld). "
		   "The naive `buffer += chunk` is not bounded by the chunk size: one "
		   "long line made it hold %zu bytes, so cap it as StreamReader's limit "
		   "does (%zu bytes here).\n",
		   r->chunk, cl->intact, r->lines, cl->fffd_chunks, cl->fffd_total,
		   cl->nv.max_len, cl->bd.max_held);
	return 0;
}

static void run_release(struct run *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->started) {
		atomic_store(&r->srv.quit, 1);
		pthread_join(r->tid, NULL);
	}
	if (r->srv.listen_fd >= 0)
		close(r->srv.listen_fd);
	demo_timeline_free(r->tl);
	free(r->cl.nv.b.p);
	free(r->cl.bd.line.p);
	free(r->cl.text.p);
	free(r->cl.samples.p);
	free(r->cl.ack.p);
	free(r->srv.kind);
	free(r->srv.sum);
	free(r->srv.len);
}

int main(int argc, char **argv)
{
	long lines = 5000, chunk = 1024, limit = 65536, long_kib = 256, seed = 1;
	struct demo_param params[] = {
		DEMO_INT("lines", &lines, 1, 1000000, "log lines the server sends"),
		DEMO_INT("chunk", &chunk, 16, 65536, "bytes per read: reader.read(chunk)"),
		DEMO_INT("limit", &limit, 64, 1048576,
			 "longest line the bounded collector keeps, in bytes"),
		DEMO_INT("long-kib", &long_kib, 0, 16384,
			 "size of the one over-long line in KiB (0: none)"),
		DEMO_INT("seed", &seed, 0, 1000000000, "seed of the lines and write sizes"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "stream-lines",
		  "The classic asyncio.open_connection log collector on loopback: "
		  "lines from chunks, invalid UTF-8, an over-long line.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_listen, step_start_server, step_connect, step_collect,
		step_table, step_timeline, step_json, step_summary,
	};
	struct run r = {
		.d = &d, .lines = lines, .chunk = chunk, .limit = limit,
		.long_kib = long_kib, .fd = -1,
		.srv = {.listen_fd = -1, .nlines = lines, .long_bytes = long_kib * 1024,
			.seed = (uint64_t)seed + 1},
		.cl = {.d = &d, .bd = {.limit = (size_t)limit}, .overlong_line = -1},
	};
	r.srv.len = xcalloc((size_t)lines, sizeof *r.srv.len);
	r.srv.sum = xcalloc((size_t)lines, sizeof *r.srv.sum);
	r.srv.kind = xcalloc((size_t)lines, 1);
	r.cl.srv = &r.srv;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i](&r))
			break;
	run_release(&r);
	int fin = demo_finish(&d);
	return r.status ? r.status : fin;
}
