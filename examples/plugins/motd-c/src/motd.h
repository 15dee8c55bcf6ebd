/* What /etc/motd says on one host. */
#ifndef MOTD_MOTD_H
#define MOTD_MOTD_H

#include "buffer.h"
#include "config.h"

/* Appends the motd of `host` in `stack`: the message reflowed to the config's width (its
 * line breaks kept, runs of blank lines made one), the notes as bullet points, and a last
 * line naming the host and the stack, so that whoever logs in knows where they are and what
 * manages the machine. */
void motd_render(buffer *out, const motd_config *config, text host, text stack);

#endif
