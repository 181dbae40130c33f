/*
 * html: escaping for HTML pages. The output is valid UTF-8 whatever the
 * input, and holds no character a browser would read as markup or that a
 * page should not carry (controls).
 */
#include "html.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util.h"

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!n || s[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

void html_text(struct buf *b, const char *s)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		if (c < 0x80) {
			switch (c) {
			case '&': buf_puts(b, "&amp;"); break;
			case '<': buf_puts(b, "&lt;"); break;
			case '>': buf_puts(b, "&gt;"); break;
			case '"': buf_puts(b, "&quot;"); break;
			case '\'': buf_puts(b, "&#39;"); break;
			default:
				if (c >= 0x20 ? c != 0x7f : c == '\t' || c == '\n')
					buf_addc(b, (char)c);
			}
			p++;
			continue;
		}
		size_t n = utf8_len(p);
		if (!n) {
			buf_puts(b, "\xef\xbf\xbd");
			p++;
		} else {
			bool c1 = p[0] == 0xc2 && p[1] < 0xa0;
			if (!c1)
				buf_add(b, p, n);
			p += n;
		}
	}
}
