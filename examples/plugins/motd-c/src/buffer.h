/* A growing byte string: how every text this plugin writes (file contents, messages) is
 * built. */
#ifndef MOTD_BUFFER_H
#define MOTD_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct buffer {
    char *bytes;
    size_t len;
    size_t cap;
} buffer;

void buffer_append(buffer *b, const char *bytes, size_t len);
void buffer_append_str(buffer *b, const char *text);
void buffer_append_char(buffer *b, char c);
void buffer_append_uint(buffer *b, uint64_t n);

/* The text so far, NUL-terminated; the caller owns it and `b` is empty again. */
char *buffer_take(buffer *b);

void buffer_free(buffer *b);

#endif
