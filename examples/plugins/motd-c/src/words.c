#include "words.h"

#include "utf8.h"

static const char HEX[] = "0123456789abcdef";

/* C0 and C1 controls and DEL: what a terminal may act on rather than print. */
static int is_control(uint32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

void words_quote(buffer *out, const char *text, size_t len) {
    size_t at = 0;
    for (size_t count = 0; at < len; count++) {
        if (count == WORDS_QUOTE_MAX) {
            buffer_append_str(out, "…");
            return;
        }
        size_t width;
        uint32_t c = utf8_decode(text + at, &width);
        if (is_control(c)) {
            buffer_append_str(out, "\\u{");
            if (c >= 0x10) {
                buffer_append_char(out, HEX[c >> 4]);
            }
            buffer_append_char(out, HEX[c & 0xF]);
            buffer_append_char(out, '}');
        } else {
            buffer_append(out, text + at, width);
        }
        at += width;
    }
}

void words_found(buffer *out, const json_value *value) {
    switch (value->kind) {
    case JSON_NULL:
        buffer_append_str(out, "null");
        return;
    case JSON_BOOL:
        buffer_append_str(out, value->boolean ? "boolean `true`" : "boolean `false`");
        return;
    case JSON_NUMBER:
        buffer_append_str(out, value->is_integer ? "integer `" : "floating point `");
        words_quote(out, value->text, value->text_len);
        buffer_append_char(out, '`');
        return;
    case JSON_STRING:
        buffer_append_str(out, "string \"");
        words_quote(out, value->text, value->text_len);
        buffer_append_char(out, '"');
        return;
    case JSON_ARRAY:
        buffer_append_str(out, "a list");
        return;
    case JSON_OBJECT: {
        /* How stackc passes `(ref)"svc.export"` and `(secret)"name"`. */
        const json_value *target = json_member_named(value, "$ref");
        const json_value *secret = json_member_named(value, "$secret");
        if (target != NULL && target->kind == JSON_STRING) {
            buffer_append_str(out, "a reference to `");
            words_quote(out, target->text, target->text_len);
            buffer_append_char(out, '`');
        } else if (secret != NULL && secret->kind == JSON_STRING) {
            buffer_append_str(out, "the secret `");
            words_quote(out, secret->text, secret->text_len);
            buffer_append_char(out, '`');
        } else {
            buffer_append_str(out, "a block of settings");
        }
        return;
    }
    }
}
