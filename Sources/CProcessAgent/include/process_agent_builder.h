/* Builds the process agent's CollectorProc and CollectorConnections messages (protoc-c code from
 * protos/process_agent.proto) from plain values, owning every string and array it allocates, so
 * that Swift never handles the generated structs' memory. */
#ifndef STACKBRIDGE_PROCESS_AGENT_BUILDER_H
#define STACKBRIDGE_PROCESS_AGENT_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include "process_agent.pb-c.h"

typedef struct sb_pa_message sb_pa_message;

/* A CollectorProc for `host` (the agent's `<node>-<cluster>`), batch `group_id` of `group_size`. */
sb_pa_message *sb_pa_processes_new(const char *host, int32_t group_id, int32_t group_size);
/* Adds a process; `container_id` may be NULL. */
void sb_pa_processes_add(
    sb_pa_message *message, int32_t pid, int64_t create_time, const char *const *args, size_t arg_count,
    const char *exe, const char *container_id);

/* A CollectorConnections for `host` in `cluster`, collected every `interval_seconds`. */
sb_pa_message *sb_pa_connections_new(
    const char *host, const char *cluster, int32_t interval_seconds, int32_t group_id, int32_t group_size);
/* Adds a TCP connection; `nat_ip` may be NULL; `direction` is 1 outgoing, 2 incoming. */
void sb_pa_connections_add(
    sb_pa_message *message, int32_t pid, int64_t create_time, const char *local_ip, int32_t local_port,
    const char *remote_ip, int32_t remote_port, const char *nat_ip, int32_t nat_port, int ipv6, int direction,
    uint32_t net_ns);

/* The serialised message in a malloc'd buffer (*out, freed by the caller); its length. */
size_t sb_pa_pack(const sb_pa_message *message, uint8_t **out);
/* Frees the message and everything it holds. */
void sb_pa_free(sb_pa_message *message);

#endif
