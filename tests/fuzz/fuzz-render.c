/*
 * libFuzzer harness: Markdown and code blocks to terminal text. The first
 * byte picks the width (20 to 147 columns), the second colour, the indent
 * and Markdown or a code block (Python or another language); the rest is
 * the text.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct render_opts o = {.width = 20 + data[0] % 128, .color = data[1] & 1};
	int indent = (data[1] >> 1) & 7;
	char *text = xstrndup((const char *)data + 2, size - 2);
	struct buf out;
	buf_init(&out);
	switch (data[1] >> 4) {
	case 0:
		render_code(&out, text, "python", indent, &o);
		break;
	case 1:
		render_code(&out, text, "c", indent, &o);
		break;
	default:
		render_markdown(&out, text, indent, &o);
		break;
	}
	if (strlen(out.data) != out.len)
		abort(); /* the text stops short of what was rendered */
	buf_release(&out);
	free(text);
	return 0;
}
