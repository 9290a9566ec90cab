#ifndef STACKBRIDGE_CONNTRACK_DUMP_H
#define STACKBRIDGE_CONNTRACK_DUMP_H

#include <stdint.h>

/// One TCP conntrack entry: the original direction's source and destination, and the reply
/// direction's source (after destination NAT, the backend the connection really reached).
/// Addresses are in network byte order, 4 bytes used for IPv4; ports in host byte order.
typedef struct {
    uint8_t family; /* AF_INET or AF_INET6 */
    uint8_t orig_src[16];
    uint8_t orig_dst[16];
    uint8_t reply_src[16];
    uint16_t orig_sport;
    uint16_t orig_dport;
    uint16_t reply_sport;
} sb_conntrack_entry;

/// Called once per TCP entry of a dump.
typedef void (*sb_conntrack_callback)(const sb_conntrack_entry *entry, void *context);

/// Dumps the conntrack table of the calling thread's network namespace through ctnetlink
/// (NETLINK_NETFILTER, IPCTNL_MSG_CT_GET with NLM_F_DUMP) for `family` (AF_INET or AF_INET6),
/// calling `callback` for every TCP entry. Returns 0, or a negative errno (EPERM without
/// CAP_NET_ADMIN, EPROTONOSUPPORT without nf_conntrack_netlink).
int sb_conntrack_dump(int family, sb_conntrack_callback callback, void *context);

#endif
