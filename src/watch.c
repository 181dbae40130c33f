/*
 * watch: inotify on a file's folder, filtered to the file's name, with a
 * settling delay (see watch.h).
 */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util.h"

struct watch {
	int fd;
	char *name;     /* the file's name in its folder */
};

struct watch *watch_open(const char *path, char **err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct watch *w = xcalloc(1, sizeof *w);
	w->name = xstrdup(slash ? slash + 1 : path);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 || inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR) < 0) {
		char *v = str_visible(dir);
		*err = xasprintf("cannot watch '%s': %s", v, strerror(errno));
		free(v);
		watch_free(w);
		w = NULL;
	}
	free(dir);
	return w;
}

/* Reads the pending events: 1 when one of them is a save of the file, 0
 * when none is, -1 on an error (errno). */
static int take_events(struct watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int saved = 0;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? saved : -1;
		if (n == 0)
			return saved;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			if ((e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) && e->len && strcmp(e->name, w->name) == 0)
				saved = 1;
			/* The folder itself gone: nothing more will come. */
			if (e->mask & IN_IGNORED) {
				errno = ENOENT;
				return -1;
			}
			p += sizeof *e + e->len;
		}
	}
}

enum watch_event watch_wait(struct watch *w, const sigset_t *wake, bool (*stop)(void), char **err)
{
	sigset_t old;
	sigprocmask(SIG_BLOCK, wake, &old);
	enum watch_event ev = WATCH_STOPPED;
	bool pending = false;
	for (;;) {
		if (stop())
			break;
		struct pollfd pf = {.fd = w->fd, .events = POLLIN};
		struct timespec settle = {.tv_sec = 0, .tv_nsec = WATCH_SETTLE_MS * 1000000L};
		int r = ppoll(&pf, 1, pending ? &settle : NULL, &old);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			ev = WATCH_SAVED;
			break;
		}
		int got = r < 0 ? -1 : take_events(w);
		if (got < 0) {
			*err = xasprintf("cannot watch for saves: %s", strerror(errno));
			ev = WATCH_FAILED;
			break;
		}
		pending |= got;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ev;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->name);
	free(w);
}
