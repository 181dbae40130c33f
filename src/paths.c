/*
 * paths: build tree against install tree, and XDG user paths.
 */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

/* The folder of the running binary, or NULL. */
static char *exe_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(exe);
}

/* Whether the running binary lies inside the build directory. */
static int in_build_tree(void)
{
	char *dir = exe_dir();
	char *root = realpath(PYDOJO_BUILD_ROOT, NULL);
	int inside = 0;
	if (dir && root) {
		size_t len = strlen(root);
		inside = strncmp(dir, root, len) == 0 && (dir[len] == '/' || dir[len] == '\0');
	}
	free(dir);
	free(root);
	return inside;
}

/* An installed path: beside the binary (rel) when that exists, else the
 * configured absolute path. */
static char *installed(const char *rel, const char *abs)
{
	char *dir = exe_dir();
	if (dir) {
		char *p = xasprintf("%s/%s", dir, rel);
		free(dir);
		char *real = realpath(p, NULL);
		free(p);
		if (real)
			return real;
	}
	return xstrdup(abs);
}

char *paths_datadir(void)
{
	const char *env = getenv("PYDOJO_DATADIR");
	if (env && *env)
		return xstrdup(env);
	if (in_build_tree())
		return xstrdup(PYDOJO_SOURCE_ROOT);
	return installed(PYDOJO_REL_DATADIR, PYDOJO_INSTALL_DATADIR);
}

char *paths_demodir(void)
{
	const char *env = getenv("PYDOJO_DEMODIR");
	if (env && *env)
		return xstrdup(env);
	if (in_build_tree())
		return xstrdup(PYDOJO_BUILD_DEMODIR);
	return installed(PYDOJO_REL_DEMODIR, PYDOJO_INSTALL_DEMODIR);
}

char *paths_user_file(const char *kind, const char *name)
{
	char var[32];
	snprintf(var, sizeof var, "XDG_%s_HOME", kind);
	const char *base = getenv(var);
	if (base && base[0] == '/')
		return xasprintf("%s/pydojo/%s", base, name);
	/* A relative path would depend on the working directory: ignored, as
	 * the XDG Base Directory spec says of its variables. */
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		return NULL;
	const char *fallback = strcmp(kind, "DATA") == 0    ? ".local/share"
	                       : strcmp(kind, "STATE") == 0 ? ".local/state"
	                       : strcmp(kind, "CACHE") == 0 ? ".cache"
	                                                    : ".config";
	return xasprintf("%s/%s/pydojo/%s", home, fallback, name);
}

int paths_make_parents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}
