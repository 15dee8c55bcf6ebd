#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "suggest.h"
#include "utf8.h"
#include "words.h"

/* In byte order: "known keys here" lists them so. */
static const char *const KEYS[] = {"message", "notes", "width"};
enum { KEY_MESSAGE, KEY_NOTES, KEY_WIDTH, KEY_COUNT };

/* A config being read: where its problems go, and whether there was any. */
typedef struct reading {
    problems *problems;
    bool ok;
} reading;

static const config_path SERVICE = {.len = 0};

static config_path key_path(const char *key, size_t len) {
    return (config_path){.segments = {{key, len}}, .len = 1};
}

static config_path item_path(const char *key, const char *index, size_t index_len) {
    return (config_path){.segments = {{key, strlen(key)}, {index, index_len}}, .len = 2};
}

/* Reports the message built in `message`, which is left empty. */
static void report(reading *r, config_path path, problem_target target, buffer *message, const char *help) {
    char *text = buffer_take(message);
    problems_add(r->problems, path, target, text, help);
    free(text);
    r->ok = false;
}

static void wrong_type(reading *r, config_path path, const char *expected, const json_value *found, const char *help) {
    buffer message = {0};
    buffer_append_str(&message, "expected ");
    buffer_append_str(&message, expected);
    buffer_append_str(&message, ", found ");
    words_found(&message, found);
    report(r, path, TARGET_VALUE, &message, help);
}

static bool is_blank(const char *bytes, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\n') {
            return false;
        }
    }
    return true;
}

/* The first character of well-formed `bytes` that a terminal would act on rather than show
 * (C0 controls but newline and tab, DEL, C1 controls), or 0 when there is none. */
static uint32_t first_control(const char *bytes, size_t len, bool *found) {
    size_t at = 0;
    while (at < len) {
        size_t width;
        uint32_t c = utf8_decode(bytes + at, &width);
        if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F)) {
            *found = true;
            return c;
        }
        at += width;
    }
    *found = false;
    return 0;
}

static void append_code_point(buffer *out, uint32_t c) {
    static const char HEX[] = "0123456789ABCDEF";
    buffer_append_str(out, "U+");
    for (int shift = 12; shift >= 0; shift -= 4) {
        buffer_append_char(out, HEX[(c >> shift) & 0xF]);
    }
}

/* The help for a value that is not the text expected: `help`, but a secret or a reference,
 * written where text belongs, gets its own. */
static const char *text_help(const json_value *value, const char *help) {
    if (json_member_named(value, "$secret") != NULL) {
        return "/etc/motd is readable by every user of the host: it cannot hold a secret";
    }
    if (json_member_named(value, "$ref") != NULL) {
        return "a motd is plain text: write what it should say";
    }
    return help;
}

/* A text the motd shows (`what` names it: "the message", "the note"): a string of 1 to
 * TEXT_MAX characters that a terminal prints as it is. */
static void read_text(reading *r, config_path path, const char *what, const json_value *value,
                      const char *type_help, text *out) {
    if (value->kind != JSON_STRING) {
        wrong_type(r, path, "a string", value, text_help(value, type_help));
        return;
    }
    buffer message = {0};
    size_t characters = utf8_count(value->text, value->text_len);
    bool has_control;
    uint32_t control = first_control(value->text, value->text_len, &has_control);
    if (characters > TEXT_MAX) {
        buffer_append_str(&message, what);
        buffer_append_str(&message, " is ");
        buffer_append_uint(&message, characters);
        buffer_append_str(&message, " characters long, more than ");
        buffer_append_uint(&message, TEXT_MAX);
        report(r, path, TARGET_VALUE, &message, "a motd is read at every login: keep it short");
    } else if (has_control) {
        buffer_append_str(&message, what);
        buffer_append_str(&message, " contains the control character ");
        append_code_point(&message, control);
        report(r, path, TARGET_VALUE, &message,
               "a terminal acts on control characters instead of showing them: write plain text");
    } else if (is_blank(value->text, value->text_len)) {
        buffer_append_str(&message, what);
        buffer_append_str(&message, " is empty");
        report(r, path, TARGET_VALUE, &message, "write the text users should read when they log in");
    } else {
        *out = (text){value->text, value->text_len};
    }
}

static void read_width(reading *r, const json_value *value, int *width) {
    config_path path = key_path("width", 5);
    if (value->kind != JSON_NUMBER || !value->is_integer) {
        wrong_type(r, path, "an integer from 20 to 200", value, "write the number of columns: `width 72`");
        return;
    }
    if (value->fits_int64 && value->integer >= WIDTH_MIN && value->integer <= WIDTH_MAX) {
        *width = (int)value->integer;
        return;
    }
    buffer message = {0};
    buffer_append_str(&message, "width ");
    words_quote(&message, value->text, value->text_len);
    buffer_append_str(&message, " is out of range");
    report(r, path, TARGET_VALUE, &message, "use 20 to 200 columns");
}

static void read_notes(reading *r, const json_value *value, motd_config *config) {
    config_path path = key_path("notes", 5);
    static const char note_help[] = "write each note in quotes: `notes \"first\" \"second\"`";
    if (value->kind == JSON_STRING) {
        read_text(r, path, "the note", value, note_help, &config->notes[0]);
        config->note_count = 1;
        return;
    }
    if (value->kind != JSON_ARRAY) {
        wrong_type(r, path, "a string or a list of strings", value, text_help(value, note_help));
        return;
    }
    if (value->item_count > NOTES_MAX) {
        buffer message = {0};
        buffer_append_uint(&message, value->item_count);
        buffer_append_str(&message, " notes are more than ");
        buffer_append_uint(&message, NOTES_MAX);
        report(r, path, TARGET_VALUE, &message, "a motd is read at every login: keep the notes that matter");
        return;
    }
    for (size_t i = 0; i < value->item_count; i++) {
        buffer index = {0};
        buffer_append_uint(&index, i);
        read_text(r, item_path("notes", index.bytes, index.len), "the note", &value->items[i], note_help,
                  &config->notes[i]);
        buffer_free(&index);
    }
    config->note_count = value->item_count;
}

static void unknown_key(reading *r, const json_member *member) {
    buffer message = {0};
    buffer_append_str(&message, "unknown config key `");
    words_quote(&message, member->key, member->key_len);
    buffer_append_char(&message, '`');
    buffer help = {0};
    const char *closest = suggest_closest(member->key, member->key_len, KEYS, KEY_COUNT);
    if (closest != NULL) {
        buffer_append_str(&help, "did you mean `");
        buffer_append_str(&help, closest);
        buffer_append_str(&help, "`?");
    } else {
        buffer_append_str(&help, "known keys here: ");
        for (size_t k = 0; k < KEY_COUNT; k++) {
            buffer_append_str(&help, k == 0 ? "" : ", ");
            buffer_append_str(&help, KEYS[k]);
        }
    }
    char *help_text = buffer_take(&help);
    report(r, key_path(member->key, member->key_len), TARGET_KEY, &message, help_text);
    free(help_text);
}

static int key_index(const json_member *member) {
    for (int k = 0; k < KEY_COUNT; k++) {
        if (strlen(KEYS[k]) == member->key_len && memcmp(KEYS[k], member->key, member->key_len) == 0) {
            return k;
        }
    }
    return -1;
}

/* A config stackc could not have written: its bug or this plugin's, never the stack's. */
static void malformed(reading *r, const char *what, const json_error *error) {
    buffer message = {0};
    buffer_append_str(&message, "the host passed ");
    buffer_append_str(&message, what);
    if (error != NULL) {
        buffer_append_str(&message, ": ");
        buffer_append_str(&message, error->message);
        buffer_append_str(&message, " at byte ");
        buffer_append_uint(&message, error->offset);
    }
    report(r, SERVICE, TARGET_KEY, &message, "this is a bug; report it to the plugin's author with the stack file");
}

bool motd_config_read(const char *json, size_t len, motd_config *config, problems *problems) {
    *config = (motd_config){.width = WIDTH_DEFAULT};
    reading r = {.problems = problems, .ok = true};
    json_error error;
    if (!json_parse(json, len, &config->json, &error)) {
        malformed(&r, "malformed config JSON", &error);
        return false;
    }
    if (config->json.kind != JSON_OBJECT) {
        malformed(&r, "a config that is not a JSON object", NULL);
        return false;
    }
    bool seen[KEY_COUNT] = {false};
    for (size_t i = 0; i < config->json.member_count; i++) {
        const json_member *member = &config->json.members[i];
        int k = key_index(member);
        if (k < 0) {
            unknown_key(&r, member);
            continue;
        }
        if (seen[k]) {
            malformed(&r, "a config with a key given twice", NULL);
            continue;
        }
        seen[k] = true;
        switch (k) {
        case KEY_MESSAGE:
            read_text(&r, key_path(member->key, member->key_len), "the message", &member->value,
                      "write the message in quotes: `message \"…\"`", &config->message);
            break;
        case KEY_NOTES:
            read_notes(&r, &member->value, config);
            break;
        case KEY_WIDTH:
            read_width(&r, &member->value, &config->width);
            break;
        }
    }
    if (!seen[KEY_MESSAGE]) {
        buffer message = {0};
        buffer_append_str(&message, "missing config key `message`");
        report(&r, SERVICE, TARGET_KEY, &message, "add `message …`");
    }
    return r.ok;
}

void motd_config_free(motd_config *config) {
    json_free(&config->json);
    *config = (motd_config){0};
}
