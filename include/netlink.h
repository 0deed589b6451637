/* A small netlink client for the collectors that ask the kernel through netlink, as node_exporter does
 * (rtnetlink links, neighbours, routes, qdiscs and addresses; sock_diag; generic netlink for nl80211).
 *
 * nl_transact() sends one request and gathers every reply message into a caller-owned buffer, checking
 * each datagram's framing, sequence number and error messages. Everything the kernel sent is then read
 * back through bounds-checked iterators: nl_next_msg() for messages, nl_attr_next() / nl_attr_parse() for
 * attributes. Nothing is ever read through a cast pointer into the buffer, so a truncated or misaligned
 * message cannot make a parser read outside what was received.
 *
 * Tests set nl_fake: nl_transact() then hands the request to it and treats the bytes it returns as what
 * the kernel sent, so collectors run on canned netlink replies, malformed ones included. */
#ifndef NODEX_NETLINK_H
#define NODEX_NETLINK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

struct nl_sock {
	int fd;       /* -1 when closed, or when nl_fake answers */
	int protocol; /* NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_GENERIC */
	uint32_t seq;
	bool busy;        /* a request's answer has not been read to its end */
	struct strbuf rx; /* receive buffer, grown to the largest datagram */
};

/* Opens a netlink socket of the given protocol (close-on-exec, with a receive timeout so a scrape never
 * hangs), or takes the one nl_close() kept. Returns 0 or a negative errno. */
int nl_open(struct nl_sock *s, int protocol);
/* Frees the buffer and closes the socket, or keeps it for the next nl_open() of its protocol (one idle
 * socket per protocol). Safe on a closed or zeroed socket. */
void nl_close(struct nl_sock *s);
/* Closes the kept sockets (shutdown, tests that count descriptors). */
void nl_pool_close(void);
/* Bytes of the first receive buffer of a request (32 kB; tests make it small to cut datagrams). */
extern size_t nl_rx_size;

/* Sends a request: a netlink header of the given type with NLM_F_REQUEST | flags, followed by len bytes of
 * payload. Reads the replies: for NLM_F_DUMP until NLMSG_DONE, otherwise until the first reply or
 * acknowledgement. Every reply message other than NLMSG_DONE, NLMSG_ERROR and NLMSG_NOOP is appended to
 * out (which is emptied first) with its header, 4-byte aligned, ready for nl_next_msg(). A dump the kernel
 * marks as interrupted (NLM_F_DUMP_INTR) is retried up to three times.
 * Returns 0 or a negative errno: the kernel's error (NLMSG_ERROR or a negative NLMSG_DONE status),
 * -EBADMSG for malformed framing, -ETIMEDOUT when the kernel does not answer, -EINTR when every dump
 * attempt was interrupted, -EMSGSIZE when a datagram outgrew the buffer on every attempt, -ENOMEM. */
int nl_transact(struct nl_sock *s, uint16_t type, uint16_t flags, const void *payload, size_t len,
		struct strbuf *out);

/* An iterator over netlink messages or attributes in a byte buffer. bad is set when the buffer ends in
 * the middle of an item or an item's length is impossible; iteration stops there. */
struct nl_iter {
	const unsigned char *p;
	size_t len;
	size_t off;
	bool bad;
};

struct nl_msg {
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	const unsigned char *data; /* payload, after the header */
	size_t len;                /* payload length */
};

void nl_iter_init(struct nl_iter *it, const void *p, size_t len);
/* Returns the next message in *m, or false at the end (or on a malformed message: it->bad). */
bool nl_next_msg(struct nl_iter *it, struct nl_msg *m);

struct nl_attr {
	uint16_t type; /* without NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	const unsigned char *data;
	size_t len; /* payload length */
};

/* Returns the next attribute in *a, or false at the end (or on a malformed attribute: it->bad). */
bool nl_attr_next(struct nl_iter *it, struct nl_attr *a);

/* Fills tb[0..n) with the attributes found in p, indexed by type (types >= n are ignored, a repeated type
 * keeps the last). Absent attributes have data NULL. Returns 0, or -EBADMSG when the attributes were
 * malformed (what came before the bad part is kept). */
int nl_attr_parse(const void *p, size_t len, struct nl_attr *tb, size_t n);

/* Typed reads. Each returns false, leaving *v alone, when the attribute is absent or shorter than the
 * type. Values are in host byte order, as netlink sends them. */
bool nl_attr_u8(const struct nl_attr *a, uint8_t *v);
bool nl_attr_u16(const struct nl_attr *a, uint16_t *v);
bool nl_attr_u32(const struct nl_attr *a, uint32_t *v);
bool nl_attr_u64(const struct nl_attr *a, uint64_t *v);
/* Copies a string attribute (up to its first NUL or its end) into dst, truncated to size - 1 bytes.
 * Returns false when the attribute is absent (dst is then ""). */
bool nl_attr_str(const struct nl_attr *a, char *dst, size_t size);
/* Copies up to size bytes of the attribute into dst and zeroes the rest: fixed-size kernel structures
 * that newer or older kernels send shorter or longer. Returns the number of bytes copied (0: absent). */
size_t nl_attr_copy(const struct nl_attr *a, void *dst, size_t size);

/* Appends an attribute (header, payload, padding) to a request being built in b. Returns 0 or -ENOMEM
 * (or -EINVAL for a payload too large for an attribute). */
int nl_put_attr(struct strbuf *b, uint16_t type, const void *data, size_t len);

/* Formats a 4- or 16-byte address as Go's net.IP.String() does, which is what node_exporter puts in its
 * labels: dotted quad for IPv4 and for IPv4-mapped IPv6 (::ffff:a.b.c.d), else RFC 5952 (lowercase, the
 * first longest run of two or more zero groups as "::"). out should hold 46 bytes. */
void nl_ip_string(const unsigned char *a, size_t len, char *out, size_t size);
/* True for an IPv4-mapped IPv6 address (16 bytes). */
bool nl_ip_v4_mapped(const unsigned char *a, size_t len);

/* Interface index to name, from one RTM_GETLINK dump. */
struct nl_link {
	uint32_t index;
	const char *name;
};

/* Dumps the links on s (a NETLINK_ROUTE socket) using scratch as the reply buffer, and returns their
 * index and name sorted by index, allocated in arena a. Returns the count or a negative errno. */
ssize_t nl_link_names(struct nl_sock *s, struct strbuf *scratch, struct arena *a, struct nl_link **out);
/* Parses the RTM_NEWLINK messages in buf (as nl_link_names() does). Returns the count or -ENOMEM. */
ssize_t nl_parse_link_names(const void *buf, size_t len, struct arena *a, struct nl_link **out);
/* Looks an index up in what nl_link_names() returned. Returns NULL when absent. */
const char *nl_link_find(const struct nl_link *v, size_t n, uint32_t index);

/* Resolves a generic netlink family name ("nl80211") to its id on s (a NETLINK_GENERIC socket).
 * Returns 0, -ENOENT when the kernel has no such family, or another negative errno. */
int nl_genl_family(struct nl_sock *s, const char *name, uint16_t *id, struct strbuf *scratch);

/* Test hook: when set, nl_open() creates no socket and nl_transact() calls it with the protocol and the
 * request it would have sent (header included). The function appends what the kernel would answer to
 * reply (one or more messages, as one datagram) and returns 0, or a negative errno to fail the send. */
typedef int (*nl_fake_fn)(int protocol, const struct nlmsghdr *req, const void *payload, size_t len,
			  struct strbuf *reply);
extern nl_fake_fn nl_fake;

#endif
