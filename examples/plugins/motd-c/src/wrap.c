#include "wrap.h"

#include <stdbool.h>
#include <string.h>

#include "utf8.h"

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n';
}

void wrap_paragraph(buffer *out, const char *text, size_t len, size_t width, const char *first, const char *rest) {
    const char *indent = first;
    size_t columns = 0;
    bool line_open = false;
    size_t at = 0;
    for (;;) {
        while (at < len && is_space(text[at])) {
            at++;
        }
        if (at == len) {
            break;
        }
        size_t start = at;
        while (at < len && !is_space(text[at])) {
            at++;
        }
        size_t word_columns = utf8_count(text + start, at - start);
        if (line_open && columns + 1 + word_columns <= width) {
            buffer_append_char(out, ' ');
            columns += 1;
        } else {
            if (line_open) {
                buffer_append_char(out, '\n');
                indent = rest;
            }
            buffer_append_str(out, indent);
            columns = utf8_count(indent, strlen(indent));
            line_open = true;
        }
        buffer_append(out, text + start, at - start);
        columns += word_columns;
    }
    if (line_open) {
        buffer_append_char(out, '\n');
    }
}
