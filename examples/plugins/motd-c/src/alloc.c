#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

_Noreturn void fatal(const char *why) {
    /* The host turns an error that starts with "panicked" into the diagnostic's message. */
    static const char prefix[] = "panicked: ";
    size_t why_len = strlen(why);
    char *message = malloc(sizeof prefix + why_len);
    if (message != NULL) {
        memcpy(message, prefix, sizeof prefix - 1);
        memcpy(message + sizeof prefix - 1, why, why_len + 1);
        plugin_string_t text;
        plugin_string_set(&text, message);
        stackc_plugin_host_log(STACKC_PLUGIN_HOST_LEVEL_ERROR, &text);
    }
    __builtin_trap();
}

void *alloc_bytes(size_t size) {
    void *ptr = malloc(size == 0 ? 1 : size);
    if (ptr == NULL) {
        fatal("out of memory");
    }
    return ptr;
}

void *alloc_resize(void *ptr, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) {
        fatal("an allocation's size overflows");
    }
    size_t bytes = count * size;
    void *grown = realloc(ptr, bytes == 0 ? 1 : bytes);
    if (grown == NULL) {
        fatal("out of memory");
    }
    return grown;
}

char *alloc_copy(const char *bytes, size_t len) {
    if (len == SIZE_MAX) {
        fatal("an allocation's size overflows");
    }
    char *copy = alloc_bytes(len + 1);
    if (len != 0) {
        memcpy(copy, bytes, len);
    }
    copy[len] = '\0';
    return copy;
}
