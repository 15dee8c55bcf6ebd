/* Config problems as the WIT's `config-diagnostic`s: stackc maps each path back to the KDL
 * span of the key or the value and shows the message and help there. */
#ifndef MOTD_PROBLEMS_H
#define MOTD_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"

/* The most problems one call reports, as in the Rust SDK: enough to fix a config in one go,
 * few enough that a hostile one cannot flood the report. */
#define PROBLEMS_MAX 16

typedef enum problem_target {
    /* The key (node name): an unknown or missing key. */
    TARGET_KEY = STACKC_PLUGIN_TYPES_DIAGNOSTIC_TARGET_KEY,
    /* The value: a wrong type, a value out of range. */
    TARGET_VALUE = STACKC_PLUGIN_TYPES_DIAGNOSTIC_TARGET_VALUE,
} problem_target;

/* A key or a list index (as decimal text): UTF-8 that may hold NUL, hence the length. */
typedef struct path_segment {
    const char *text;
    size_t len;
} path_segment;

/* The path from the service node down; the motd config is at most two levels deep. */
typedef struct config_path {
    path_segment segments[2];
    size_t len;
} config_path;

typedef struct problems {
    stackc_plugin_types_config_diagnostic_t *items;
    size_t len;
} problems;

/* Records a problem (past PROBLEMS_MAX, drops it). `message` is one line, lower case, with no
 * trailing period; `help` may be NULL. Both are copied. */
void problems_add(problems *p, config_path path, problem_target target, const char *message, const char *help);

/* Hands the problems over as the WIT list (the bindings free it after the call). */
void problems_into_list(problems *p, exports_stackc_plugin_service_plugin_list_config_diagnostic_t *out);

void problems_free(problems *p);

#endif
