/*
 * libFuzzer harness: config.yaml. The input is the file; settings_load
 * parses it (ydoc) and checks every key, and the errors are printed as the
 * commands print them.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "fuzz.h"
#include "settings.h"
#include "ydoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = xasprintf("%s/%s", fuzz_scratch(), SETTINGS_FILE);
	fuzz_write_file(path, data, size);
	struct settings s;
	settings_init(&s);
	struct diag d;
	diag_init(&d);
	if (settings_load(&s, path, &d) == 0 && !(s.desired_retention >= 0.7 && s.desired_retention <= 0.99 &&
	                                         s.new_cards_per_day >= 0 && s.new_cards_per_day <= 1000 &&
	                                         s.interview_minutes > 0 && s.interview_minutes <= 600))
		abort(); /* a value out of its range was accepted */
	diag_print(&d, fuzz_null());
	diag_release(&d);
	ydoc_trim();
	unlink(path);
	free(path);
	return 0;
}
