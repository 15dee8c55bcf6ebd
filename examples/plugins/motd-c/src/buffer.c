#include "buffer.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* Room for `extra` more bytes and a terminating NUL. */
static void reserve(buffer *b, size_t extra) {
    if (extra > SIZE_MAX - b->len - 1) {
        fatal("a text's size overflows");
    }
    size_t needed = b->len + extra + 1;
    if (needed <= b->cap) {
        return;
    }
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < needed) {
        cap = cap > SIZE_MAX / 2 ? needed : cap * 2;
    }
    b->bytes = alloc_resize(b->bytes, cap, 1);
    b->cap = cap;
}

void buffer_append(buffer *b, const char *bytes, size_t len) {
    reserve(b, len);
    if (len != 0) {
        memcpy(b->bytes + b->len, bytes, len);
    }
    b->len += len;
    b->bytes[b->len] = '\0';
}

void buffer_append_str(buffer *b, const char *text) {
    buffer_append(b, text, strlen(text));
}

void buffer_append_char(buffer *b, char c) {
    buffer_append(b, &c, 1);
}

void buffer_append_uint(buffer *b, uint64_t n) {
    char digits[20];
    size_t count = 0;
    do {
        digits[sizeof digits - 1 - count] = (char)('0' + n % 10);
        n /= 10;
        count++;
    } while (n != 0);
    buffer_append(b, digits + sizeof digits - count, count);
}

char *buffer_take(buffer *b) {
    reserve(b, 0);
    char *text = b->bytes;
    *b = (buffer){0};
    return text;
}

void buffer_free(buffer *b) {
    free(b->bytes);
    *b = (buffer){0};
}
