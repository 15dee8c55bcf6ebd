#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buffer.h"
#include "utf8.h"

typedef struct reader {
    const char *text;
    size_t len;
    size_t at;
    json_error *error;
} reader;

static bool fail(reader *r, const char *message) {
    r->error->message = message;
    r->error->offset = r->at;
    return false;
}

static void skip_whitespace(reader *r) {
    while (r->at < r->len) {
        char c = r->text[r->at];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        r->at++;
    }
}

static bool at_end(const reader *r) {
    return r->at >= r->len;
}

static char peek(const reader *r) {
    return at_end(r) ? '\0' : r->text[r->at];
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static bool read_value(reader *r, json_value *out, int depth);

static bool read_literal(reader *r, const char *word, json_value *out, json_kind kind, bool boolean) {
    size_t len = strlen(word);
    if (r->len - r->at < len || memcmp(r->text + r->at, word, len) != 0) {
        return fail(r, "expected a value");
    }
    r->at += len;
    *out = (json_value){.kind = kind, .boolean = boolean};
    return true;
}

/* Four hex digits of a `\u` escape. */
static bool read_hex4(reader *r, uint32_t *unit) {
    if (r->len - r->at < 4) {
        return fail(r, "a \\u escape needs four hex digits");
    }
    uint32_t value = 0;
    for (int i = 0; i < 4; i++) {
        char c = r->text[r->at + (size_t)i];
        uint32_t digit;
        if (c >= '0' && c <= '9') {
            digit = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = (uint32_t)(c - 'A' + 10);
        } else {
            return fail(r, "a \\u escape needs four hex digits");
        }
        value = value * 16 + digit;
    }
    r->at += 4;
    *unit = value;
    return true;
}

/* The code point of a `\u` escape (after the `\u`), joining a surrogate pair. */
static bool read_unicode_escape(reader *r, uint32_t *code_point) {
    uint32_t high;
    if (!read_hex4(r, &high)) {
        return false;
    }
    if (high >= 0xDC00 && high <= 0xDFFF) {
        return fail(r, "a low surrogate without a high one");
    }
    if (high < 0xD800 || high > 0xDBFF) {
        *code_point = high;
        return true;
    }
    if (r->len - r->at < 2 || r->text[r->at] != '\\' || r->text[r->at + 1] != 'u') {
        return fail(r, "a high surrogate without a low one");
    }
    r->at += 2;
    uint32_t low;
    if (!read_hex4(r, &low)) {
        return false;
    }
    if (low < 0xDC00 || low > 0xDFFF) {
        return fail(r, "a high surrogate without a low one");
    }
    *code_point = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
    return true;
}

static bool read_escape(reader *r, buffer *out) {
    r->at++; /* the backslash */
    if (at_end(r)) {
        return fail(r, "unterminated string");
    }
    char c = r->text[r->at++];
    switch (c) {
    case '"': buffer_append_char(out, '"'); return true;
    case '\\': buffer_append_char(out, '\\'); return true;
    case '/': buffer_append_char(out, '/'); return true;
    case 'b': buffer_append_char(out, '\b'); return true;
    case 'f': buffer_append_char(out, '\f'); return true;
    case 'n': buffer_append_char(out, '\n'); return true;
    case 'r': buffer_append_char(out, '\r'); return true;
    case 't': buffer_append_char(out, '\t'); return true;
    case 'u': {
        uint32_t code_point;
        if (!read_unicode_escape(r, &code_point)) {
            return false;
        }
        char encoded[4];
        buffer_append(out, encoded, utf8_encode(code_point, encoded));
        return true;
    }
    default:
        r->at--;
        return fail(r, "unknown escape");
    }
}

/* A string, from its opening quote; `text` gets the decoded bytes. */
static bool read_string(reader *r, char **text, size_t *text_len) {
    buffer out = {0};
    r->at++; /* the opening quote */
    for (;;) {
        if (at_end(r)) {
            buffer_free(&out);
            return fail(r, "unterminated string");
        }
        unsigned char c = (unsigned char)r->text[r->at];
        if (c == '"') {
            r->at++;
            *text_len = out.len;
            *text = buffer_take(&out);
            return true;
        }
        if (c == '\\') {
            if (!read_escape(r, &out)) {
                buffer_free(&out);
                return false;
            }
            continue;
        }
        if (c < 0x20) {
            buffer_free(&out);
            return fail(r, "a control character in a string");
        }
        size_t width = utf8_sequence_len(r->text + r->at, r->len - r->at);
        if (width == 0) {
            buffer_free(&out);
            return fail(r, "a string that is not UTF-8");
        }
        buffer_append(&out, r->text + r->at, width);
        r->at += width;
    }
}

/* The value of an integer's digits, if it fits in int64_t. */
static bool integer_value(const char *digits, size_t len, bool negative, int64_t *value) {
    /* Accumulated as a negative number: int64_t has room for one more negative value. */
    int64_t total = 0;
    for (size_t i = 0; i < len; i++) {
        int digit = digits[i] - '0';
        if (total < (INT64_MIN + digit) / 10) {
            return false;
        }
        total = total * 10 - digit;
    }
    if (!negative) {
        if (total == INT64_MIN) {
            return false;
        }
        total = -total;
    }
    *value = total;
    return true;
}

static bool read_number(reader *r, json_value *out) {
    size_t start = r->at;
    bool negative = peek(r) == '-';
    if (negative) {
        r->at++;
    }
    size_t digits = r->at;
    if (peek(r) == '0') {
        r->at++;
    } else if (is_digit(peek(r))) {
        while (is_digit(peek(r))) {
            r->at++;
        }
    } else {
        return fail(r, "expected a value");
    }
    size_t digits_end = r->at;
    bool integer = true;
    if (peek(r) == '.') {
        integer = false;
        r->at++;
        if (!is_digit(peek(r))) {
            return fail(r, "a fraction needs digits");
        }
        while (is_digit(peek(r))) {
            r->at++;
        }
    }
    if (peek(r) == 'e' || peek(r) == 'E') {
        integer = false;
        r->at++;
        if (peek(r) == '+' || peek(r) == '-') {
            r->at++;
        }
        if (!is_digit(peek(r))) {
            return fail(r, "an exponent needs digits");
        }
        while (is_digit(peek(r))) {
            r->at++;
        }
    }
    *out = (json_value){.kind = JSON_NUMBER, .is_integer = integer};
    out->text_len = r->at - start;
    out->text = alloc_copy(r->text + start, out->text_len);
    if (integer) {
        out->fits_int64 = integer_value(r->text + digits, digits_end - digits, negative, &out->integer);
    }
    return true;
}

static bool read_array(reader *r, json_value *out, int depth) {
    r->at++; /* [ */
    *out = (json_value){.kind = JSON_ARRAY};
    size_t cap = 0;
    skip_whitespace(r);
    if (peek(r) == ']') {
        r->at++;
        return true;
    }
    for (;;) {
        json_value item;
        if (!read_value(r, &item, depth + 1)) {
            json_free(out);
            return false;
        }
        if (out->item_count == cap) {
            cap = cap == 0 ? 4 : cap * 2;
            out->items = alloc_resize(out->items, cap, sizeof *out->items);
        }
        out->items[out->item_count++] = item;
        skip_whitespace(r);
        char c = peek(r);
        if (c == ',') {
            r->at++;
            continue;
        }
        if (c == ']') {
            r->at++;
            return true;
        }
        json_free(out);
        return fail(r, "expected `,` or `]`");
    }
}

static bool read_object(reader *r, json_value *out, int depth) {
    r->at++; /* { */
    *out = (json_value){.kind = JSON_OBJECT};
    size_t cap = 0;
    skip_whitespace(r);
    if (peek(r) == '}') {
        r->at++;
        return true;
    }
    for (;;) {
        skip_whitespace(r);
        if (peek(r) != '"') {
            json_free(out);
            return fail(r, "expected a key in quotes");
        }
        json_member member = {0};
        if (!read_string(r, &member.key, &member.key_len)) {
            json_free(out);
            return false;
        }
        skip_whitespace(r);
        if (peek(r) != ':') {
            free(member.key);
            json_free(out);
            return fail(r, "expected `:`");
        }
        r->at++;
        if (!read_value(r, &member.value, depth + 1)) {
            free(member.key);
            json_free(out);
            return false;
        }
        if (out->member_count == cap) {
            cap = cap == 0 ? 4 : cap * 2;
            out->members = alloc_resize(out->members, cap, sizeof *out->members);
        }
        out->members[out->member_count++] = member;
        skip_whitespace(r);
        char c = peek(r);
        if (c == ',') {
            r->at++;
            continue;
        }
        if (c == '}') {
            r->at++;
            return true;
        }
        json_free(out);
        return fail(r, "expected `,` or `}`");
    }
}

static bool read_value(reader *r, json_value *out, int depth) {
    if (depth > JSON_MAX_DEPTH) {
        return fail(r, "nested too deeply");
    }
    skip_whitespace(r);
    switch (peek(r)) {
    case 'n': return read_literal(r, "null", out, JSON_NULL, false);
    case 't': return read_literal(r, "true", out, JSON_BOOL, true);
    case 'f': return read_literal(r, "false", out, JSON_BOOL, false);
    case '"':
        *out = (json_value){.kind = JSON_STRING};
        return read_string(r, &out->text, &out->text_len);
    case '[': return read_array(r, out, depth);
    case '{': return read_object(r, out, depth);
    default: return read_number(r, out);
    }
}

bool json_parse(const char *text, size_t len, json_value *out, json_error *error) {
    reader r = {.text = text, .len = len, .at = 0, .error = error};
    if (!read_value(&r, out, 1)) {
        *out = (json_value){0};
        return false;
    }
    skip_whitespace(&r);
    if (!at_end(&r)) {
        json_free(out);
        *out = (json_value){0};
        return fail(&r, "text after the value");
    }
    return true;
}

void json_free(json_value *value) {
    free(value->text);
    for (size_t i = 0; i < value->item_count; i++) {
        json_free(&value->items[i]);
    }
    free(value->items);
    for (size_t i = 0; i < value->member_count; i++) {
        free(value->members[i].key);
        json_free(&value->members[i].value);
    }
    free(value->members);
    *value = (json_value){0};
}

const json_value *json_member_named(const json_value *object, const char *key) {
    if (object->kind != JSON_OBJECT) {
        return NULL;
    }
    size_t key_len = strlen(key);
    for (size_t i = 0; i < object->member_count; i++) {
        const json_member *member = &object->members[i];
        if (member->key_len == key_len && memcmp(member->key, key, key_len) == 0) {
            return &member->value;
        }
    }
    return NULL;
}
