/* The netlink client behind include/netlink.h: one request, every reply gathered, all of it read back
 * through bounds-checked iterators. */
#include <linux/genetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "netlink.h"

nl_fake_fn nl_fake;

/* How long one recv() may wait for the kernel. Dumps answer in microseconds; this only bounds a scrape
 * when something is badly wrong. */
#define NL_RECV_TIMEOUT_SEC 10
#define NL_DUMP_TRIES 3

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* One idle socket per protocol, kept by nl_close() for the next nl_open(): a scrape opens the same two or
 * three sockets every time, and socket, setsockopt, bind and close are four system calls each. The
 * sequence number goes on from where the last user left it, so a late reply to an abandoned request
 * (which nl_transact skips by its number) can never pass for an answer. */
#define NL_POOL_PROTOCOLS 32

static struct {
	pthread_mutex_t mu;
	int fd[NL_POOL_PROTOCOLS]; /* -1: none; 0 is a valid descriptor, so the table starts at -1 */
	uint32_t seq[NL_POOL_PROTOCOLS];
	bool ready;
} pool = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Takes the idle socket of protocol, or returns -1. Called with pool.mu held. */
static int pool_take(int protocol, uint32_t *seq)
{
	if (!pool.ready) {
		for (size_t i = 0; i < NL_POOL_PROTOCOLS; i++)
			pool.fd[i] = -1;
		pool.ready = true;
	}
	if (protocol < 0 || protocol >= NL_POOL_PROTOCOLS || pool.fd[protocol] < 0)
		return -1;
	int fd = pool.fd[protocol];
	pool.fd[protocol] = -1;
	*seq = pool.seq[protocol];
	return fd;
}

int nl_open(struct nl_sock *s, int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = NL_RECV_TIMEOUT_SEC };
	int fd;

	s->fd = -1;
	s->protocol = protocol;
	s->seq = (uint32_t)(now_monotonic() * 1000.0);
	if (nl_fake)
		return 0;
	pthread_mutex_lock(&pool.mu);
	fd = pool_take(protocol, &s->seq);
	pthread_mutex_unlock(&pool.mu);
	if (fd >= 0) {
		s->fd = fd;
		return 0;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	s->fd = fd;
	return 0;
}

void nl_close(struct nl_sock *s)
{
	/* A socket whose last answer was not read to its end (a timeout, a malformed reply) is not kept: the
	 * rest of that answer would meet the next request. */
	if (s->fd >= 0 && !s->busy) {
		uint32_t seq;
		pthread_mutex_lock(&pool.mu);
		int idle = pool_take(s->protocol, &seq);
		if (idle < 0 && s->protocol >= 0 && s->protocol < NL_POOL_PROTOCOLS) {
			pool.fd[s->protocol] = s->fd;
			pool.seq[s->protocol] = s->seq;
			s->fd = -1;
		} else if (idle >= 0) {
			pool.fd[s->protocol] = idle; /* put it back: one idle socket per protocol */
		}
		pthread_mutex_unlock(&pool.mu);
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->busy = false;
	sb_free(&s->rx);
}

void nl_pool_close(void)
{
	pthread_mutex_lock(&pool.mu);
	for (size_t i = 0; pool.ready && i < NL_POOL_PROTOCOLS; i++) {
		if (pool.fd[i] >= 0)
			close(pool.fd[i]);
		pool.fd[i] = -1;
	}
	pthread_mutex_unlock(&pool.mu);
}

/* ---- iterators ---- */

void nl_iter_init(struct nl_iter *it, const void *p, size_t len)
{
	it->p = p;
	it->len = p ? len : 0;
	it->off = 0;
	it->bad = false;
}

bool nl_next_msg(struct nl_iter *it, struct nl_msg *m)
{
	struct nlmsghdr h;
	size_t left;

	if (it->bad || it->off >= it->len)
		return false;
	left = it->len - it->off;
	if (left < sizeof(h)) {
		it->bad = true;
		return false;
	}
	memcpy(&h, it->p + it->off, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > left) {
		it->bad = true;
		return false;
	}
	m->type = h.nlmsg_type;
	m->flags = h.nlmsg_flags;
	m->seq = h.nlmsg_seq;
	m->data = it->p + it->off + sizeof(h);
	m->len = h.nlmsg_len - sizeof(h);
	/* The last message may lack its padding. */
	it->off += NLMSG_ALIGN(h.nlmsg_len) < left ? NLMSG_ALIGN(h.nlmsg_len) : left;
	return true;
}

bool nl_attr_next(struct nl_iter *it, struct nl_attr *a)
{
	struct nlattr h;
	size_t left;

	if (it->bad || it->off >= it->len)
		return false;
	left = it->len - it->off;
	if (left < sizeof(h)) {
		/* Trailing padding shorter than a header is tolerated, as the kernel's nla_ok() does. */
		it->off = it->len;
		return false;
	}
	memcpy(&h, it->p + it->off, sizeof(h));
	if (h.nla_len < sizeof(h) || h.nla_len > left) {
		it->bad = true;
		return false;
	}
	a->type = h.nla_type & NLA_TYPE_MASK;
	a->data = it->p + it->off + sizeof(h);
	a->len = h.nla_len - sizeof(h);
	it->off += (size_t)NLA_ALIGN(h.nla_len) < left ? (size_t)NLA_ALIGN(h.nla_len) : left;
	return true;
}

int nl_attr_parse(const void *p, size_t len, struct nl_attr *tb, size_t n)
{
	struct nl_iter it;
	struct nl_attr a;

	for (size_t i = 0; i < n; i++)
		tb[i] = (struct nl_attr){ 0 };
	nl_iter_init(&it, p, len);
	while (nl_attr_next(&it, &a)) {
		if (a.type < n)
			tb[a.type] = a;
	}
	return it.bad ? -EBADMSG : 0;
}

#define NL_ATTR_GET(name, type)                                   \
	bool nl_attr_##name(const struct nl_attr *a, type *v)     \
	{                                                         \
		if (!a || !a->data || a->len < sizeof(type))      \
			return false;                             \
		memcpy(v, a->data, sizeof(type));                 \
		return true;                                      \
	}
NL_ATTR_GET(u8, uint8_t)
NL_ATTR_GET(u16, uint16_t)
NL_ATTR_GET(u32, uint32_t)
NL_ATTR_GET(u64, uint64_t)

bool nl_attr_str(const struct nl_attr *a, char *dst, size_t size)
{
	size_t n;

	if (size == 0)
		return false;
	dst[0] = '\0';
	if (!a || !a->data)
		return false;
	n = 0;
	while (n < a->len && a->data[n] != '\0')
		n++;
	if (n >= size)
		n = size - 1;
	memcpy(dst, a->data, n);
	dst[n] = '\0';
	return true;
}

size_t nl_attr_copy(const struct nl_attr *a, void *dst, size_t size)
{
	size_t n = 0;

	if (a && a->data)
		n = a->len < size ? a->len : size;
	if (n)
		memcpy(dst, a->data, n);
	memset((char *)dst + n, 0, size - n);
	return n;
}

int nl_put_attr(struct strbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr h;
	static const char pad[NLA_ALIGNTO];

	if (len > UINT16_MAX - NLA_HDRLEN)
		return -EINVAL;
	h.nla_len = (uint16_t)(NLA_HDRLEN + len);
	h.nla_type = type;
	if (sb_append(b, (const char *)&h, sizeof(h)) < 0 || (len && sb_append(b, data, len) < 0) ||
	    sb_append(b, pad, NLA_ALIGN(len) - len) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- one request, its replies ---- */

enum rx_state {
	RX_MORE,
	RX_DONE,
};

/* Checks one datagram and moves its data messages into out. Returns RX_MORE, RX_DONE or a negative
 * errno. *intr is set when a message carries NLM_F_DUMP_INTR. */
static int nl_take_datagram(const void *p, size_t len, uint32_t seq, bool dump, struct strbuf *out,
			    bool *intr)
{
	static const char pad[NLMSG_ALIGNTO];
	struct nl_iter it;
	struct nl_msg m;
	int state = RX_MORE;

	nl_iter_init(&it, p, len);
	while (state == RX_MORE && nl_next_msg(&it, &m)) {
		if (m.seq != seq)
			continue; /* a stale reply to an earlier, abandoned request */
		if (m.flags & NLM_F_DUMP_INTR)
			*intr = true;
		switch (m.type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR: {
			int32_t err;
			if (m.len < sizeof(err))
				return -EBADMSG;
			memcpy(&err, m.data, sizeof(err));
			if (err > 0 || err < -4095)
				return -EBADMSG;
			if (err < 0)
				return err;
			state = RX_DONE; /* an acknowledgement */
			break;
		}
		case NLMSG_DONE: {
			int32_t status = 0;
			if (m.len >= sizeof(status))
				memcpy(&status, m.data, sizeof(status));
			if (status < 0 && status >= -4095)
				return status;
			state = RX_DONE;
			break;
		}
		case NLMSG_OVERRUN:
			return -EOVERFLOW;
		default: {
			size_t total = sizeof(struct nlmsghdr) + m.len;
			const unsigned char *start = m.data - sizeof(struct nlmsghdr);
			if (sb_append(out, (const char *)start, total) < 0 ||
			    sb_append(out, pad, NLMSG_ALIGN(total) - total) < 0)
				return -ENOMEM;
			if (!dump && !(m.flags & NLM_F_MULTI))
				state = RX_DONE;
			break;
		}
		}
	}
	if (it.bad)
		return -EBADMSG;
	return state;
}

/* The receive buffer: the kernel sizes a dump's datagrams to the largest buffer it has seen a reader pass
 * (up to 32 kB). Peeking at each datagram's size first (two system calls each) left that at the size of
 * the last one, about 3 kB: two links per datagram. 8 kB holds a small host's link or neighbour dump in
 * one datagram; a larger datagram is cut and the request made again with room for it. */
size_t nl_rx_size = 8192;

/* Receives one datagram into s->rx, with one system call. Returns its length, or a negative errno:
 * -EMSGSIZE when the datagram was larger than the buffer and got cut (the buffer is grown to fit it; the
 * request must be made again). */
static ssize_t nl_recv(struct nl_sock *s)
{
	sb_reset(&s->rx);
	if (s->rx.cap < nl_rx_size && sb_reserve(&s->rx, nl_rx_size - 1) < 0)
		return -ENOMEM;
	for (;;) {
		ssize_t n = recv(s->fd, s->rx.p, s->rx.cap - 1, MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		if ((size_t)n > s->rx.cap - 1)
			return sb_reserve(&s->rx, (size_t)n) < 0 ? -ENOMEM : -EMSGSIZE;
		s->rx.len = (size_t)n;
		return n;
	}
}

static int nl_send(struct nl_sock *s, const struct nlmsghdr *h, const void *payload, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = iov, .msg_iovlen = 2 };

	for (;;) {
		ssize_t n = sendmsg(s->fd, &mh, 0);
		if (n >= 0)
			return (size_t)n == h->nlmsg_len ? 0 : -EIO;
		if (errno != EINTR)
			return -errno;
	}
}

static int nl_transact_once(struct nl_sock *s, uint16_t type, uint16_t flags, const void *payload,
			    size_t len, struct strbuf *out, bool *intr)
{
	struct nlmsghdr h = {
		.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + len),
		.nlmsg_type = type,
		.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags),
		.nlmsg_seq = ++s->seq,
	};
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	int r;

	sb_reset(out);
	*intr = false;
	if (len % NLMSG_ALIGNTO)
		return -EINVAL;
	if (nl_fake) {
		sb_reset(&s->rx);
		r = nl_fake(s->protocol, &h, payload, len, &s->rx);
		if (r < 0)
			return r;
		if (s->rx.err)
			return -ENOMEM;
		r = nl_take_datagram(s->rx.p, s->rx.len, h.nlmsg_seq, dump, out, intr);
		if (r < 0)
			return r;
		/* A canned reply is all the kernel will ever say: one without an end is a truncated answer. */
		return r == RX_DONE ? 0 : -EBADMSG;
	}
	if (s->fd < 0)
		return -EBADF;
	r = nl_send(s, &h, payload, len);
	if (r < 0)
		return r;
	/* Until the answer has been read to its end, the socket cannot be handed to another request. */
	s->busy = true;
	bool cut = false;
	for (;;) {
		ssize_t n = nl_recv(s);
		if (n == -EMSGSIZE) {
			/* A datagram was lost to a short buffer: read the rest of this answer, then ask again. */
			cut = true;
			continue;
		}
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EBADMSG;
		r = nl_take_datagram(s->rx.p, (size_t)n, h.nlmsg_seq, dump, out, intr);
		if (r < 0 && r != -EBADMSG && r != -ENOMEM && r != -EOVERFLOW)
			s->busy = false; /* the kernel's error ends the answer */
		if (r < 0)
			return r;
		if (r == RX_DONE) {
			s->busy = false;
			return cut ? -EMSGSIZE : 0;
		}
	}
}

int nl_transact(struct nl_sock *s, uint16_t type, uint16_t flags, const void *payload, size_t len,
		struct strbuf *out)
{
	bool intr = false;
	int r = 0;

	for (int i = 0; i < NL_DUMP_TRIES; i++) {
		r = nl_transact_once(s, type, flags, payload, len, out, &intr);
		if (r == -EMSGSIZE) /* the buffer now fits the largest datagram */
			continue;
		if (r < 0 || !intr)
			return r;
	}
	if (r == -EMSGSIZE)
		return r;
	return -EINTR;
}

/* ---- links ---- */

static int link_cmp(const void *a, const void *b)
{
	const struct nl_link *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

ssize_t nl_parse_link_names(const void *buf, size_t len, struct arena *a, struct nl_link **out)
{
	struct nl_iter it;
	struct nl_msg m;
	struct nl_link *v = NULL;
	size_t n = 0, cap = 0;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct ifinfomsg ifi;
		struct nl_attr tb[IFLA_IFNAME + 1];
		char name[IFNAMSIZ * 4];

		if (m.type != RTM_NEWLINK || m.len < sizeof(ifi))
			continue;
		memcpy(&ifi, m.data, sizeof(ifi));
		nl_attr_parse(m.data + NLMSG_ALIGN(sizeof(ifi)), m.len - NLMSG_ALIGN(sizeof(ifi)), tb,
			      IFLA_IFNAME + 1);
		if (!nl_attr_str(&tb[IFLA_IFNAME], name, sizeof(name)) || ifi.ifi_index <= 0)
			continue;
		if (!(v = arena_grow(a, v, n, &cap, sizeof(*v))))
			return -ENOMEM;
		v[n].index = (uint32_t)ifi.ifi_index;
		v[n].name = arena_strdup(a, name);
		if (!v[n].name)
			return -ENOMEM;
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), link_cmp);
	*out = v;
	return (ssize_t)n;
}

ssize_t nl_link_names(struct nl_sock *s, struct strbuf *scratch, struct arena *a, struct nl_link **out)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	int r = nl_transact(s, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi), scratch);

	if (r < 0)
		return r;
	return nl_parse_link_names(scratch->p, scratch->len, a, out);
}

const char *nl_link_find(const struct nl_link *v, size_t n, uint32_t index)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].index == index)
			return v[mid].name;
		if (v[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- generic netlink ---- */

int nl_genl_family(struct nl_sock *s, const char *name, uint16_t *id, struct strbuf *scratch)
{
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	struct strbuf req = { 0 };
	struct nl_iter it;
	struct nl_msg m;
	int r;

	if (sb_append(&req, (const char *)&g, sizeof(g)) < 0 ||
	    nl_put_attr(&req, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1) < 0) {
		sb_free(&req);
		return -ENOMEM;
	}
	r = nl_transact(s, GENL_ID_CTRL, 0, req.p, req.len, scratch);
	sb_free(&req);
	if (r < 0)
		return r;
	nl_iter_init(&it, scratch->p, scratch->len);
	while (nl_next_msg(&it, &m)) {
		struct nl_attr tb[CTRL_ATTR_FAMILY_ID + 1];
		if (m.type != GENL_ID_CTRL || m.len < GENL_HDRLEN)
			continue;
		nl_attr_parse(m.data + GENL_HDRLEN, m.len - GENL_HDRLEN, tb, CTRL_ATTR_FAMILY_ID + 1);
		if (nl_attr_u16(&tb[CTRL_ATTR_FAMILY_ID], id))
			return 0;
	}
	return -ENOENT;
}

/* ---- addresses as Go prints them ---- */

bool nl_ip_v4_mapped(const unsigned char *a, size_t len)
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return len == 16 && memcmp(a, prefix, 12) == 0;
}

void nl_ip_string(const unsigned char *a, size_t len, char *out, size_t size)
{
	int best = -1, best_len = 0;
	size_t o = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (nl_ip_v4_mapped(a, len)) {
		a += 12;
		len = 4;
	}
	if (len == 4) {
		snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	if (len != 16)
		return;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && a[2 * j] == 0 && a[2 * j + 1] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8 && o < size; i++) {
		int n;
		if (i == best) {
			n = snprintf(out + o, size - o, "::");
			i += best_len - 1;
		} else {
			n = snprintf(out + o, size - o, "%s%x", i > 0 && i != best + best_len ? ":" : "",
				     (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
		}
		if (n < 0)
			break;
		o += (size_t)n;
	}
}
