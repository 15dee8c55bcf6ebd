#include "motd.h"

#include <stdbool.h>
#include <string.h>

#include "wrap.h"

static bool blank_line(const char *bytes, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] != ' ' && bytes[i] != '\t') {
            return false;
        }
    }
    return true;
}

/* Each line of the message is a paragraph of its own; blank lines between them stay, one
 * for a run of them, and none are kept at either end. */
static void render_message(buffer *out, text message, size_t width) {
    bool written = false;
    bool blank_pending = false;
    size_t at = 0;
    while (at < message.len) {
        const char *newline = memchr(message.bytes + at, '\n', message.len - at);
        size_t end = newline == NULL ? message.len : (size_t)(newline - message.bytes);
        if (blank_line(message.bytes + at, end - at)) {
            blank_pending = written;
        } else {
            if (blank_pending) {
                buffer_append_char(out, '\n');
                blank_pending = false;
            }
            wrap_paragraph(out, message.bytes + at, end - at, width, "", "");
            written = true;
        }
        at = end + 1;
    }
}

void motd_render(buffer *out, const motd_config *config, text host, text stack) {
    size_t width = (size_t)config->width;
    render_message(out, config->message, width);
    if (config->note_count != 0) {
        buffer_append_char(out, '\n');
        for (size_t i = 0; i < config->note_count; i++) {
            wrap_paragraph(out, config->notes[i].bytes, config->notes[i].len, width, "  * ", "    ");
        }
    }
    buffer footer = {0};
    buffer_append_str(&footer, "This is ");
    buffer_append(&footer, host.bytes, host.len);
    buffer_append_str(&footer, ", a host of stack ");
    buffer_append(&footer, stack.bytes, stack.len);
    buffer_append_char(&footer, '.');
    buffer_append_char(out, '\n');
    wrap_paragraph(out, footer.bytes, footer.len, width, "", "");
    buffer_free(&footer);
}
