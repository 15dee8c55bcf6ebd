/* The `motd` stackc plugin, in C: the three functions of the WIT world
 * `stackc:plugin/plugin@0.4.0`, over the bindings `wit-bindgen c` generates from it.
 *
 * Ownership follows the bindings: each function owns its input and frees it; what it returns
 * is allocated with malloc and freed by the bindings once the host has copied it. */

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buffer.h"
#include "config.h"
#include "motd.h"
#include "plugin.h"
#include "problems.h"

#define MOTD_NAME "motd"
#define MOTD_VERSION "0.1.0"
#define MOTD_PATH "/etc/motd"

void exports_stackc_plugin_service_plugin_describe(exports_stackc_plugin_service_plugin_plugin_info_t *ret) {
    plugin_string_dup(&ret->name, MOTD_NAME);
    plugin_string_dup(&ret->version, MOTD_VERSION);
    plugin_string_dup(&ret->summary, "writes /etc/motd on every host of the service (a plugin written in C)");
    plugin_string_dup(&ret->config_schema, MOTD_CONFIG_SCHEMA);
    ret->wants_stack_endpoints = false;
}

/* A motd offers nothing to other services; reading the config reports its problems before
 * any service is rendered, as every plugin does. */
bool exports_stackc_plugin_service_plugin_expose(exports_stackc_plugin_service_plugin_expose_input_t *input,
                                                 exports_stackc_plugin_service_plugin_exports_t *ret,
                                                 exports_stackc_plugin_service_plugin_list_config_diagnostic_t *err) {
    motd_config config;
    problems problems = {0};
    bool ok = motd_config_read((const char *)input->config.ptr, input->config.len, &config, &problems);
    motd_config_free(&config);
    exports_stackc_plugin_service_plugin_expose_input_free(input);
    if (!ok) {
        problems_into_list(&problems, err);
        return false;
    }
    *ret = (exports_stackc_plugin_service_plugin_exports_t){0};
    return true;
}

static void host_file(stackc_plugin_types_artifact_t *artifact, const plugin_string_t *host, buffer *contents) {
    *artifact = (stackc_plugin_types_artifact_t){.tag = STACKC_PLUGIN_TYPES_ARTIFACT_HOST_FILE};
    stackc_plugin_types_host_file_t *file = &artifact->val.host_file;
    file->host.is_some = true;
    plugin_string_dup_n(&file->host.val, (const char *)host->ptr, host->len);
    plugin_string_dup(&file->path, MOTD_PATH);
    file->contents.len = contents->len;
    file->contents.ptr = (uint8_t *)buffer_take(contents);
    file->mode = 0644;
}

/* /etc/motd is a file on hosts: a service in the cluster or in a Compose project has none. */
static bool check_placement(const exports_stackc_plugin_service_plugin_render_input_t *input, problems *problems) {
    if (input->hosts.len != 0 && !input->compose_project.is_some) {
        return true;
    }
    config_path service = {.len = 0};
    problems_add(problems, service, TARGET_KEY, "`motd` writes /etc/motd on hosts, and this service is on none",
                 "place it on hosts: `on=\"web\"` names a host or a group");
    return false;
}

bool exports_stackc_plugin_service_plugin_render(exports_stackc_plugin_service_plugin_render_input_t *input,
                                                 exports_stackc_plugin_service_plugin_list_artifact_t *ret,
                                                 exports_stackc_plugin_service_plugin_list_config_diagnostic_t *err) {
    motd_config config;
    problems problems = {0};
    bool ok = motd_config_read((const char *)input->config.ptr, input->config.len, &config, &problems);
    ok = check_placement(input, &problems) && ok;
    if (!ok) {
        motd_config_free(&config);
        exports_stackc_plugin_service_plugin_render_input_free(input);
        problems_into_list(&problems, err);
        return false;
    }
    /* One file per host, since each names its host. */
    size_t count = input->hosts.len;
    stackc_plugin_types_artifact_t *artifacts = alloc_resize(NULL, count, sizeof *artifacts);
    text stack = {(const char *)input->stack.ptr, input->stack.len};
    for (size_t i = 0; i < count; i++) {
        const plugin_string_t *name = &input->hosts.ptr[i].name;
        buffer contents = {0};
        motd_render(&contents, &config, (text){(const char *)name->ptr, name->len}, stack);
        host_file(&artifacts[i], name, &contents);
    }
    motd_config_free(&config);
    exports_stackc_plugin_service_plugin_render_input_free(input);
    ret->ptr = artifacts;
    ret->len = count;
    return true;
}
