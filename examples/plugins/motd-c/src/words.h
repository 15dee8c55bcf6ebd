/* Config values in the words of a diagnostic: what was found where something else was
 * expected, and user text quoted so that a message stays one short line. */
#ifndef MOTD_WORDS_H
#define MOTD_WORDS_H

#include <stddef.h>

#include "buffer.h"
#include "json.h"

/* Longer quoted text is cut, with `…`: a message names a value, it does not repeat it. */
#define WORDS_QUOTE_MAX 40

/* Appends well-formed UTF-8 `text`, cut after WORDS_QUOTE_MAX code points, with control
 * characters written as `\u{1b}` so that a message is one line that cannot drive a
 * terminal. */
void words_quote(buffer *out, const char *text, size_t len);

/* Appends what `value` is, to follow "found": scalars as the Rust SDK words them
 * (`integer `5``, `string "x"`), so that C and Rust plugins read alike; lists and blocks in
 * the stack's words; a reference or a secret named as one. */
void words_found(buffer *out, const json_value *value);

#endif
