/*
 * libFuzzer harness: `fsrs replay`, run as the command runs, on its input
 * format ('TIMESTAMP RATING' lines, blank lines between cards). When the
 * input starts with a line '--retention R', R is passed as that option.
 * The input becomes standard input (a memory file); the JSON lines go to
 * /dev/null.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "cmd.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	int fd = memfd_create("fsrs-replay-input", 0);
	if (fd < 0 || dup2(fd, 0) < 0 || !freopen("/dev/null", "w", stdout)) {
		perror("fuzz-replay");
		abort();
	}
	close(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char opt[] = "--retention ";
	char *args[5] = {"fsrs", "replay", NULL, NULL, NULL};
	int argc = 2;
	char *retention = NULL;
	if (size >= sizeof opt - 1 && memcmp(data, opt, sizeof opt - 1) == 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t skip = nl ? (size_t)(nl - data) + 1 : size;
		retention = xstrndup((const char *)data + sizeof opt - 1, skip - (sizeof opt - 1) - (nl != NULL));
		args[argc++] = "--retention";
		args[argc++] = retention;
		data += skip;
		size -= skip;
	}
	if (ftruncate(0, 0) < 0 || pwrite(0, data, size, 0) != (ssize_t)size) {
		perror("fuzz-replay");
		abort();
	}
	/* Drop what stdin buffered of the last input (a seek inside the buffer
	 * would not read the new one). */
	fflush(stdin);
	rewind(stdin);
	struct ctx x;
	memset(&x, 0, sizeof x);
	int rc = commands_run(&x, argc, args);
	if (rc != 0 && rc != 2)
		abort(); /* replay fails only on a bad line or option */
	fflush(stdout);
	free(retention);
	return 0;
}
