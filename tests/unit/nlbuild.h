/* Builds netlink replies byte by byte for unit tests: messages, attributes, nested attributes, and the
 * canned-kernel hook that nl_transact() calls instead of a socket (see nl_fake in netlink.h).
 *
 * A test registers a responder with nlb_serve(): for every request it gets the protocol, the request's
 * type and payload and a builder already set to the request's sequence number, and appends what the
 * kernel would answer. Header-only, so each test executable carries its own copy. */
#ifndef NODEX_TEST_NLBUILD_H
#define NODEX_TEST_NLBUILD_H

#include <linux/netlink.h>

#include "netlink.h"

struct nlb {
	struct strbuf *b;
	uint32_t seq;
	size_t msg;      /* offset of the open message header */
	size_t nest[8];  /* offsets of open nested attributes */
	int depth;
};

static inline void nlb_pad(struct nlb *x)
{
	static const char zero[4];
	size_t n = (4 - (x->b->len & 3)) & 3;
	sb_append(x->b, zero, n);
}

/* Starts a message of the given type (NLM_F_MULTI set, as in dumps). */
static inline void nlb_begin(struct nlb *x, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = x->seq };
	nlb_pad(x);
	x->msg = x->b->len;
	sb_append(x->b, (const char *)&h, sizeof(h));
}

/* Appends raw bytes (a fixed header such as ifinfomsg) and pads to 4. */
static inline void nlb_raw(struct nlb *x, const void *p, size_t len)
{
	sb_append(x->b, p, len);
	nlb_pad(x);
}

static inline void nlb_attr(struct nlb *x, uint16_t type, const void *p, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	sb_append(x->b, (const char *)&a, sizeof(a));
	if (len)
		sb_append(x->b, p, len);
	nlb_pad(x);
}

static inline void nlb_u8(struct nlb *x, uint16_t type, uint8_t v) { nlb_attr(x, type, &v, 1); }
static inline void nlb_u16(struct nlb *x, uint16_t type, uint16_t v) { nlb_attr(x, type, &v, 2); }
static inline void nlb_u32(struct nlb *x, uint16_t type, uint32_t v) { nlb_attr(x, type, &v, 4); }
static inline void nlb_u64(struct nlb *x, uint16_t type, uint64_t v) { nlb_attr(x, type, &v, 8); }
static inline void nlb_str(struct nlb *x, uint16_t type, const char *s) { nlb_attr(x, type, s, strlen(s) + 1); }

static inline void nlb_nest(struct nlb *x, uint16_t type)
{
	struct nlattr a = { .nla_len = 0, .nla_type = (uint16_t)(type | NLA_F_NESTED) };
	x->nest[x->depth++] = x->b->len;
	sb_append(x->b, (const char *)&a, sizeof(a));
}

static inline void nlb_nest_end(struct nlb *x)
{
	size_t at = x->nest[--x->depth];
	uint16_t len = (uint16_t)(x->b->len - at);
	memcpy(x->b->p + at, &len, sizeof(len));
}

/* Closes the open message: writes its length. */
static inline void nlb_end(struct nlb *x)
{
	uint32_t len = (uint32_t)(x->b->len - x->msg);
	memcpy(x->b->p + x->msg, &len, sizeof(len));
}

/* NLMSG_DONE with a status (0 for success). */
static inline void nlb_done(struct nlb *x, int32_t status)
{
	nlb_begin(x, NLMSG_DONE, NLM_F_MULTI);
	sb_append(x->b, (const char *)&status, sizeof(status));
	nlb_end(x);
}

/* NLMSG_ERROR carrying err (negative errno; 0 is an acknowledgement). */
static inline void nlb_error(struct nlb *x, int32_t err)
{
	struct nlmsghdr orig = { .nlmsg_len = sizeof(orig), .nlmsg_seq = x->seq };
	nlb_begin(x, NLMSG_ERROR, 0);
	sb_append(x->b, (const char *)&err, sizeof(err));
	sb_append(x->b, (const char *)&orig, sizeof(orig));
	nlb_end(x);
}

/* The responder a test registers: append the reply for this request to x. Return 0 or a negative errno
 * to make the send fail. */
typedef int (*nlb_responder)(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len);

static nlb_responder nlb_current;
static int nlb_requests; /* requests seen since nlb_serve() */

static inline int nlb_fake(int protocol, const struct nlmsghdr *req, const void *payload, size_t len,
			   struct strbuf *reply)
{
	struct nlb x = { .b = reply, .seq = req->nlmsg_seq };
	nlb_requests++;
	return nlb_current(&x, protocol, req->nlmsg_type, payload, len);
}

/* Routes nl_transact() to fn (NULL restores real sockets). */
static inline void nlb_serve(nlb_responder fn)
{
	nlb_current = fn;
	nlb_requests = 0;
	nl_fake = fn ? nlb_fake : NULL;
}

#endif
