/* A strict JSON reader (RFC 8259) for the configs stackc passes: the whole text becomes a
 * tree, or an error with the byte offset where reading stopped. Strings are checked to be
 * UTF-8 and decoded; numbers keep the text they were written with, so that messages can
 * quote them. Nesting is bounded, so no input exhausts the stack. */
#ifndef MOTD_JSON_H
#define MOTD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deeper than any config a stack can write: stackc refuses KDL nested over 64 levels. */
#define JSON_MAX_DEPTH 128

typedef enum json_kind {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_kind;

typedef struct json_member json_member;

typedef struct json_value {
    json_kind kind;
    bool boolean;
    /* JSON_STRING: the decoded text; JSON_NUMBER: the number as written. NUL-terminated, but
     * a string may hold NUL itself: `text_len` is its length. */
    char *text;
    size_t text_len;
    /* JSON_NUMBER: written without fraction or exponent. */
    bool is_integer;
    /* JSON_NUMBER: an integer within int64_t, which `integer` holds. */
    bool fits_int64;
    int64_t integer;
    /* JSON_ARRAY */
    struct json_value *items;
    size_t item_count;
    /* JSON_OBJECT, in the order written; a key may repeat. */
    json_member *members;
    size_t member_count;
} json_value;

struct json_member {
    char *key;
    size_t key_len;
    json_value value;
};

typedef struct json_error {
    const char *message;
    size_t offset;
} json_error;

/* Reads all `len` bytes of `text` into `out`; false, with `error` set and nothing to free,
 * when they are not one JSON value. */
bool json_parse(const char *text, size_t len, json_value *out, json_error *error);

void json_free(json_value *value);

/* The member of `object` named `key` (the first, if repeated), or NULL. */
const json_value *json_member_named(const json_value *object, const char *key);

#endif
