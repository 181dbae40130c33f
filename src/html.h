/*
 * html: text made safe for an HTML page. Every string that reaches a page
 * (content, answers, ids, dates) goes through html_text(), in element text
 * and in quoted attribute values alike. It does not build pages or charts
 * (cmd/report.c does).
 */
#ifndef PYDOJO_HTML_H
#define PYDOJO_HTML_H

struct buf;

/* Appends s escaped for HTML: & < > " ' become entities; C0 controls but
 * tab and newline, DEL and C1 controls (U+0080 to U+009F) are dropped; a
 * byte that is not UTF-8 becomes U+FFFD. NULL appends nothing. */
void html_text(struct buf *b, const char *s);

#endif
