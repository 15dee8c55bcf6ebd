/* "Did you mean": the known name closest to a misspelt one. */
#ifndef MOTD_SUGGEST_H
#define MOTD_SUGGEST_H

#include <stddef.h>

/* The candidate within an edit distance of a third of `name`'s length (at least 1) of the
 * UTF-8 `name`, the closest, and of equally close ones the first in byte order; NULL when
 * none is that close. The measure is stackc's own: a swap of two neighbouring characters
 * counts as one edit, since `widht` for `width` is the most common typo of all. */
const char *suggest_closest(const char *name, size_t name_len, const char *const *candidates, size_t count);

#endif
