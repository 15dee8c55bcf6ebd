/* UTF-8, by the rules of RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF. Text this plugin counts in characters (line widths, limits) is counted in code
 * points. */
#ifndef MOTD_UTF8_H
#define MOTD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length of the well-formed sequence `bytes` starts with (of at most `len` bytes), or 0
 * when it starts with none. */
size_t utf8_sequence_len(const char *bytes, size_t len);

/* The code point of the sequence at `bytes`, which must be well-formed; `*len` gets its
 * length. */
uint32_t utf8_decode(const char *bytes, size_t *len);

/* Writes `code_point` (at most U+10FFFF, no surrogate) to `out`; returns the bytes written. */
size_t utf8_encode(uint32_t code_point, char out[4]);

/* Code points in well-formed `bytes`. */
size_t utf8_count(const char *bytes, size_t len);

#endif
