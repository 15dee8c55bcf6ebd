#include "problems.h"

#include <stdlib.h>

#include "alloc.h"

void problems_add(problems *p, config_path path, problem_target target, const char *message, const char *help) {
    if (p->len == PROBLEMS_MAX) {
        return;
    }
    if (p->items == NULL) {
        p->items = alloc_resize(NULL, PROBLEMS_MAX, sizeof *p->items);
    }
    stackc_plugin_types_config_diagnostic_t *d = &p->items[p->len++];
    *d = (stackc_plugin_types_config_diagnostic_t){0};
    plugin_string_dup(&d->message, message);
    if (path.len != 0) {
        d->path.ptr = alloc_resize(NULL, path.len, sizeof *d->path.ptr);
        d->path.len = path.len;
        for (size_t i = 0; i < path.len; i++) {
            plugin_string_dup_n(&d->path.ptr[i], path.segments[i].text, path.segments[i].len);
        }
    }
    d->target = (stackc_plugin_types_diagnostic_target_t)target;
    if (help != NULL) {
        d->help.is_some = true;
        plugin_string_dup(&d->help.val, help);
    }
}

void problems_into_list(problems *p, exports_stackc_plugin_service_plugin_list_config_diagnostic_t *out) {
    out->ptr = p->items;
    out->len = p->len;
    *p = (problems){0};
}

void problems_free(problems *p) {
    for (size_t i = 0; i < p->len; i++) {
        stackc_plugin_types_config_diagnostic_free(&p->items[i]);
    }
    free(p->items);
    *p = (problems){0};
}
