/*
 * exercise: the folder, the limits and the process layout of one run, then
 * the runner, then the harness's results file read back.
 *
 * Processes (namespace mode): pydojo forks the runner's child (the group
 * leader, in the terminal's foreground), which sets the limits, becomes uid
 * 65534 when pydojo is root, unshares a user and PID namespace and forks the
 * namespace's init; init forks Python and reaps until Python ends, then
 * exits with its status, which ends every process left in the namespace.
 * The leader waits for init and passes its status on. Both close every
 * descriptor above 2, so that only Python holds the capture pipe and the
 * runner's exec-error pipe. In the other modes the leader is Python itself
 * and what it started in a session of its own comes back to pydojo (the
 * runner's subreaper) to be killed.
 *
 * Everything the child needs is prepared before the fork (struct plan):
 * between fork and exec only async-signal-safe calls are made.
 */
#include "exercise.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "paths.h"
#include "runner.h"

#define HARNESS_MAX (1u << 20)
#define RESULTS_MAX (8u << 20)
#define DEFAULT_TIMEOUT 10.0

/* What the child needs, made before the fork. */
struct plan {
	const char *dir;
	enum exercise_mode mode;
	pid_t parent;            /* pydojo */
	bool drop;               /* become uid and gid 65534 */
	rlim_t nproc;
	char uid_map[48], gid_map[48];
};

const char *exercise_mode_name(enum exercise_mode m)
{
	switch (m) {
	case EXERCISE_MODE_NAMESPACE: return "namespace";
	case EXERCISE_MODE_NOBODY: return "nobody";
	case EXERCISE_MODE_NPROC: return "nproc";
	case EXERCISE_MODE_AUTO: break;
	}
	return "auto";
}

enum fsrs_rating exercise_suggest(bool all_passed, int attempts, int hints_used)
{
	if (!all_passed)
		return FSRS_AGAIN;
	return attempts <= 1 && hints_used <= 0 ? FSRS_GOOD : FSRS_HARD;
}

void exercise_result_release(struct exercise_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->outcomes[i].message);
	free(r->outcomes);
	free(r->error);
	buf_release(&r->output);
	memset(r, 0, sizeof *r);
}

/* The Python to run: job->python, PYDOJO_PYTHON or python3, searched on
 * PATH when it has no slash. A new string, or NULL with *err. */
static char *find_python(const struct exercise_job *job, char **err)
{
	const char *py = job->python;
	if (!py || !*py)
		py = getenv("PYDOJO_PYTHON");
	if (!py || !*py)
		py = "python3";
	const char *hint = "install Python 3, or set PYDOJO_PYTHON or 'python' in config.yaml";
	if (strchr(py, '/')) {
		struct stat st;
		const char *why = stat(py, &st) < 0       ? strerror(errno)
		                  : !S_ISREG(st.st_mode)   ? "not a file"
		                  : access(py, X_OK) < 0   ? strerror(errno)
		                                           : NULL;
		if (!why)
			return xstrdup(py);
		*err = xasprintf("cannot run Python '%s': %s: %s", py, why, hint);
		return NULL;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *s = path;;) {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);
		char *cand = xasprintf("%.*s/%s", (int)len, len ? s : ".", py);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (!colon)
			break;
		s = colon + 1;
	}
	*err = xasprintf("cannot find Python '%s' on PATH: %s", py, hint);
	return NULL;
}

/* --- the folder ---------------------------------------------------------- */

static int write_text(const char *dir, const char *name, const char *text, size_t len, bool drop)
{
	char *p = xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(p);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, text, len);
	if (rc == 0 && drop && fchown(fd, EXERCISE_NOBODY, EXERCISE_NOBODY) < 0)
		rc = -1;
	int e = errno;
	if (close(fd) < 0 && rc == 0)
		return -1;
	errno = e;
	return rc;
}

/* s as a JSON string (only ", \ and control characters escaped). */
static void json_quote(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\u%04x", c);
		else
			buf_addc(b, (char)c);
	}
	buf_addc(b, '"');
}

/* solution.py, tests.json with test_N.py, and harness.py from hsrc. */
static int fill_folder(const char *dir, const struct exercise_job *job, const char *hsrc, size_t hlen,
                       bool drop, char **err)
{
	struct buf list;
	buf_init(&list);
	buf_addc(&list, '[');
	const char *solution = job->solution ? job->solution : "";
	int rc = write_text(dir, "solution.py", solution, strlen(solution), drop);
	for (size_t i = 0; rc == 0 && i < job->ntests; i++) {
		char name[32];
		snprintf(name, sizeof name, "test_%zu.py", i + 1);
		const char *code = job->tests[i].code ? job->tests[i].code : "";
		rc = write_text(dir, name, code, strlen(code), drop);
		buf_puts(&list, i ? ", {\"name\": " : "{\"name\": ");
		json_quote(&list, job->tests[i].name ? job->tests[i].name : name);
		buf_printf(&list, ", \"file\": \"%s\"}", name);
	}
	buf_addc(&list, ']');
	if (rc == 0)
		rc = write_text(dir, "tests.json", list.data, list.len, drop);
	if (rc == 0)
		rc = write_text(dir, "harness.py", hsrc, hlen, drop);
	if (rc < 0)
		*err = xasprintf("cannot write the exercise's files in '%s': %s", dir, strerror(errno));
	buf_release(&list);
	return rc;
}

/* Empties the folder open as fd, making folders the code locked up
 * writable first. */
static void empty_dir(int fd, int depth)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0)
			continue;
		fchmodat(fd, e->d_name, 0700, 0);
		int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			if (depth < 64)
				empty_dir(sub, depth + 1);
			close(sub);
		}
		unlinkat(fd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void remove_tree(const char *path)
{
	chmod(path, 0700);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		empty_dir(fd, 0);
		close(fd);
	}
	rmdir(path);
}

/* --- processes ----------------------------------------------------------- */

/* The tasks (threads included, as RLIMIT_NPROC counts them) whose real
 * uid is uid. */
static long count_tasks(uid_t uid)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[300], text[4096];
		snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, text, sizeof text - 1);
		close(fd);
		if (len <= 0)
			continue;
		text[len] = '\0';
		const char *u = strstr(text, "\nUid:");
		const char *t = strstr(text, "\nThreads:");
		if (u && strtoul(u + 5, NULL, 10) == uid)
			n += t ? strtol(t + 9, NULL, 10) : 1;
	}
	closedir(d);
	return n;
}

/* From here to child_setup, what runs between fork and exec: only
 * async-signal-safe calls. */
static int write_proc(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, text, strlen(text));
	int e = n < 0 ? errno : 0;
	close(fd);
	return e;
}

/* Limits and credentials, then the namespaces when the plan says so.
 * Returns 0 or an errno value. */
static int confine(const struct plan *p)
{
	struct rlimit fsize = {EXERCISE_FSIZE_MAX, EXERCISE_FSIZE_MAX};
	struct rlimit data = {EXERCISE_DATA_MAX, EXERCISE_DATA_MAX};
	struct rlimit none = {0, 0};
	struct rlimit nproc = {p->nproc, p->nproc};
	if (setrlimit(RLIMIT_FSIZE, &fsize) < 0 || setrlimit(RLIMIT_DATA, &data) < 0 ||
	    setrlimit(RLIMIT_CORE, &none) < 0 || setrlimit(RLIMIT_NPROC, &nproc) < 0)
		return errno;
	if (p->drop) {
		if (setgroups(0, NULL) < 0 || setgid(EXERCISE_NOBODY) < 0 || setuid(EXERCISE_NOBODY) < 0)
			return errno;
		/* A changed uid makes /proc/self root's (uid_map could not be
		 * written) and clears the parent-death signal. */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != p->parent)
			return ESRCH;
	}
	if (p->mode != EXERCISE_MODE_NAMESPACE)
		return 0;
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
		return errno;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != p->parent)
		return ESRCH;
	int e = write_proc("/proc/self/setgroups", "deny");
	if (!e)
		e = write_proc("/proc/self/uid_map", p->uid_map);
	if (!e)
		e = write_proc("/proc/self/gid_map", p->gid_map);
	return e;
}

/* Waits for pid (reaping whatever else comes) and exits as it did. */
_Noreturn static void pass_on(pid_t pid)
{
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w == pid)
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (w < 0 && errno != EINTR)
			_exit(127);
	}
}

/* The leader and the namespace's init: each forks the next and passes its
 * status on; only Python (returning 0 here) goes on to exec. */
static int enter_namespace(void)
{
	pid_t init = fork();
	if (init < 0)
		return errno;
	if (init > 0) {
		close_range(3, ~0u, 0);
		pass_on(init);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	pid_t py = fork();
	if (py < 0)
		_exit(127);
	if (py == 0)
		return 0;
	close_range(3, ~0u, 0);
	pass_on(py);
}

static int child_setup(void *arg)
{
	const struct plan *p = arg;
	/* pydojo's own descriptors (the database...) are not the code's. */
	close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	/* Tests read no terminal: input() meets the end of its input. */
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(1, 2) < 0 || chdir(p->dir) < 0)
		return errno;
	close(null);
	int e = confine(p);
	if (e)
		return e;
	return p->mode == EXERCISE_MODE_NAMESPACE ? enter_namespace() : 0;
}

/* Whether the kernel lets this process confine itself in namespaces. */
static bool namespaces_work(const struct plan *p)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0)
		_exit(confine(p) == 0 ? 0 : 1);
	if (pid < 0)
		return false;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void make_plan(struct plan *p, const char *dir, enum exercise_mode want)
{
	memset(p, 0, sizeof *p);
	p->dir = dir;
	p->parent = getpid();
	p->drop = geteuid() == 0;
	uid_t uid = p->drop ? EXERCISE_NOBODY : getuid();
	gid_t gid = p->drop ? EXERCISE_NOBODY : getgid();
	snprintf(p->uid_map, sizeof p->uid_map, "%u %u 1", (unsigned)uid, (unsigned)uid);
	snprintf(p->gid_map, sizeof p->gid_map, "%u %u 1", (unsigned)gid, (unsigned)gid);
	p->nproc = (rlim_t)(count_tasks(uid) + EXERCISE_NPROC_HEADROOM);
	if (want == EXERCISE_MODE_AUTO) {
		p->mode = EXERCISE_MODE_NAMESPACE;
		want = namespaces_work(p) ? EXERCISE_MODE_NAMESPACE : p->drop ? EXERCISE_MODE_NOBODY : EXERCISE_MODE_NPROC;
	}
	p->mode = want;
	if (want == EXERCISE_MODE_NPROC)
		p->drop = false;
}

/* What a run outside namespaces started in a session of its own came back
 * to pydojo as orphans: killed with their groups, and reaped. */
static void kill_adopted(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	pid_t self = getpid(), own_group = getpgrp();
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[300], text[1024];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, text, sizeof text - 1);
		close(fd);
		if (len <= 0)
			continue;
		text[len] = '\0';
		const char *rp = strrchr(text, ')');
		int ppid = 0, pgrp = 0;
		char state;
		if (!rp || sscanf(rp + 1, " %c %d %d", &state, &ppid, &pgrp) != 3 || ppid != self || pgrp == own_group)
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		kill(-pgrp, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	closedir(d);
}

/* --- the results file ---------------------------------------------------- */

/* One value of a flat JSON object: a string, a number or a boolean. */
struct field {
	char key[16];
	char *str;       /* strings only */
	long num;        /* numbers; booleans as 0 or 1 */
};

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void add_utf8(struct buf *b, unsigned long c)
{
	if (c < 0x80) {
		buf_addc(b, (char)c);
	} else if (c < 0x800) {
		buf_addc(b, (char)(0xc0 | (c >> 6)));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addc(b, (char)(0xe0 | (c >> 12)));
		buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (c >> 18)));
		buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	}
}

static bool hex4(const char *s, unsigned long *out)
{
	char h[5] = {0};
	for (int i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		h[i] = s[i];
	}
	*out = strtoul(h, NULL, 16);
	return true;
}

/* A JSON string at *sp (at its opening quote): a new string, *sp after the
 * closing quote; NULL when malformed. Lone surrogates become U+FFFD. */
static char *json_string(const char **sp)
{
	const char *s = *sp + 1;
	struct buf b;
	buf_init(&b);
	for (;; s++) {
		if (*s == '\0' || *s == '\n') {
			buf_release(&b);
			return NULL;
		}
		if (*s == '"')
			break;
		if (*s != '\\') {
			buf_addc(&b, *s);
			continue;
		}
		s++;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = *s ? strchr(from, *s) : NULL;
		unsigned long c, lo;
		if (k) {
			buf_addc(&b, to[k - from]);
		} else if (*s == 'u' && hex4(s + 1, &c)) {
			s += 4;
			if (c >= 0xd800 && c < 0xdc00 && s[1] == '\\' && s[2] == 'u' && hex4(s + 3, &lo) &&
			    lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			} else if (c >= 0xd800 && c < 0xe000) {
				c = 0xfffd;
			}
			add_utf8(&b, c);
		} else {
			buf_release(&b);
			return NULL;
		}
	}
	*sp = s + 1;
	return buf_detach(&b);
}

static void fields_release(struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].str);
}

/* One line {"key": value, ...} into f (at most max fields, unknown keys
 * kept too). Returns the count, or -1 when malformed. */
static int json_flat(const char *s, struct field *f, size_t max)
{
	size_t n = 0;
	s = skip_ws(s);
	if (*s++ != '{')
		return -1;
	for (s = skip_ws(s); *s != '}';) {
		if (n == max || *s != '"')
			goto bad;
		char *key = json_string(&s);
		if (!key)
			goto bad;
		memset(&f[n], 0, sizeof f[n]);
		snprintf(f[n].key, sizeof f[n].key, "%s", key);
		free(key);
		s = skip_ws(s);
		if (*s++ != ':')
			goto bad;
		s = skip_ws(s);
		if (*s == '"') {
			if (!(f[n].str = json_string(&s)))
				goto bad;
		} else if (str_starts(s, "true") || str_starts(s, "false")) {
			f[n].num = *s == 't';
			s += *s == 't' ? 4 : 5;
		} else {
			char *end;
			f[n].num = strtol(s, &end, 10);
			if (end == s)
				goto bad;
			s = end;
		}
		n++;
		s = skip_ws(s);
		if (*s == ',')
			s = skip_ws(s + 1);
		else if (*s != '}')
			goto bad;
	}
	return (int)n;
bad:
	fields_release(f, n);
	return -1;
}

static const struct field *field(const struct field *f, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].key, key) == 0)
			return &f[i];
	return NULL;
}

/* One line of the results file into r; *next is the next test's index. */
static void take_line(const char *line, struct exercise_result *r, size_t *next)
{
	struct field f[8];
	int n = json_flat(line, f, ARRAY_SIZE(f));
	if (n < 0)
		return;
	const struct field *v;
	if ((v = field(f, n, "minor")) && (v = field(f, n, "major")) && v->num == 3) {
		r->python_minor = (int)field(f, n, "minor")->num;
	} else if ((v = field(f, n, "error")) && v->str) {
		free(r->error);
		r->error = xstrdup(v->str);
		r->error_line = (v = field(f, n, "line")) ? (int)v->num : 0;
	} else if (field(f, n, "passed") && *next < r->n) {
		struct exercise_outcome *o = &r->outcomes[(*next)++];
		o->ran = true;
		o->passed = field(f, n, "passed")->num != 0;
		v = field(f, n, "message");
		free(o->message);
		o->message = xstrdup(v && v->str ? v->str : "");
		o->line = (v = field(f, n, "line")) ? (int)v->num : 0;
	}
	fields_release(f, (size_t)n);
}

/* Reads the harness's results; returns how many tests reported. */
static size_t read_results(const char *dir, struct exercise_result *r)
{
	char *path = xasprintf("%s/results.jsonl", dir);
	char *text = NULL;
	size_t len = 0, next = 0;
	if (read_file_limit(path, RESULTS_MAX, &text, &len) == 0) {
		for (char *line = text; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			take_line(line, r, &next);
			line = nl ? nl + 1 : NULL;
		}
	}
	free(text);
	free(path);
	return next;
}

/* --- the run ------------------------------------------------------------- */

/* The harness's text: job->harness, else the data folder's. */
static char *load_harness(const struct exercise_job *job, size_t *len, char **err)
{
	char *path;
	if (job->harness) {
		path = xstrdup(job->harness);
	} else {
		char *data = paths_datadir();
		path = xasprintf("%s/share/harness.py", data);
		free(data);
	}
	char *text = NULL;
	if (read_file_limit(path, HARNESS_MAX, &text, len) < 0) {
		*err = xasprintf("cannot read the exercise harness '%s': %s", path, strerror(errno));
		text = NULL;
	}
	free(path);
	return text;
}

/* A new folder in TMPDIR (in /tmp when uid 65534 could not reach it). */
static char *make_dir(bool drop, char **err)
{
	const char *tmp = getenv("TMPDIR");
	struct stat st;
	if (!tmp || tmp[0] != '/' || (drop && (stat(tmp, &st) < 0 || !(st.st_mode & S_IXOTH))))
		tmp = "/tmp";
	char *dir = xasprintf("%s/pydojo-exercise-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot make a temporary folder in '%s': %s", tmp, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* What the end of the run says about the tests not reported, the Python
 * that ran and the harness. */
static void conclude(const struct exercise_job *job, const struct runner_result *rr, size_t reported,
                     struct exercise_result *r)
{
	r->timed_out = rr->timed_out;
	r->interrupted = rr->interrupted;
	r->output_capped = rr->truncated;
	r->wall_s = rr->wall_s;
	int code = rr->signal ? 128 + rr->signal : rr->exit_code;
	if (job->python_minor > 0 && r->python_minor > 0 && r->python_minor < job->python_minor) {
		r->too_old = true;
		free(r->error);
		r->error = xasprintf("Python 3.%d is too old: this exercise needs Python 3.%d or later", r->python_minor,
		                     job->python_minor);
	}
	const char *why = r->timed_out ? "not run: the time limit was reached first"
	                  : r->interrupted ? "not run: stopped"
	                  : r->error     ? "not run"
	                                 : "not run: Python ended first";
	for (size_t i = reported; i < r->n; i++)
		r->outcomes[i].message = xstrdup(why);
	if (r->error && !r->too_old) {
		r->crashed = true;
	} else if (reported < r->n && !r->timed_out && !r->interrupted && !r->too_old) {
		r->crashed = true;
		if (code > 128)
			r->error = xasprintf("Python was killed by signal %d%s before every test reported", code - 128,
			                     code - 128 == SIGKILL ? " (out of memory?)" : "");
		else
			r->error = xasprintf("Python ended (exit status %d) before every test reported", code);
	}
}

/* Whether Python refused -P (3.10 and older): usage error, no results. */
static bool lacks_dash_p(const struct runner_result *rr, const char *dir)
{
	if (rr->timed_out || rr->interrupted || rr->exit_code != 2 || !strstr(rr->out.data, "-P"))
		return false;
	char *results = xasprintf("%s/results.jsonl", dir);
	bool none = access(results, F_OK) < 0;
	free(results);
	return none;
}

static int start(const struct exercise_job *job, const char *python, struct plan *plan,
                 struct exercise_result *out, char **err)
{
	const char *path = getenv("PATH");
	char *env[] = {
		xasprintf("PATH=%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin"),
		xstrdup("LANG=C.UTF-8"),
		xasprintf("PYTHONHASHSEED=%lu", job->hash_seed & 0xfffffffful),
		xstrdup("PYTHONDONTWRITEBYTECODE=1"),
		xasprintf("HOME=%s", plan->dir),
		NULL,
	};
	char *argv[] = {(char *)python, "-s", "-P", "harness.py", NULL};
	struct runner_opts o;
	runner_opts_init(&o);
	o.timeout_s = job->timeout_s > 0 ? job->timeout_s : DEFAULT_TIMEOUT;
	o.grace_s = 0.5;
	o.capture_stdout = true;
	o.no_terminal = job->no_terminal;
	o.max_capture = EXERCISE_OUTPUT_MAX;
	/* Outside a namespace, what the code started in a session of its own
	 * may hold the capture open until kill_adopted: no long wait for it. */
	o.drain_s = 0.1;
	o.envp = env;
	o.child_setup = child_setup;
	o.child_arg = plan;
	struct runner_result rr;
	int rc = runner_run(python, argv, &o, &rr, err);
	if (rc < 0 && plan->drop) {
		/* Root's own Python (a pyenv shim in /root...) may be out of uid
		 * 65534's reach. */
		char *why = *err;
		*err = xasprintf("%s: exercises run as uid %d; set PYDOJO_PYTHON or 'python' in config.yaml to a Python "
		                 "it can run",
		                 why, EXERCISE_NOBODY);
		free(why);
	}
	if (plan->mode != EXERCISE_MODE_NAMESPACE)
		kill_adopted();
	if (rc == 0 && lacks_dash_p(&rr, plan->dir)) {
		/* Python 3.10 and older: without -P. What -P keeps off sys.path
		 * (the script's folder) is the solution's, which the harness puts
		 * first anyway. */
		runner_result_release(&rr);
		argv[2] = "harness.py";
		argv[3] = NULL;
		rc = runner_run(python, argv, &o, &rr, err);
		if (plan->mode != EXERCISE_MODE_NAMESPACE)
			kill_adopted();
	}
	if (rc == 0) {
		buf_release(&out->output);
		out->output = rr.out;
		buf_init(&rr.out);
		size_t reported = read_results(plan->dir, out);
		conclude(job, &rr, reported, out);
	}
	runner_result_release(&rr);
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	return rc;
}

int exercise_run(const struct exercise_job *job, struct exercise_result *out, char **err)
{
	memset(out, 0, sizeof *out);
	buf_init(&out->output);
	*err = NULL;
	out->n = job->ntests;
	out->outcomes = xcalloc(job->ntests ? job->ntests : 1, sizeof *out->outcomes);
	int rc = -1;
	size_t hlen = 0;
	char *harness = NULL, *dir = NULL;
	char *python = find_python(job, err);
	if (!python || !(harness = load_harness(job, &hlen, err)) || !(dir = make_dir(geteuid() == 0, err)))
		goto out;
	struct plan plan;
	make_plan(&plan, dir, job->mode);
	out->mode = plan.mode;
	if (plan.drop && chown(dir, EXERCISE_NOBODY, EXERCISE_NOBODY) < 0) {
		*err = xasprintf("cannot hand '%s' to uid %d: %s", dir, EXERCISE_NOBODY, strerror(errno));
		goto out;
	}
	if (fill_folder(dir, job, harness, hlen, plan.drop, err) < 0)
		goto out;
	rc = start(job, python, &plan, out, err);
out:
	if (dir)
		remove_tree(dir);
	free(dir);
	free(harness);
	free(python);
	return rc;
}
