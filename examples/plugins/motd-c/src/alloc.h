/* Memory that is there or a trap: the sandbox bounds memory, so running out is a bug to
 * report, never a condition to recover from. */
#ifndef MOTD_ALLOC_H
#define MOTD_ALLOC_H

#include <stddef.h>

/* `size` bytes; never NULL. */
void *alloc_bytes(size_t size);

/* `ptr` (or NULL) resized to `count` elements of `size` bytes; never NULL. */
void *alloc_resize(void *ptr, size_t count, size_t size);

/* A NUL-terminated copy of `len` bytes. */
char *alloc_copy(const char *bytes, size_t len);

/* Tells the host why, in the form it recognises as a panic, and traps. */
_Noreturn void fatal(const char *why);

#endif
