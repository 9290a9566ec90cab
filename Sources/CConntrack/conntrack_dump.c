#include "conntrack_dump.h"

#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One tuple (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY) as far as it is read. */
typedef struct {
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t sport;
    uint16_t dport;
    uint8_t proto;
} tuple;

#define ATTR_OK(attr, end) \
    ((const char *)(attr) + sizeof(struct nlattr) <= (end) && (attr)->nla_len >= sizeof(struct nlattr) && \
     (const char *)(attr) + (attr)->nla_len <= (end))
#define ATTR_DATA(attr) ((const char *)(attr) + NLA_HDRLEN)
#define ATTR_PAYLOAD(attr) ((attr)->nla_len - NLA_HDRLEN)
#define ATTR_NEXT(attr) ((const struct nlattr *)((const char *)(attr) + NLA_ALIGN((attr)->nla_len)))

static void read_tuple(const char *start, const char *end, tuple *out) {
    for (const struct nlattr *attr = (const struct nlattr *)start; ATTR_OK(attr, end); attr = ATTR_NEXT(attr)) {
        const char *inner_end = ATTR_DATA(attr) + ATTR_PAYLOAD(attr);
        switch (attr->nla_type & NLA_TYPE_MASK) {
        case CTA_TUPLE_IP:
            for (const struct nlattr *ip = (const struct nlattr *)ATTR_DATA(attr); ATTR_OK(ip, inner_end);
                 ip = ATTR_NEXT(ip)) {
                int type = ip->nla_type & NLA_TYPE_MASK;
                size_t size = (type == CTA_IP_V4_SRC || type == CTA_IP_V4_DST) ? 4 : 16;
                if (ATTR_PAYLOAD(ip) < size) continue;
                if (type == CTA_IP_V4_SRC || type == CTA_IP_V6_SRC) memcpy(out->src, ATTR_DATA(ip), size);
                if (type == CTA_IP_V4_DST || type == CTA_IP_V6_DST) memcpy(out->dst, ATTR_DATA(ip), size);
            }
            break;
        case CTA_TUPLE_PROTO:
            for (const struct nlattr *proto = (const struct nlattr *)ATTR_DATA(attr); ATTR_OK(proto, inner_end);
                 proto = ATTR_NEXT(proto)) {
                int type = proto->nla_type & NLA_TYPE_MASK;
                if (type == CTA_PROTO_NUM && ATTR_PAYLOAD(proto) >= 1) out->proto = *(const uint8_t *)ATTR_DATA(proto);
                if ((type == CTA_PROTO_SRC_PORT || type == CTA_PROTO_DST_PORT) && ATTR_PAYLOAD(proto) >= 2) {
                    uint16_t port;
                    memcpy(&port, ATTR_DATA(proto), 2);
                    if (type == CTA_PROTO_SRC_PORT) out->sport = ntohs(port);
                    else out->dport = ntohs(port);
                }
            }
            break;
        default:
            break;
        }
    }
}

int sb_conntrack_dump(int family, sb_conntrack_callback callback, void *context) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) return -errno;
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    struct {
        struct nlmsghdr header;
        struct nfgenmsg body;
    } request;
    memset(&request, 0, sizeof(request));
    request.header.nlmsg_len = sizeof(request);
    request.header.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = 1;
    request.body.nfgen_family = (uint8_t)family;
    request.body.version = NFNETLINK_V0;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &request, sizeof(request), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    static __thread char buffer[1 << 16];
    int result = 0;
    for (int done = 0; !done;) {
        ssize_t received = recv(fd, buffer, sizeof(buffer), 0);
        if (received < 0) {
            if (errno == EINTR) continue;
            result = -errno;
            break;
        }
        if (received == 0) break;
        int remaining = (int)received;
        for (struct nlmsghdr *message = (struct nlmsghdr *)buffer; NLMSG_OK(message, remaining);
             message = NLMSG_NEXT(message, remaining)) {
            if (message->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (message->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *error = NLMSG_DATA(message);
                result = error->error;
                done = 1;
                break;
            }
            const char *start = (const char *)NLMSG_DATA(message) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
            const char *end = (const char *)message + message->nlmsg_len;
            tuple original, reply;
            memset(&original, 0, sizeof(original));
            memset(&reply, 0, sizeof(reply));
            for (const struct nlattr *attr = (const struct nlattr *)start; ATTR_OK(attr, end); attr = ATTR_NEXT(attr)) {
                const char *inner_end = ATTR_DATA(attr) + ATTR_PAYLOAD(attr);
                int type = attr->nla_type & NLA_TYPE_MASK;
                if (type == CTA_TUPLE_ORIG) read_tuple(ATTR_DATA(attr), inner_end, &original);
                if (type == CTA_TUPLE_REPLY) read_tuple(ATTR_DATA(attr), inner_end, &reply);
            }
            if (original.proto != IPPROTO_TCP) continue;
            sb_conntrack_entry entry;
            memset(&entry, 0, sizeof(entry));
            entry.family = (uint8_t)family;
            memcpy(entry.orig_src, original.src, 16);
            memcpy(entry.orig_dst, original.dst, 16);
            memcpy(entry.reply_src, reply.src, 16);
            entry.orig_sport = original.sport;
            entry.orig_dport = original.dport;
            entry.reply_sport = reply.sport;
            callback(&entry, context);
        }
    }
    close(fd);
    return result;
}
