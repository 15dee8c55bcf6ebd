/* Reflowing text into lines that fit a terminal. */
#ifndef MOTD_WRAP_H
#define MOTD_WRAP_H

#include <stddef.h>

#include "buffer.h"

/* Appends the words of `text` (well-formed UTF-8; words are separated by runs of spaces,
 * tabs and newlines) as lines of at most `width` characters, each ending in a newline. The
 * first line starts with `first`, the others with `rest`; both count towards the width. A
 * word longer than a line is never split (a URL must stay whole): it gets a line of its
 * own. Appends nothing when `text` has no words. */
void wrap_paragraph(buffer *out, const char *text, size_t len, size_t width, const char *first, const char *rest);

#endif
