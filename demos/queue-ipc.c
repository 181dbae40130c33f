/*
 * queue-ipc: three ways to hand messages from a producer to a consumer,
 * and what each costs.
 *
 *   pipe     producer and consumer are processes; each message is pickled
 *            (the exact bytes pickle.dumps((seq, payload), protocol=4)
 *            makes), sent with a 4-byte big-endian length prefix over a pipe
 *            and unpickled on the other side, as multiprocessing.Queue does
 *            (through its Connection's send_bytes/recv_bytes);
 *   threads  producer and consumer are threads sharing one queue behind a
 *            lock with "not empty" and "not full" conditions, as queue.Queue
 *            does: the consumer receives the very object the producer made,
 *            nothing is copied or serialised;
 *   shm      processes again, sharing memory mapped before the fork (as
 *            multiprocessing.shared_memory or a multiprocessing.Array): the
 *            producer writes each record into a ring of slots, the consumer
 *            reads it in place; a process-shared lock guards the indexes.
 * Every message is checked on arrival: its sequence number (order), its
 * length and a running checksum of every payload byte, compared with the
 * producer's.  A timeline per way shows when each side was blocked (queue
 * full or empty) and when it ran.
 *
 * It does not model the feeder thread multiprocessing.Queue puts between
 * put() and the pipe, nor the GIL the Python threads would share.
 */
#include "demolib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 16384
/* multiprocessing's Connection sends the header apart above this size. */
#define SEND_SPLIT 16384
/* A pipe call that took longer than this is counted as blocked. */
#define BLOCKED_S 30e-6
/* Blocked time is accounted in buckets of BUCKET_S seconds. */
#define BUCKET_S 0.00025
#define NBUCKETS 16384
#define POLL_S 0.05

enum way { W_PIPE, W_THREADS, W_SHM, NWAYS };

static const char *const way_name[] = {"pipe", "threads", "shm"};
static const char *const way_label[] = {
	"pipe + pickle, processes", "locked queue, threads",
	"shared memory, processes"};

/* ---- who was blocked when ---- */

/* One side's activity; may live in shared memory (no pointers inside). */
struct activity {
	double t_start, t_end;
	double blocked_s;
	long blocked_n;
	double bucket[NBUCKETS];        /* blocked seconds per bucket after t0 */
};

static void activity_blocked(struct activity *a, double t0, double from,
			     double to)
{
	a->blocked_s += to - from;
	a->blocked_n++;
	double lo = from - t0, hi = to - t0;
	if (!(hi > lo) || lo < 0)
		return;
	long k1 = (long)(hi / BUCKET_S);
	for (long k = (long)(lo / BUCKET_S); k <= k1 && k < NBUCKETS; k++) {
		double b0 = k * BUCKET_S, b1 = b0 + BUCKET_S;
		double ov = (hi < b1 ? hi : b1) - (lo > b0 ? lo : b0);
		if (ov > 0)
			a->bucket[k] += ov;
	}
}

/* Bucket k's blocked share drawn as '.', the rest of its running time '#'. */
static void activity_draw(const struct activity *a, struct demo_timeline *tl,
			  int row, double t0)
{
	for (long k = 0; k < NBUCKETS; k++) {
		double lo = t0 + k * BUCKET_S, hi = lo + BUCKET_S;
		if (lo < a->t_start)
			lo = a->t_start;
		if (hi > a->t_end)
			hi = a->t_end;
		if (!(hi > lo))
			continue;
		double w = a->bucket[k] < hi - lo ? a->bucket[k] : hi - lo;
		demo_timeline_add(tl, row, lo, lo + w, '.');
		demo_timeline_add(tl, row, lo + w, hi, '#');
	}
}

/* ---- messages ---- */

static void make_payload(unsigned char *p, long size, long seq)
{
	for (long i = 0; i < size; i++)
		p[i] = (unsigned char)(seq * 131 + i * 7 + (i >> 8));
}

static uint64_t fnv(uint64_t h, const unsigned char *p, long n)
{
	for (long i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

#define FNV_START 1469598103934665603ull

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/*
 * pickle.dumps((seq, payload), protocol=4): PROTO 4, one FRAME, the int
 * (BININT1, BININT2 or BININT), the bytes (SHORT_BINBYTES or BINBYTES),
 * MEMOIZE, TUPLE2, MEMOIZE, STOP.  Returns the length written to out.
 */
static long pickle_message(unsigned char *out, long seq,
			   const unsigned char *payload, long size)
{
	long n = 0;
	out[n++] = 0x80;
	out[n++] = 4;
	out[n++] = 0x95;
	long frame_at = n;
	n += 8;
	if (seq < 256) {
		out[n++] = 'K';
		out[n++] = (unsigned char)seq;
	} else if (seq < 65536) {
		out[n++] = 'M';
		put_le(out + n, (uint64_t)seq, 2);
		n += 2;
	} else {
		out[n++] = 'J';
		put_le(out + n, (uint64_t)seq, 4);
		n += 4;
	}
	if (size < 256) {
		out[n++] = 'C';
		out[n++] = (unsigned char)size;
	} else {
		out[n++] = 'B';
		put_le(out + n, (uint64_t)size, 4);
		n += 4;
	}
	memcpy(out + n, payload, (size_t)size);
	n += size;
	out[n++] = 0x94;
	out[n++] = 0x86;
	out[n++] = 0x94;
	out[n++] = '.';
	put_le(out + frame_at, (uint64_t)(n - frame_at - 8), 8);
	return n;
}

/*
 * pickle.loads for exactly that shape.  Returns 0 with *seq, *payload (a new
 * object: caller frees) and *size, or -1 when the bytes are not such a pickle.
 */
static int unpickle_message(const unsigned char *in, long n, long *seq,
			    unsigned char **payload, long *size)
{
	long i = 0;
	if (n < 11 + 2 + 2 + 4 || in[0] != 0x80 || in[1] != 4 || in[2] != 0x95)
		return -1;
	if ((long)get_le(in + 3, 8) != n - 11)
		return -1;
	i = 11;
	switch (in[i++]) {
	case 'K':
		*seq = in[i++];
		break;
	case 'M':
		*seq = (long)get_le(in + i, 2);
		i += 2;
		break;
	case 'J':
		*seq = (long)(int32_t)get_le(in + i, 4);
		i += 4;
		break;
	default:
		return -1;
	}
	if (i + 2 > n)
		return -1;
	if (in[i] == 'C') {
		*size = in[i + 1];
		i += 2;
	} else if (in[i] == 'B' && i + 5 <= n) {
		*size = (long)get_le(in + i + 1, 4);
		i += 5;
	} else {
		return -1;
	}
	if (*size > n - i - 4 || in[i + *size] != 0x94 || in[i + *size + 1] != 0x86 ||
	    in[i + *size + 2] != 0x94 || in[i + *size + 3] != '.' || i + *size + 4 != n)
		return -1;
	*payload = xmalloc((size_t)*size);
	memcpy(*payload, in + i, (size_t)*size);
	return 0;
}

/* ---- what a consumer checks ---- */

struct tally {
	long received, out_of_order, corrupt;
	long next_seq;
	uint64_t checksum;
};

static void tally_init(struct tally *t)
{
	memset(t, 0, sizeof *t);
	t->checksum = FNV_START;
}

static void tally_add(struct tally *t, long seq, const unsigned char *p,
		      long size, long want_size)
{
	t->received++;
	if (seq != t->next_seq)
		t->out_of_order++;
	t->next_seq = seq + 1;
	if (size != want_size)
		t->corrupt++;
	t->checksum = fnv(t->checksum, p, size);
}

/* ---- memory shared with the producer child ---- */

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	long head, tail, count;         /* guarded by mu */
	long capacity, slot_size;
};

struct shared {
	struct activity prod, cons;
	double t0;
	long sent;
	uint64_t checksum;              /* of every payload byte sent, in order */
	long writes;                    /* pipe: write() calls */
	long bytes_sent;                /* pipe: bytes written, prefixes included */
	int done;
	struct ring ring;
	/* the ring's slots follow */
};

static unsigned char *ring_slot(struct shared *sh, long i)
{
	return (unsigned char *)(sh + 1) + i * sh->ring.slot_size;
}

static struct timespec deadline_after(double s)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long ns = ts.tv_nsec + (long)(s * 1e9);
	ts.tv_sec += ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	return ts;
}

static int ring_init(struct ring *r, long capacity, long slot_size)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	memset(r, 0, sizeof *r);
	r->capacity = capacity;
	r->slot_size = slot_size;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	/* a producer killed while holding the lock must not hang the consumer */
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	int rc = pthread_mutex_init(&r->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = rc ? rc : pthread_cond_init(&r->not_empty, &ca);
	rc = rc ? rc : pthread_cond_init(&r->not_full, &ca);
	pthread_condattr_destroy(&ca);
	return rc ? -1 : 0;
}

static void ring_destroy(struct ring *r)
{
	pthread_cond_destroy(&r->not_full);
	pthread_cond_destroy(&r->not_empty);
	pthread_mutex_destroy(&r->mu);
}

/* Returns 0, or -1 when the other side died holding the lock. */
static int ring_lock(struct ring *r)
{
	int rc = pthread_mutex_lock(&r->mu);
	if (rc == EOWNERDEAD) {
		pthread_mutex_consistent(&r->mu);
		pthread_mutex_unlock(&r->mu);
		return -1;
	}
	return rc ? -1 : 0;
}

static int ring_timedwait(struct ring *r, pthread_cond_t *c)
{
	struct timespec dl = deadline_after(POLL_S);
	int rc = pthread_cond_timedwait(c, &r->mu, &dl);
	if (rc == EOWNERDEAD) {
		pthread_mutex_consistent(&r->mu);
		return -1;
	}
	return 0;
}

/* ---- the producers ---- */

struct job {
	long messages, size, capacity;
	struct shared *sh;
	int fd;                         /* pipe: the write end */
	int rfd;                        /* pipe: the read end, closed in the child */
	struct tqueue *q;               /* threads */
	double cpu_s;                   /* threads: the producer thread's CPU */
};

static int write_all(int fd, const unsigned char *p, long n, struct shared *sh)
{
	while (n > 0) {
		double t = demo_now();
		ssize_t w = write(fd, p, (size_t)n);
		double t2 = demo_now();
		if (t2 - t > BLOCKED_S)
			activity_blocked(&sh->prod, sh->t0, t, t2);
		if (w < 0) {
			if (errno == EINTR && !demo_stopping())
				continue;
			return -1;
		}
		sh->writes++;
		sh->bytes_sent += w;
		p += w;
		n -= w;
	}
	return 0;
}

/* In the child: pickle each message and send it, prefixed by its length. */
static void produce_pipe(struct job *j)
{
	struct shared *sh = j->sh;
	unsigned char *payload = xmalloc((size_t)j->size + 1);
	unsigned char *buf = xmalloc((size_t)j->size + 64);
	int rc = 0;
	sh->prod.t_start = demo_now();
	for (long seq = 0; seq < j->messages && !rc; seq++) {
		make_payload(payload, j->size, seq);        /* the message object */
		long n = pickle_message(buf + 4, seq, payload, j->size);
		buf[0] = (unsigned char)(n >> 24);
		buf[1] = (unsigned char)(n >> 16);
		buf[2] = (unsigned char)(n >> 8);
		buf[3] = (unsigned char)n;
		if (n > SEND_SPLIT)
			rc = write_all(j->fd, buf, 4, sh) || write_all(j->fd, buf + 4, n, sh);
		else
			rc = write_all(j->fd, buf, n + 4, sh);
		if (!rc) {
			sh->checksum = fnv(sh->checksum, payload, j->size);
			sh->sent++;
		}
	}
	sh->prod.t_end = demo_now();
	sh->done = 1;
	free(buf);
	free(payload);
	close(j->fd);
	_exit(rc);
}

/* In the child: write each record straight into the next free slot. */
static void produce_shm(struct job *j)
{
	struct shared *sh = j->sh;
	struct ring *r = &sh->ring;
	int rc = 0;
	sh->prod.t_start = demo_now();
	for (long seq = 0; seq < j->messages && !rc; seq++) {
		if (ring_lock(r) < 0) {
			rc = 1;
			break;
		}
		if (r->count == r->capacity) {
			double t = demo_now();
			while (r->count == r->capacity && !rc)
				rc = ring_timedwait(r, &r->not_full);
			activity_blocked(&sh->prod, sh->t0, t, demo_now());
		}
		long tail = r->tail;
		pthread_mutex_unlock(&r->mu);
		if (rc)
			break;
		/* the slot at tail is the producer's until count says otherwise */
		unsigned char *slot = ring_slot(sh, tail);
		put_le(slot, (uint64_t)seq, 8);
		put_le(slot + 8, (uint64_t)j->size, 8);
		make_payload(slot + 16, j->size, seq);
		sh->checksum = fnv(sh->checksum, slot + 16, j->size);
		if (ring_lock(r) < 0) {
			rc = 1;
			break;
		}
		r->tail = (tail + 1) % r->capacity;
		r->count++;
		pthread_cond_signal(&r->not_empty);
		pthread_mutex_unlock(&r->mu);
		sh->sent++;
	}
	sh->prod.t_end = demo_now();
	sh->done = 1;
	_exit(rc);
}

/* queue.Queue(maxsize): a deque of object pointers behind one lock. */
struct tqueue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	void **items;
	long head, count, capacity;
	int stop;                       /* the consumer gave up */
};

struct msg {
	long seq, size;
	unsigned char payload[];
};

static void *produce_threads(void *arg)
{
	struct job *j = arg;
	struct shared *sh = j->sh;
	struct tqueue *q = j->q;
	double c0 = demo_cpu_s(RUSAGE_THREAD);
	sh->prod.t_start = demo_now();
	for (long seq = 0; seq < j->messages && !demo_stopping(); seq++) {
		struct msg *m = xmalloc(sizeof *m + (size_t)j->size);
		m->seq = seq;
		m->size = j->size;
		make_payload(m->payload, j->size, seq);
		sh->checksum = fnv(sh->checksum, m->payload, j->size);
		pthread_mutex_lock(&q->mu);
		if (q->count == q->capacity) {
			double t = demo_now();
			while (q->count == q->capacity && !demo_stopping() && !q->stop) {
				struct timespec dl = deadline_after(POLL_S);
				pthread_cond_timedwait(&q->not_full, &q->mu, &dl);
			}
			activity_blocked(&sh->prod, sh->t0, t, demo_now());
		}
		if (q->count == q->capacity || q->stop) {      /* stopping */
			pthread_mutex_unlock(&q->mu);
			free(m);
			break;
		}
		q->items[(q->head + q->count) % q->capacity] = m;
		q->count++;
		pthread_cond_signal(&q->not_empty);
		pthread_mutex_unlock(&q->mu);
		sh->sent++;
	}
	sh->prod.t_end = demo_now();
	j->cpu_s = demo_cpu_s(RUSAGE_THREAD) - c0;
	return NULL;
}

/* ---- the consumers (the main thread of the demo) ---- */

struct outcome {
	struct tally t;
	double wall_s, prod_cpu_s, cons_cpu_s;
	long reads;
	int failed;
};

static void progress(struct demo *d, enum way w, long got, long total, long *next)
{
	if (got < *next)
		return;
	demo_progress(d, "  %-8s %8ld of %ld messages", way_name[w], got, total);
	*next += total / 4 > 0 ? total / 4 : 1;
}

static int read_all(int fd, unsigned char *p, long n, long *reads,
		    struct shared *sh)
{
	while (n > 0) {
		double t = demo_now();
		ssize_t k = read(fd, p, (size_t)n);
		double t2 = demo_now();
		if (t2 - t > BLOCKED_S)
			activity_blocked(&sh->cons, sh->t0, t, t2);
		if (k < 0 && errno == EINTR && !demo_stopping())
			continue;
		if (k <= 0)
			return -1;
		++*reads;
		p += k;
		n -= k;
	}
	return 0;
}

/* Receives every message; keeps the first one's bytes in first[] when they fit. */
static int consume_pipe(struct demo *d, int fd, struct job *j, struct outcome *o,
			unsigned char *first, long first_cap, long *first_len)
{
	struct shared *sh = j->sh;
	unsigned char *buf = xmalloc((size_t)j->size + 64);
	long next = j->messages / 4;
	while (o->t.received < j->messages && !demo_stopping()) {
		unsigned char hdr[4];
		if (read_all(fd, hdr, 4, &o->reads, sh) < 0)
			break;
		long n = (long)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
		if (n < 0 || n > j->size + 64) {
			o->t.corrupt++;
			break;
		}
		if (read_all(fd, buf, n, &o->reads, sh) < 0)
			break;
		if (o->t.received == 0 && n <= first_cap) {
			memcpy(first, buf, (size_t)n);
			*first_len = n;
		}
		long seq, size;
		unsigned char *obj;
		if (unpickle_message(buf, n, &seq, &obj, &size) < 0) {
			o->t.corrupt++;
			o->t.received++;
			continue;
		}
		tally_add(&o->t, seq, obj, size, j->size);
		free(obj);
		progress(d, W_PIPE, o->t.received, j->messages, &next);
	}
	free(buf);
	return o->t.received == j->messages ? 0 : -1;
}

/* Whether the child has ended (without reaping it). */
static bool child_gone(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	       si.si_pid == pid;
}

static int consume_shm(struct demo *d, pid_t pid, struct job *j, struct outcome *o)
{
	struct shared *sh = j->sh;
	struct ring *r = &sh->ring;
	long next = j->messages / 4;
	while (o->t.received < j->messages && !demo_stopping()) {
		if (ring_lock(r) < 0)
			return -1;
		if (r->count == 0) {
			double t = demo_now();
			int rc = 0;
			while (r->count == 0 && !rc) {
				rc = ring_timedwait(r, &r->not_empty);
				if (r->count == 0 && (demo_stopping() || child_gone(pid)))
					rc = -1;
			}
			activity_blocked(&sh->cons, sh->t0, t, demo_now());
			if (rc) {
				pthread_mutex_unlock(&r->mu);
				return -1;
			}
		}
		long head = r->head;
		pthread_mutex_unlock(&r->mu);
		/* read the record in place: no copy, no unpickling */
		const unsigned char *slot = ring_slot(sh, head);
		long seq = (long)get_le(slot, 8), size = (long)get_le(slot + 8, 8);
		if (size < 0 || size > j->size)
			size = 0, o->t.corrupt++;
		tally_add(&o->t, seq, slot + 16, size, j->size);
		if (ring_lock(r) < 0)
			return -1;
		r->head = (head + 1) % r->capacity;
		r->count--;
		pthread_cond_signal(&r->not_full);
		pthread_mutex_unlock(&r->mu);
		progress(d, W_SHM, o->t.received, j->messages, &next);
	}
	return demo_stopping() ? -1 : 0;
}

static int consume_threads(struct demo *d, struct job *j, struct outcome *o)
{
	struct shared *sh = j->sh;
	struct tqueue *q = j->q;
	long next = j->messages / 4;
	while (o->t.received < j->messages && !demo_stopping()) {
		pthread_mutex_lock(&q->mu);
		if (q->count == 0) {
			double t = demo_now();
			while (q->count == 0 && !demo_stopping()) {
				struct timespec dl = deadline_after(POLL_S);
				pthread_cond_timedwait(&q->not_empty, &q->mu, &dl);
			}
			activity_blocked(&sh->cons, sh->t0, t, demo_now());
			if (q->count == 0) {
				pthread_mutex_unlock(&q->mu);
				return -1;
			}
		}
		struct msg *m = q->items[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		pthread_cond_signal(&q->not_full);
		pthread_mutex_unlock(&q->mu);
		/* the producer's own object: no copy */
		tally_add(&o->t, m->seq, m->payload, m->size, j->size);
		free(m);
		progress(d, W_THREADS, o->t.received, j->messages, &next);
	}
	return demo_stopping() ? -1 : 0;
}

/* ---- one way, start to end ---- */

struct way_result {
	struct outcome o;
	long sent, writes, bytes_sent, pipe_buffer;
	uint64_t sent_checksum;
	struct activity *prod, *cons;   /* copies, for the timeline */
	double t0;
	unsigned char first[1024];      /* pipe: the first pickle as received */
	long first_len;
};

static int start_child(int (*fn)(struct job *), struct job *j, pid_t *pid)
{
	fflush(stdout);
	*pid = demo_fork();
	if (*pid < 0) {
		fprintf(stderr, "demo-queue-ipc: error: fork: %s\n", strerror(errno));
		return -1;
	}
	if (*pid == 0)
		_exit(fn(j));
	return 0;
}

static int child_pipe(struct job *j)
{
	close(j->rfd);
	produce_pipe(j);
	return 0;
}

static int child_shm(struct job *j)
{
	produce_shm(j);
	return 0;
}

/* Reaps the producer: its CPU time, and whether it ended well. */
static int end_child(pid_t pid, bool ok, double *cpu_s)
{
	if (!ok) {
		demo_kill_wait(pid);
		return -1;
	}
	int st = demo_wait(pid, cpu_s);
	return st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int run_pipe(struct demo *d, struct job *j, struct way_result *res)
{
	int p[2];
	pid_t pid;
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "demo-queue-ipc: error: pipe: %s\n", strerror(errno));
		return -1;
	}
	res->pipe_buffer = fcntl(p[1], F_GETPIPE_SZ);
	j->fd = p[1];
	j->rfd = p[0];
	if (start_child(child_pipe, j, &pid) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	int rc = consume_pipe(d, p[0], j, &res->o, res->first,
			      (long)sizeof res->first, &res->first_len);
	res->o.wall_s = demo_now() - j->sh->t0;
	close(p[0]);
	return end_child(pid, rc == 0, &res->o.prod_cpu_s) < 0 ? -1 : rc;
}

static int run_shm(struct demo *d, struct job *j, struct way_result *res)
{
	struct ring *r = &j->sh->ring;
	pid_t pid;
	r->head = r->tail = r->count = 0;
	if (start_child(child_shm, j, &pid) < 0)
		return -1;
	int rc = consume_shm(d, pid, j, &res->o);
	res->o.wall_s = demo_now() - j->sh->t0;
	return end_child(pid, rc == 0, &res->o.prod_cpu_s) < 0 ? -1 : rc;
}

static int run_threads(struct demo *d, struct job *j, struct way_result *res)
{
	struct tqueue q;
	pthread_condattr_t ca;
	memset(&q, 0, sizeof q);
	q.capacity = j->capacity;
	q.items = xcalloc((size_t)q.capacity, sizeof *q.items);
	pthread_mutex_init(&q.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q.not_empty, &ca);
	pthread_cond_init(&q.not_full, &ca);
	pthread_condattr_destroy(&ca);
	j->q = &q;
	pthread_t tid;
	int rc = pthread_create(&tid, NULL, produce_threads, j);
	if (rc) {
		fprintf(stderr, "demo-queue-ipc: error: thread: %s\n", strerror(rc));
		rc = -1;
	} else {
		rc = consume_threads(d, j, &res->o);
		res->o.wall_s = demo_now() - j->sh->t0;
		pthread_mutex_lock(&q.mu);
		q.stop = 1;
		pthread_cond_broadcast(&q.not_full);
		pthread_mutex_unlock(&q.mu);
		pthread_join(tid, NULL);
		res->o.prod_cpu_s = j->cpu_s;
		/* what a stopped run left in the queue */
		for (; q.count > 0; q.count--, q.head = (q.head + 1) % q.capacity)
			free(q.items[q.head]);
	}
	j->q = NULL;
	pthread_cond_destroy(&q.not_full);
	pthread_cond_destroy(&q.not_empty);
	pthread_mutex_destroy(&q.mu);
	free(q.items);
	return rc;
}

static int run_way(struct demo *d, enum way w, struct job *j,
		   struct way_result *res)
{
	struct shared *sh = j->sh;
	memset(&sh->prod, 0, sizeof sh->prod);
	memset(&sh->cons, 0, sizeof sh->cons);
	sh->sent = sh->writes = sh->bytes_sent = 0;
	sh->checksum = FNV_START;
	sh->done = 0;
	tally_init(&res->o.t);
	double c0 = demo_cpu_s(RUSAGE_THREAD);
	sh->t0 = sh->cons.t_start = demo_now();
	int rc = w == W_PIPE ? run_pipe(d, j, res)
	       : w == W_THREADS ? run_threads(d, j, res)
	       : run_shm(d, j, res);
	sh->cons.t_end = sh->t0 + res->o.wall_s;
	res->o.cons_cpu_s = demo_cpu_s(RUSAGE_THREAD) - c0;
	res->t0 = sh->t0;
	res->sent = sh->sent;
	res->sent_checksum = sh->checksum;
	res->writes = sh->writes;
	res->bytes_sent = sh->bytes_sent;
	res->prod = xmalloc(sizeof *res->prod);
	res->cons = xmalloc(sizeof *res->cons);
	memcpy(res->prod, &sh->prod, sizeof sh->prod);
	memcpy(res->cons, &sh->cons, sizeof sh->cons);
	return rc;
}

static void hex(const unsigned char *p, long n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (long i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void json_way(struct demo *d, const char *fig, enum way w, double v)
{
	char path[96];
	snprintf(path, sizeof path, "%s.%s", fig, way_name[w]);
	demo_json_num(d, path, v);
}

/* The run: the shared mapping, the job, and what each way measured. */
struct run {
	struct demo *d;
	long messages, size, capacity, slot_size;
	struct job j;
	struct shared *sh;              /* NULL until mapped */
	size_t map_size;
	bool ring_up;
	struct way_result res[NWAYS];
	int done;                       /* ways run, whose results hold memory */
	bool all_ok;
	int status;                     /* exit status of a failed step */
};

/* The shared memory and its ring, mapped before any fork so producer children share it. */
static int step_map(struct run *r)
{
	r->slot_size = (16 + r->size + 7) / 8 * 8;
	r->map_size = sizeof(struct shared) + (size_t)r->capacity * (size_t)r->slot_size;
	struct shared *sh = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fprintf(stderr, "demo-queue-ipc: error: mmap: %s\n", strerror(errno));
		r->status = 3;
		return -1;
	}
	r->sh = r->j.sh = sh;
	if (ring_init(&sh->ring, r->capacity, r->slot_size) < 0) {
		fprintf(stderr, "demo-queue-ipc: error: could not make a process-shared lock\n");
		r->status = 3;
		return -1;
	}
	r->ring_up = true;
	return 0;
}

static int step_intro(struct run *r)
{
	demo_print(r->d, "%ld messages of %ld payload bytes from a producer to a consumer, three ways:\n"
		   "  pipe     two processes; each message pickled (protocol 4), sent with a 4-byte\n"
		   "           length over a pipe, unpickled: what multiprocessing.Queue does\n"
		   "  threads  two threads; a queue of object pointers behind a lock with not-empty\n"
		   "           and not-full conditions (maxsize %ld): what queue.Queue does\n"
		   "  shm      two processes sharing memory mapped before the fork; records written\n"
		   "           into a ring of %ld slots and read in place\n"
		   "Each arrival is checked: sequence number, length, checksum of every byte.\n\n",
		   r->messages, r->size, r->capacity, r->capacity);
	return 0;
}

static int step_run(struct run *r)
{
	for (int w = 0; w < NWAYS; w++) {
		demo_progress(r->d, "  %-8s starting", way_name[w]);
		int rc = run_way(r->d, (enum way)w, &r->j, &r->res[w]);
		r->done = w + 1;
		if (demo_stopping())
			return 1;
		if (rc < 0) {
			fprintf(stderr, "demo-queue-ipc: error: the %s run failed after %ld of %ld messages\n",
				way_name[w], r->res[w].o.t.received, r->messages);
			r->status = 1;
			return -1;
		}
	}
	return 0;
}

static int step_table(struct run *r)
{
	demo_print(r->d, "\n%-26s %9s %9s %11s %8s %8s %8s %9s %9s\n", "way", "received",
		   "wall ms", "msgs/s", "MB/s", "prod CPU", "cons CPU", "prod blkd", "cons blkd");
	for (int w = 0; w < NWAYS; w++) {
		const struct way_result *x = &r->res[w];
		double rate = x->o.t.received / x->o.wall_s;
		demo_print(r->d, "%-26s %9ld %9.1f %11.0f %8.1f %7.0fms %7.0fms %7.0fms %7.0fms\n",
			   way_label[w], x->o.t.received, x->o.wall_s * 1e3, rate,
			   rate * (double)r->size / 1e6, x->o.prod_cpu_s * 1e3,
			   x->o.cons_cpu_s * 1e3, x->prod->blocked_s * 1e3,
			   x->cons->blocked_s * 1e3);
	}
	return 0;
}

/* Did every way deliver every message intact; what the pipe cost. */
static int step_check(struct run *r)
{
	struct demo *d = r->d;
	r->all_ok = true;
	for (int w = 0; w < NWAYS; w++) {
		const struct way_result *x = &r->res[w];
		bool ok = x->o.t.out_of_order == 0 && x->o.t.corrupt == 0 &&
			  x->o.t.checksum == x->sent_checksum && x->sent == x->o.t.received;
		r->all_ok = r->all_ok && ok;
		demo_print(d, "  %-8s %ld sent, %ld received, %ld out of order, %ld corrupt, checksum %s\n",
			   way_name[w], x->sent, x->o.t.received, x->o.t.out_of_order,
			   x->o.t.corrupt, x->o.t.checksum == x->sent_checksum ? "matches" : "DIFFERS");
	}
	const struct way_result *pr = &r->res[W_PIPE];
	demo_print(d, "  pipe: %ld write() and %ld read() calls, %ld bytes through the kernel "
		   "(%.1f per message for %ld payload bytes), pipe buffer %ld bytes\n",
		   pr->writes, pr->o.reads, pr->bytes_sent,
		   (double)pr->bytes_sent / (double)(pr->sent ? pr->sent : 1), r->size,
		   pr->pipe_buffer);
	return 0;
}

static int step_timelines(struct run *r)
{
	for (int w = 0; w < NWAYS; w++) {
		const struct way_result *x = &r->res[w];
		struct demo_timeline *tl = demo_timeline_new(2, x->t0);
		demo_timeline_label(tl, 0, "producer");
		demo_timeline_label(tl, 1, "consumer");
		activity_draw(x->prod, tl, 0, x->t0);
		activity_draw(x->cons, tl, 1, x->t0);
		double end = x->t0 + x->o.wall_s;
		if (end > x->t0 + NBUCKETS * BUCKET_S)
			end = x->t0 + NBUCKETS * BUCKET_S;
		demo_print(r->d, "\n%s (%s):\n", way_name[w], way_label[w]);
		demo_timeline_draw(r->d, tl, end, 60,
				   w == W_PIPE ? "# runs, . blocked in read()/write() (pipe empty or full)"
					       : "# runs, . waits on the queue (empty or full)");
		demo_timeline_free(tl);
	}
	return 0;
}

static void json_one_way(struct run *r, enum way w)
{
	struct demo *d = r->d;
	const struct way_result *x = &r->res[w];
	char path[96];
	snprintf(path, sizeof path, "received.%s", way_name[w]);
	demo_json_int(d, path, x->o.t.received);
	snprintf(path, sizeof path, "sent.%s", way_name[w]);
	demo_json_int(d, path, x->sent);
	snprintf(path, sizeof path, "out_of_order.%s", way_name[w]);
	demo_json_int(d, path, x->o.t.out_of_order);
	snprintf(path, sizeof path, "corrupt.%s", way_name[w]);
	demo_json_int(d, path, x->o.t.corrupt);
	snprintf(path, sizeof path, "checksum_ok.%s", way_name[w]);
	demo_json_bool(d, path, x->o.t.checksum == x->sent_checksum);
	json_way(d, "wall_s", w, x->o.wall_s);
	json_way(d, "msgs_per_s", w, x->o.t.received / x->o.wall_s);
	json_way(d, "mb_per_s", w, x->o.t.received * (double)r->size / x->o.wall_s / 1e6);
	json_way(d, "cpu_s.producer", w, x->o.prod_cpu_s);
	json_way(d, "cpu_s.consumer", w, x->o.cons_cpu_s);
	json_way(d, "blocked_s.producer", w, x->prod->blocked_s);
	json_way(d, "blocked_s.consumer", w, x->cons->blocked_s);
}

static int step_json(struct run *r)
{
	struct demo *d = r->d;
	const struct way_result *res = r->res, *pr = &r->res[W_PIPE];
	demo_json_int(d, "messages", r->messages);
	for (int w = 0; w < NWAYS; w++)
		json_one_way(r, (enum way)w);
	demo_json_num(d, "speedup.threads_over_pipe",
		      res[W_PIPE].o.wall_s / res[W_THREADS].o.wall_s);
	demo_json_num(d, "speedup.shm_over_pipe",
		      res[W_PIPE].o.wall_s / res[W_SHM].o.wall_s);
	demo_json_int(d, "pipe.writes", pr->writes);
	demo_json_int(d, "pipe.reads", pr->o.reads);
	demo_json_int(d, "pipe.bytes", pr->bytes_sent);
	demo_json_int(d, "pipe.buffer_bytes", pr->pipe_buffer);
	demo_json_num(d, "pipe.bytes_per_message",
		      (double)pr->bytes_sent / (double)(pr->sent ? pr->sent : 1));
	if (pr->first_len > 0) {
		char hx[2 * sizeof pr->first + 1];
		hex(pr->first, pr->first_len, hx);
		demo_json_str(d, "pipe.first_pickle_hex", hx);
	}
	demo_json_int(d, "shm.ring_bytes", (long long)r->capacity * r->slot_size);
	demo_json_bool(d, "all_intact", r->all_ok);
	return 0;
}

static int step_summary(struct run *r)
{
	const struct way_result *res = r->res, *pr = &r->res[W_PIPE];
	demo_print(r->d, "\nIn Python terms: multiprocessing.Queue pickles every object and "
		   "pushes the bytes through a pipe (%.0f msgs/s here, %ld system calls), "
		   "queue.Queue between threads hands over the object itself under a lock "
		   "(%.0f msgs/s, %.1fx; in CPython the GIL would also serialise the two), and "
		   "shared memory skips both copy and pickle (%.0f msgs/s, %.1fx) but leaves "
		   "the format and the locking to you.\n",
		   res[W_PIPE].o.t.received / res[W_PIPE].o.wall_s, pr->writes + pr->o.reads,
		   res[W_THREADS].o.t.received / res[W_THREADS].o.wall_s,
		   res[W_PIPE].o.wall_s / res[W_THREADS].o.wall_s,
		   res[W_SHM].o.t.received / res[W_SHM].o.wall_s,
		   res[W_PIPE].o.wall_s / res[W_SHM].o.wall_s);
	return 0;
}

static void run_release(struct run *r)
{
	for (int w = 0; w < r->done; w++) {
		free(r->res[w].prod);
		free(r->res[w].cons);
	}
	if (r->ring_up)
		ring_destroy(&r->sh->ring);
	if (r->sh)
		munmap(r->sh, r->map_size);
}

int main(int argc, char **argv)
{
	long messages = 200000, size = 100, capacity = 1000;
	struct demo_param params[] = {
		DEMO_INT("messages", &messages, 1, 2000000,
			 "messages sent from the producer to the consumer, each way"),
		DEMO_INT("size", &size, 0, MAX_SIZE, "payload bytes per message"),
		DEMO_INT("capacity", &capacity, 1, 4096,
			 "maxsize of the threads' queue and slots in the shared ring"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "queue-ipc",
		  "Producer to consumer three ways: pickled messages over a pipe "
		  "between processes (multiprocessing.Queue), a locked queue between "
		  "threads (queue.Queue), and shared memory between processes.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_map, step_intro, step_run, step_table, step_check,
		step_timelines, step_json, step_summary,
	};
	struct run r = {
		.d = &d, .messages = messages, .size = size, .capacity = capacity,
		.j = {.messages = messages, .size = size, .capacity = capacity},
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i](&r))
			break;
	run_release(&r);
	int fin = demo_finish(&d);
	return r.status ? r.status : fin;
}
