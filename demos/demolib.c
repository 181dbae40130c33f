/*
 * demolib: command line, clocks, memory, JSON output, timelines, signals and
 * children for the demos (see demolib.h for the contract).  It holds one
 * piece of global state, the stop flag that the signal handler sets; nothing
 * else is shared between calls.
 */
#include "demolib.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The signal that asked the demo to stop, 0 while none did. */
static atomic_int stop_signal;

struct demo_json_entry {
	char *path;
	char *value;    /* encoded JSON */
};

/* ---- memory ---- */

static void out_of_memory(void)
{
	fputs("demo: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void *demo_grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 8;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			out_of_memory();
		c *= 2;
	}
	p = xreallocarray(p, c, size);
	*cap = c;
	return p;
}

/* ---- signals ---- */

static void on_signal(int sig)
{
	int expected = 0;
	/* A second Ctrl-C means "now": children die with us (PDEATHSIG). */
	if (!atomic_compare_exchange_strong(&stop_signal, &expected, sig))
		_exit(128 + sig);
}

bool demo_stopping(void)
{
	return atomic_load(&stop_signal) != 0;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocking calls return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

pid_t demo_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
	return pid;
}

int demo_wait(pid_t pid, double *cpu_s)
{
	int status;
	struct rusage ru;
	bool killed = false;
	for (;;) {
		pid_t r = wait4(pid, &status, 0, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (demo_stopping() && !killed) {
			kill(pid, SIGKILL);
			killed = true;
		}
	}
	if (cpu_s)
		*cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return status;
}

void demo_kill_wait(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ---- clocks and memory ---- */

double demo_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double demo_cpu_s(int who)
{
	struct rusage ru;
	if (getrusage(who, &ru) < 0)
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void demo_sleep_ms(double ms)
{
	if (!(ms > 0))
		return;
	struct timespec ts;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - ts.tv_sec * 1000.0) * 1e6);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !demo_stopping())
		;
}

void demo_wait_ms(double ms)
{
	double end = demo_now() + ms / 1000;
	for (;;) {
		double left = (end - demo_now()) * 1000;
		if (left <= 0 || demo_stopping())
			return;
		demo_sleep_ms(left < 20 ? left : 20);
	}
}

struct timespec demo_deadline_ms(double ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long ns = (long long)ts.tv_nsec + (long long)(ms * 1e6);
	ts.tv_sec += (time_t)(ns / 1000000000LL);
	ts.tv_nsec = (long)(ns % 1000000000LL);
	return ts;
}

const char *demo_commas(long long v, char *buf, size_t n)
{
	char tmp[32];
	/* The magnitude as unsigned: -LLONG_MIN does not fit a long long. */
	unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int len = snprintf(tmp, sizeof tmp, "%llu", m);
	size_t j = 0;
	if (n == 0)
		return buf;
	if (v < 0 && j + 1 < n)
		buf[j++] = '-';
	for (int i = 0; i < len && j + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && j + 1 < n)
			buf[j++] = ',';
		buf[j++] = tmp[i];
	}
	buf[j] = '\0';
	return buf;
}

long demo_status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	size_t n = strlen(field);
	long kib = -1;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kib = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kib;
}

int demo_reset_hwm(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, "5", 1);
	close(fd);
	return w == 1 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double demo_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- JSON ---- */

void demo_buf_add(struct demo_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void demo_buf_puts(struct demo_buf *b, const char *s)
{
	demo_buf_add(b, s, strlen(s));
}

void demo_buf_printf(struct demo_buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL,
				  b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
}

void demo_buf_release(struct demo_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

static void buf_quote(struct demo_buf *b, const char *s, size_t n)
{
	demo_buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			demo_buf_add(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			demo_buf_puts(b, esc);
		} else {
			demo_buf_add(b, (const char *)&s[i], 1);
		}
	}
	demo_buf_puts(b, "\"");
}

/*
 * Numbers with about six significant digits and never an exponent, so that
 * a YAML reader sees a plain number.
 */
static void format_num(char *out, size_t size, double v)
{
	if (!isfinite(v)) {
		snprintf(out, size, "null");
		return;
	}
	double a = fabs(v);
	if (a < 1e-12) {
		snprintf(out, size, "0");
		return;
	}
	int mag = (int)floor(log10(a));
	int decimals = 5 - mag;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 12)
		decimals = 12;
	snprintf(out, size, "%.*f", decimals, v);
	if (strchr(out, '.')) {
		char *end = out + strlen(out) - 1;
		while (*end == '0')
			*end-- = '\0';
		if (*end == '.')
			*end = '\0';
	}
	if (strcmp(out, "-0") == 0)
		snprintf(out, size, "0");
}

static void json_set(struct demo *d, const char *path, char *value)
{
	for (size_t i = 0; i < d->nentries; i++) {
		if (strcmp(d->entries[i].path, path) == 0) {
			free(d->entries[i].value);
			d->entries[i].value = value;
			return;
		}
	}
	if (d->nentries == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->entries = xrealloc(d->entries, d->cap * sizeof *d->entries);
	}
	d->entries[d->nentries].path = xstrdup(path);
	d->entries[d->nentries].value = value;
	d->nentries++;
}

void demo_json_raw(struct demo *d, const char *path, const char *json)
{
	json_set(d, path, xstrdup(json));
}

void demo_json_num(struct demo *d, const char *path, double v)
{
	char s[64];
	format_num(s, sizeof s, v);
	demo_json_raw(d, path, s);
}

void demo_json_int(struct demo *d, const char *path, long long v)
{
	char s[32];
	snprintf(s, sizeof s, "%lld", v);
	demo_json_raw(d, path, s);
}

void demo_json_bool(struct demo *d, const char *path, bool v)
{
	demo_json_raw(d, path, v ? "true" : "false");
}

void demo_json_str(struct demo *d, const char *path, const char *s)
{
	struct demo_buf b = {0};
	buf_quote(&b, s, strlen(s));
	json_set(d, path, b.s);
}

void demo_json_nums(struct demo *d, const char *path, const double *v, size_t n)
{
	struct demo_buf b = {0};
	demo_buf_puts(&b, "[");
	for (size_t i = 0; i < n; i++) {
		char s[64];
		format_num(s, sizeof s, v[i]);
		if (i)
			demo_buf_puts(&b, ", ");
		demo_buf_puts(&b, s);
	}
	demo_buf_puts(&b, "]");
	json_set(d, path, b.s);
}

/*
 * Writes the object of every entry whose path starts with prefix (plen
 * bytes, ending in '.' unless empty).  Keys appear in the order of their
 * first entry.
 */
static void json_emit(const struct demo *d, struct demo_buf *b, const char *prefix,
		      size_t plen, int depth)
{
	bool first = true;
	demo_buf_puts(b, "{");
	for (size_t i = 0; i < d->nentries; i++) {
		const char *p = d->entries[i].path;
		if (strncmp(p, prefix, plen) != 0)
			continue;
		const char *key = p + plen;
		const char *dot = strchr(key, '.');
		size_t klen = dot ? (size_t)(dot - key) : strlen(key);
		/* Skip a key already written by an earlier entry. */
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			const char *q = d->entries[j].path;
			seen = strncmp(q, prefix, plen) == 0 &&
			       strncmp(q + plen, key, klen) == 0 &&
			       (q[plen + klen] == '.' || q[plen + klen] == '\0');
		}
		if (seen)
			continue;
		demo_buf_puts(b, first ? "\n" : ",\n");
		first = false;
		for (int k = 0; k <= depth; k++)
			demo_buf_puts(b, "  ");
		buf_quote(b, key, klen);
		demo_buf_puts(b, ": ");
		/* A leaf set at exactly this path wins over children. */
		const char *leaf = NULL;
		for (size_t j = i; j < d->nentries && !leaf; j++) {
			const char *q = d->entries[j].path;
			if (strncmp(q, prefix, plen) == 0 &&
			    strncmp(q + plen, key, klen) == 0 &&
			    q[plen + klen] == '\0')
				leaf = d->entries[j].value;
		}
		if (leaf) {
			demo_buf_puts(b, leaf);
		} else {
			size_t nlen = plen + klen + 1;
			char *np = xmalloc(nlen + 1);
			memcpy(np, p, nlen);
			np[nlen] = '\0';
			json_emit(d, b, np, nlen, depth + 1);
			free(np);
		}
	}
	if (!first) {
		demo_buf_puts(b, "\n");
		for (int k = 0; k < depth; k++)
			demo_buf_puts(b, "  ");
	}
	demo_buf_puts(b, "}");
}

/* ---- output ---- */

/* The columns of n bytes of UTF-8 (a code point takes one). */
static int text_cols(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* The width prose wraps to on this terminal: its columns, at most 100;
 * 0 when stdout is not a terminal. */
static int term_width(void)
{
	struct winsize ws;
	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col > 100 ? 100 : ws.ws_col;
}

/* Writes one line (without its newline) wrapped between words to width,
 * the next lines indented by hang columns; a word never breaks. */
static void put_wrapped(const char *s, size_t n, int width, int hang)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	int col = (int)i;
	fwrite(s, 1, i, stdout);
	bool words = false;
	while (i < n) {
		size_t gap = 0;
		while (i + gap < n && s[i + gap] == ' ')
			gap++;
		i += gap;
		if (i >= n)
			break;
		size_t k = i;
		while (k < n && s[k] != ' ')
			k++;
		int w = text_cols(s + i, k - i);
		if (words && col + (int)gap + w > width) {
			printf("\n%*s", hang, "");
			col = hang;
		} else if (words) {
			printf("%*s", (int)gap, "");
			col += (int)gap;
		}
		fwrite(s + i, 1, k - i, stdout);
		col += w;
		words = true;
		i = k;
	}
}

/* Whether a line is prose: after its indent, no run of two spaces (a
 * table's columns) and no '|' (a timeline). */
static bool is_prose(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	for (; i < n; i++)
		if (s[i] == '|' || (s[i] == ' ' && i + 1 < n && s[i + 1] == ' '))
			return false;
	return true;
}

/* One line of output, newline excluded: wrapped when it is prose too wide
 * for the terminal. */
static void put_line(int width, const char *s, size_t n)
{
	if (width > 0 && text_cols(s, n) > width && is_prose(s, n)) {
		size_t ind = 0;
		while (ind < n && s[ind] == ' ')
			ind++;
		put_wrapped(s, n, width, ind + 20 < (size_t)width ? (int)ind : 0);
	} else
		fwrite(s, 1, n, stdout);
}

/* Writes the complete lines of pending text, keeping an unended one; with
 * all, the unended one too. */
static void flush_pending(struct demo *d, bool all)
{
	struct demo_buf *b = &d->pending;
	size_t at = 0;
	for (;;) {
		char *nl = b->len > at ? memchr(b->s + at, '\n', b->len - at) : NULL;
		if (!nl)
			break;
		put_line(d->width, b->s + at, (size_t)(nl - (b->s + at)));
		fputc('\n', stdout);
		at = (size_t)(nl - b->s) + 1;
	}
	if (all && b->len > at) {
		fwrite(b->s + at, 1, b->len - at, stdout);
		at = b->len;
	}
	if (at) {
		memmove(b->s, b->s + at, b->len - at);
		b->len -= at;
	}
}

static void end_progress(struct demo *d)
{
	if (d->progress_open) {
		fputc('\n', stdout);
		d->progress_open = false;
	}
}

void demo_print(struct demo *d, const char *fmt, ...)
{
	if (d->json)
		return;
	end_progress(d);
	va_list ap;
	va_start(ap, fmt);
	if (d->width > 0) {
		char small[512];
		va_list aq;
		va_copy(aq, ap);
		int n = vsnprintf(small, sizeof small, fmt, aq);
		va_end(aq);
		if (n >= (int)sizeof small) {
			char *big = xmalloc((size_t)n + 1);
			vsnprintf(big, (size_t)n + 1, fmt, ap);
			demo_buf_add(&d->pending, big, (size_t)n);
			free(big);
		} else if (n > 0)
			demo_buf_add(&d->pending, small, (size_t)n);
		flush_pending(d, false);
	} else
		vfprintf(stdout, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void demo_progress(struct demo *d, const char *fmt, ...)
{
	/* A line rewritten in place means nothing in a pipe or a file. */
	if (d->json || !d->tty)
		return;
	flush_pending(d, true);
	va_list ap;
	va_start(ap, fmt);
	fputs("\r\033[K", stdout);
	vfprintf(stdout, fmt, ap);
	d->progress_open = true;
	va_end(ap);
	fflush(stdout);
}

/* ---- parameters ---- */

static const char *type_meta(const struct demo_param *p, char *tmp, size_t n)
{
	switch (p->type) {
	case DEMO_T_INT:
		return "N";
	case DEMO_T_FLOAT:
		return "X";
	case DEMO_T_ENUM: {
		size_t len = 0;
		tmp[0] = '\0';
		for (size_t i = 0; p->values[i]; i++)
			len += (size_t)snprintf(tmp + len, len < n ? n - len : 0,
						"%s%s", i ? "|" : "", p->values[i]);
		return tmp;
	}
	case DEMO_T_FLAG:
		return "";
	}
	return "";
}

/* Ends a line of help: wrapped under hang on a terminal. */
static void help_line(struct demo_buf *b, int width, int hang)
{
	if (width > 0)
		put_wrapped(b->s ? b->s : "", b->len, width, hang);
	else
		fwrite(b->s ? b->s : "", 1, b->len, stdout);
	fputc('\n', stdout);
	b->len = 0;
}

static void print_help(const char *name, const char *summary,
		       const struct demo_param *params)
{
	char tmp[256];
	int width = term_width();
	struct demo_buf b = {0};
	demo_buf_printf(&b, "usage: demo-%s [--json] [--help]", name);
	for (const struct demo_param *p = params; p->name; p++) {
		const char *m = type_meta(p, tmp, sizeof tmp);
		demo_buf_printf(&b, " [--%s%s%s]", p->name, *m ? " " : "", m);
	}
	help_line(&b, width, 7);
	demo_buf_puts(&b, summary);
	help_line(&b, width, 0);
	printf("\nparameters:\n");
	for (const struct demo_param *p = params; p->name; p++) {
		char left[320];
		const char *m = type_meta(p, tmp, sizeof tmp);
		snprintf(left, sizeof left, "--%s%s%s", p->name, *m ? " " : "", m);
		demo_buf_printf(&b, "  %-26s %s", left, p->help);
		switch (p->type) {
		case DEMO_T_INT:
			demo_buf_printf(&b, " (%g..%g, default %ld)", p->min, p->max,
					*(long *)p->dest);
			break;
		case DEMO_T_FLOAT:
			demo_buf_printf(&b, " (%g..%g, default %g)", p->min, p->max,
					*(double *)p->dest);
			break;
		case DEMO_T_ENUM:
			demo_buf_printf(&b, " (default %s)", p->values[*(int *)p->dest]);
			break;
		case DEMO_T_FLAG:
			break;
		}
		help_line(&b, width, width >= 60 ? 29 : 4);
	}
	demo_buf_printf(&b, "  %-26s %s", "--json",
			"print one JSON object of the parameters and measured figures");
	help_line(&b, width, width >= 60 ? 29 : 4);
	demo_buf_printf(&b, "  %-26s %s", "--help", "show this help");
	help_line(&b, width, 29);
	free(b.s);
}

static void usage_error(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "demo-%s: error: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

static void set_param(const char *name, const struct demo_param *p,
		      const char *v)
{
	char *end;
	switch (p->type) {
	case DEMO_T_INT: {
		errno = 0;
		long x = strtol(v, &end, 10);
		if (!*v || *end || errno)
			usage_error(name, "--%s wants an integer, got '%s'",
				    p->name, v);
		if (x < p->min || x > p->max)
			usage_error(name, "--%s must be between %g and %g, got '%s'",
				    p->name, p->min, p->max, v);
		*(long *)p->dest = x;
		break;
	}
	case DEMO_T_FLOAT: {
		errno = 0;
		double x = strtod(v, &end);
		if (!*v || *end || errno || !isfinite(x))
			usage_error(name, "--%s wants a number, got '%s'",
				    p->name, v);
		if (x < p->min || x > p->max)
			usage_error(name, "--%s must be between %g and %g, got '%s'",
				    p->name, p->min, p->max, v);
		*(double *)p->dest = x;
		break;
	}
	case DEMO_T_ENUM: {
		char tmp[256];
		for (int i = 0; p->values[i]; i++) {
			if (strcmp(p->values[i], v) == 0) {
				*(int *)p->dest = i;
				return;
			}
		}
		usage_error(name, "--%s must be one of %s, got '%s'", p->name,
			    type_meta(p, tmp, sizeof tmp), v);
	}
	case DEMO_T_FLAG:
		if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"))
			*(bool *)p->dest = true;
		else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no"))
			*(bool *)p->dest = false;
		else
			usage_error(name, "--%s is a flag (true or false), got '%s'",
				    p->name, v);
		break;
	}
}

void demo_init(struct demo *d, const char *name, const char *summary,
	       const struct demo_param *params, int argc, char **argv)
{
	memset(d, 0, sizeof *d);
	d->name = name;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || !a[2])
			usage_error(name, "unexpected argument '%s'", a);
		a += 2;
		const char *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		if (n == 4 && !strncmp(a, "help", 4) && !eq) {
			print_help(name, summary, params);
			exit(0);
		}
		if (n == 4 && !strncmp(a, "json", 4)) {
			d->json = true;
			if (eq) {
				struct demo_param jp = DEMO_FLAG("json", &d->json, "");
				set_param(name, &jp, eq + 1);
			}
			continue;
		}
		const struct demo_param *p = params;
		while (p->name && !(strlen(p->name) == n && !strncmp(p->name, a, n)))
			p++;
		if (!p->name)
			usage_error(name, "unknown parameter '--%.*s'", (int)n, a);
		if (p->type == DEMO_T_FLAG && !eq) {
			*(bool *)p->dest = true;
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (i + 1 >= argc)
				usage_error(name, "--%s needs a value", p->name);
			v = argv[++i];
		}
		set_param(name, p, v);
	}
	d->tty = !d->json && isatty(STDOUT_FILENO);
	d->width = d->tty ? term_width() : 0;
	for (const struct demo_param *p = params; p->name; p++) {
		char path[128];
		snprintf(path, sizeof path, "params.%s", p->name);
		switch (p->type) {
		case DEMO_T_INT:
			demo_json_int(d, path, *(long *)p->dest);
			break;
		case DEMO_T_FLOAT:
			demo_json_num(d, path, *(double *)p->dest);
			break;
		case DEMO_T_ENUM:
			demo_json_str(d, path, p->values[*(int *)p->dest]);
			break;
		case DEMO_T_FLAG:
			demo_json_bool(d, path, *(bool *)p->dest);
			break;
		}
	}
	install_signals();
}

int demo_finish(struct demo *d)
{
	int sig = atomic_load(&stop_signal);
	end_progress(d);
	flush_pending(d, true);
	free(d->pending.s);
	memset(&d->pending, 0, sizeof d->pending);
	if (d->json && !sig) {
		struct demo_buf b = {0};
		json_emit(d, &b, "", 0, 0);
		demo_buf_puts(&b, "\n");
		fputs(b.s, stdout);
		free(b.s);
	} else if (sig && !d->json) {
		printf("stopped by %s; cleaned up\n",
		       sig == SIGINT ? "SIGINT" : "SIGTERM");
	}
	fflush(stdout);
	for (size_t i = 0; i < d->nentries; i++) {
		free(d->entries[i].path);
		free(d->entries[i].value);
	}
	free(d->entries);
	d->entries = NULL;
	d->nentries = d->cap = 0;
	return sig ? 128 + sig : 0;
}

/* ---- timeline ---- */

struct segment {
	double start, end;
	int row;
	char state;
};

struct demo_timeline {
	pthread_mutex_t lock;
	int rows;
	double t0;
	char **labels;
	struct segment *segs;
	size_t nsegs, cap;
};

struct demo_timeline *demo_timeline_new(int rows, double t0)
{
	struct demo_timeline *tl = xmalloc(sizeof *tl);
	memset(tl, 0, sizeof *tl);
	pthread_mutex_init(&tl->lock, NULL);
	tl->rows = rows;
	tl->t0 = t0;
	tl->labels = xmalloc((size_t)rows * sizeof *tl->labels);
	for (int i = 0; i < rows; i++)
		tl->labels[i] = NULL;
	return tl;
}

void demo_timeline_label(struct demo_timeline *tl, int row, const char *label)
{
	if (row < 0 || row >= tl->rows)
		return;
	free(tl->labels[row]);
	tl->labels[row] = xstrdup(label);
}

void demo_timeline_add(struct demo_timeline *tl, int row, double start,
		       double end, char state)
{
	if (row < 0 || row >= tl->rows || !(end > start))
		return;
	pthread_mutex_lock(&tl->lock);
	if (tl->nsegs == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 256;
		tl->segs = xrealloc(tl->segs, tl->cap * sizeof *tl->segs);
	}
	tl->segs[tl->nsegs++] = (struct segment){start, end, row, state};
	pthread_mutex_unlock(&tl->lock);
}

static void format_duration(char *out, size_t n, double s)
{
	if (s < 1)
		snprintf(out, n, "%.3g ms", s * 1000);
	else
		snprintf(out, n, "%.2f s", s);
}

void demo_timeline_draw(struct demo *d, const struct demo_timeline *tl,
			double t1, int width, const char *legend)
{
	if (d->json)
		return;
	end_progress(d);
	flush_pending(d, true);
	if (width <= 0)
		width = 60;
	double span = t1 - tl->t0;
	if (!(span > 0))
		span = 1e-9;
	double bucket = span / width;
	int lw = 4;
	for (int r = 0; r < tl->rows; r++)
		if (tl->labels[r] && (int)strlen(tl->labels[r]) > lw)
			lw = (int)strlen(tl->labels[r]);
	if (lw > 24)
		lw = 24;
	/* On a terminal too narrow for it, fewer (wider) columns. */
	if (d->width > 0 && lw + 3 + width > d->width)
		width = d->width - lw - 3 < 20 ? 20 : d->width - lw - 3;
	bucket = span / width;
	/* Coverage per column and state character (printable ASCII). */
	double *cover = xmalloc((size_t)width * 96 * sizeof *cover);
	char *line = xmalloc((size_t)width + 1);
	char right[32];
	format_duration(right, sizeof right, span);
	end_progress(d);
	printf("%*s  0%*s\n", lw, "", width - 1, right);
	printf("%*s +", lw, "");
	for (int c = 0; c < width; c++)
		putchar('-');
	printf("+\n");
	pthread_mutex_t *lock = (pthread_mutex_t *)&tl->lock;
	pthread_mutex_lock(lock);
	for (int r = 0; r < tl->rows; r++) {
		memset(cover, 0, (size_t)width * 96 * sizeof *cover);
		for (size_t i = 0; i < tl->nsegs; i++) {
			const struct segment *s = &tl->segs[i];
			if (s->row != r || s->state < 32 || s->state > 126)
				continue;
			double a = s->start - tl->t0, b = s->end - tl->t0;
			if (b <= 0 || a >= span)
				continue;
			if (a < 0)
				a = 0;
			if (b > span)
				b = span;
			int c0 = (int)(a / bucket), c1 = (int)(b / bucket);
			if (c1 >= width)
				c1 = width - 1;
			for (int c = c0; c <= c1; c++) {
				double lo = c * bucket, hi = lo + bucket;
				double ov = (b < hi ? b : hi) - (a > lo ? a : lo);
				if (ov > 0)
					cover[c * 96 + (s->state - 32)] += ov;
			}
		}
		for (int c = 0; c < width; c++) {
			int best = -1;
			double bestv = 0;
			for (int k = 0; k < 96; k++) {
				if (cover[c * 96 + k] > bestv) {
					bestv = cover[c * 96 + k];
					best = k;
				}
			}
			line[c] = best < 0 ? ' ' : (char)(best + 32);
		}
		line[width] = '\0';
		printf("%*.*s |%s|\n", lw, lw, tl->labels[r] ? tl->labels[r] : "",
		       line);
	}
	pthread_mutex_unlock(lock);
	char cell[32];
	format_duration(cell, sizeof cell, bucket);
	char *foot = xmalloc((size_t)lw + strlen(cell) + (legend ? strlen(legend) : 0) + 32);
	sprintf(foot, "%*s one column = %s; %s", lw, "", cell, legend ? legend : "");
	if (d->width > 0)
		put_wrapped(foot, strlen(foot), d->width, lw + 1);
	else
		fputs(foot, stdout);
	fputc('\n', stdout);
	free(foot);
	fflush(stdout);
	free(line);
	free(cover);
}

void demo_timeline_free(struct demo_timeline *tl)
{
	if (!tl)
		return;
	for (int i = 0; i < tl->rows; i++)
		free(tl->labels[i]);
	free(tl->labels);
	free(tl->segs);
	pthread_mutex_destroy(&tl->lock);
	free(tl);
}
