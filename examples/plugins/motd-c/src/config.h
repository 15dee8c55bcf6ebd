/* The `motd` service config: what a stack writes in the service node, read from the JSON
 * stackc passes, with every problem reported at its key or value.
 *
 *     service "motd" plugin="motd" on="web" {
 *         message "Welcome. This host is managed by stackc: local changes are overwritten."
 *         width 60
 *         notes "backups run nightly at 02:00" "ask #ops before rebooting"
 *     }
 */
#ifndef MOTD_CONFIG_H
#define MOTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "problems.h"

#define WIDTH_MIN 20
#define WIDTH_MAX 200
#define WIDTH_DEFAULT 72
/* In code points; a motd is read at every login. */
#define TEXT_MAX 4096
#define NOTES_MAX 16

/* A piece of the config's text, pointing into its JSON tree. */
typedef struct text {
    const char *bytes;
    size_t len;
} text;

typedef struct motd_config {
    /* Owns the text below. */
    json_value json;
    /* Required; reflowed to `width`, its line breaks kept. */
    text message;
    /* Columns a line may take: WIDTH_MIN to WIDTH_MAX. */
    int width;
    /* Bullet points after the message: one value or a list, at most NOTES_MAX. */
    text notes[NOTES_MAX];
    size_t note_count;
} motd_config;

/* Reads the config JSON; false when it has problems, each added to `problems`. Either way,
 * `motd_config_free` releases `config`. */
bool motd_config_read(const char *json, size_t len, motd_config *config, problems *problems);

void motd_config_free(motd_config *config);

/* The JSON Schema of the config, for `stackc schema` and `stackc docs`. */
extern const char MOTD_CONFIG_SCHEMA[];

#endif
