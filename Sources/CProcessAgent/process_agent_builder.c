#include "process_agent_builder.h"

#include <stdlib.h>
#include <string.h>

struct sb_pa_message {
    int kind; /* 12 CollectorProc, 22 CollectorConnections */
    Stackbridge__Processagent__CollectorProc processes;
    Stackbridge__Processagent__CollectorConnections connections;
    size_t capacity;
};

static char *copy(const char *text) { return strdup(text ? text : ""); }

static void *grow(void *array, size_t *capacity, size_t count) {
    if (count < *capacity) return array;
    *capacity = *capacity ? *capacity * 2 : 16;
    return realloc(array, *capacity * sizeof(void *));
}

sb_pa_message *sb_pa_processes_new(const char *host, int32_t group_id, int32_t group_size) {
    sb_pa_message *message = calloc(1, sizeof(*message));
    Stackbridge__Processagent__CollectorProc init = STACKBRIDGE__PROCESSAGENT__COLLECTOR_PROC__INIT;
    message->kind = 12;
    message->processes = init;
    message->processes.hostname = copy(host);
    message->processes.groupid = group_id;
    message->processes.groupsize = group_size;
    return message;
}

void sb_pa_processes_add(
    sb_pa_message *message, int32_t pid, int64_t create_time, const char *const *args, size_t arg_count,
    const char *exe, const char *container_id) {
    Stackbridge__Processagent__CollectorProc *proc = &message->processes;
    proc->processes = grow(proc->processes, &message->capacity, proc->n_processes);
    Stackbridge__Processagent__Process *process = malloc(sizeof(*process));
    Stackbridge__Processagent__Process process_init = STACKBRIDGE__PROCESSAGENT__PROCESS__INIT;
    *process = process_init;
    process->key = (uint32_t)(proc->n_processes + 1);
    process->pid = pid;
    process->createtime = create_time;
    process->containerid = copy(container_id);
    Stackbridge__Processagent__Command *command = malloc(sizeof(*command));
    Stackbridge__Processagent__Command command_init = STACKBRIDGE__PROCESSAGENT__COMMAND__INIT;
    *command = command_init;
    command->exe = copy(exe);
    command->n_args = arg_count;
    command->args = arg_count ? malloc(arg_count * sizeof(char *)) : NULL;
    for (size_t i = 0; i < arg_count; i++) command->args[i] = copy(args[i]);
    process->command = command;
    proc->processes[proc->n_processes++] = process;
}

sb_pa_message *sb_pa_connections_new(
    const char *host, const char *cluster, int32_t interval_seconds, int32_t group_id, int32_t group_size) {
    sb_pa_message *message = calloc(1, sizeof(*message));
    Stackbridge__Processagent__CollectorConnections init = STACKBRIDGE__PROCESSAGENT__COLLECTOR_CONNECTIONS__INIT;
    message->kind = 22;
    message->connections = init;
    message->connections.hostname = copy(host);
    message->connections.clustername = copy(cluster);
    message->connections.collectioninterval = interval_seconds;
    message->connections.groupid = group_id;
    message->connections.groupsize = group_size;
    return message;
}

static Stackbridge__Processagent__Addr *address(const char *ip, int32_t port) {
    Stackbridge__Processagent__Addr *addr = malloc(sizeof(*addr));
    Stackbridge__Processagent__Addr init = STACKBRIDGE__PROCESSAGENT__ADDR__INIT;
    *addr = init;
    addr->ip = copy(ip);
    addr->port = port;
    return addr;
}

void sb_pa_connections_add(
    sb_pa_message *message, int32_t pid, int64_t create_time, const char *local_ip, int32_t local_port,
    const char *remote_ip, int32_t remote_port, const char *nat_ip, int32_t nat_port, int ipv6, int direction,
    uint32_t net_ns) {
    Stackbridge__Processagent__CollectorConnections *batch = &message->connections;
    batch->connections = grow(batch->connections, &message->capacity, batch->n_connections);
    Stackbridge__Processagent__Connection *connection = malloc(sizeof(*connection));
    Stackbridge__Processagent__Connection init = STACKBRIDGE__PROCESSAGENT__CONNECTION__INIT;
    *connection = init;
    connection->pid = pid;
    connection->pidcreatetime = create_time;
    connection->laddr = address(local_ip, local_port);
    connection->raddr = address(remote_ip, remote_port);
    connection->natraddr = nat_ip ? address(nat_ip, nat_port) : NULL;
    connection->family = ipv6 ? STACKBRIDGE__PROCESSAGENT__CONNECTION_FAMILY__v6 : STACKBRIDGE__PROCESSAGENT__CONNECTION_FAMILY__v4;
    connection->type = STACKBRIDGE__PROCESSAGENT__CONNECTION_TYPE__tcp;
    connection->direction = direction == 2 ? STACKBRIDGE__PROCESSAGENT__CONNECTION_DIRECTION__incoming
                                           : STACKBRIDGE__PROCESSAGENT__CONNECTION_DIRECTION__outgoing;
    connection->netns = net_ns;
    batch->connections[batch->n_connections++] = connection;
}

size_t sb_pa_pack(const sb_pa_message *message, uint8_t **out) {
    const ProtobufCMessage *base = message->kind == 12 ? &message->processes.base : &message->connections.base;
    size_t size = protobuf_c_message_get_packed_size(base);
    *out = malloc(size ? size : 1);
    return protobuf_c_message_pack(base, *out);
}

static void free_address(Stackbridge__Processagent__Addr *addr) {
    if (!addr) return;
    free(addr->ip);
    free(addr);
}

void sb_pa_free(sb_pa_message *message) {
    if (!message) return;
    if (message->kind == 12) {
        Stackbridge__Processagent__CollectorProc *proc = &message->processes;
        for (size_t i = 0; i < proc->n_processes; i++) {
            Stackbridge__Processagent__Process *process = proc->processes[i];
            for (size_t a = 0; a < process->command->n_args; a++) free(process->command->args[a]);
            free(process->command->args);
            free(process->command->exe);
            free(process->command);
            free(process->containerid);
            free(process);
        }
        free(proc->processes);
        free(proc->hostname);
    } else {
        Stackbridge__Processagent__CollectorConnections *batch = &message->connections;
        for (size_t i = 0; i < batch->n_connections; i++) {
            free_address(batch->connections[i]->laddr);
            free_address(batch->connections[i]->raddr);
            free_address(batch->connections[i]->natraddr);
            free(batch->connections[i]);
        }
        free(batch->connections);
        free(batch->hostname);
        free(batch->clustername);
    }
    free(message);
}
