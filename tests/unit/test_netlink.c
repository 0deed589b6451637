/* The netlink helper: message and attribute iteration on canned byte buffers (well-formed, truncated,
 * lying lengths), typed attribute reads, request framing, the reply loop through the nl_fake hook, and
 * one live dump on a real socket. */
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "harness.h"
#include "nlbuild.h"

static struct strbuf B;

static void reset(struct nlb *x)
{
	sb_reset(&B);
	*x = (struct nlb){ .b = &B, .seq = 7 };
}

static void test_messages(void)
{
	struct nlb x;
	struct nl_iter it;
	struct nl_msg m;
	uint32_t v = 0xdeadbeef;

	reset(&x);
	nlb_begin(&x, RTM_NEWLINK, NLM_F_MULTI);
	nlb_raw(&x, "abc", 3); /* padded to 4 */
	nlb_end(&x);
	nlb_begin(&x, RTM_NEWADDR, 0);
	nlb_u32(&x, 5, v);
	nlb_end(&x);

	nl_iter_init(&it, B.p, B.len);
	CHECK(nl_next_msg(&it, &m));
	CHECK_INT(m.type, RTM_NEWLINK);
	CHECK_INT(m.flags, NLM_F_MULTI);
	CHECK_INT(m.seq, 7);
	CHECK_INT(m.len, 4);
	CHECK(memcmp(m.data, "abc", 3) == 0);
	CHECK(nl_next_msg(&it, &m));
	CHECK_INT(m.type, RTM_NEWADDR);
	CHECK_INT(m.len, 8);
	CHECK(!nl_next_msg(&it, &m));
	CHECK(!it.bad);

	/* Truncated in the middle of the second message. */
	for (size_t cut = 1; cut < B.len; cut++) {
		size_t n = 0;
		nl_iter_init(&it, B.p, cut);
		while (nl_next_msg(&it, &m))
			n++;
		if (cut < 16)
			CHECK(it.bad && n == 0);
		else if (cut < 20)
			CHECK(it.bad && n == 0); /* the first message claims 20 bytes */
		else if (cut == 20)
			CHECK(!it.bad && n == 1);
		else
			CHECK(it.bad && n == 1);
	}

	/* A length below the header size, and one beyond the buffer. */
	reset(&x);
	nlb_begin(&x, RTM_NEWLINK, 0);
	nlb_end(&x);
	uint32_t bogus = 8;
	memcpy(B.p, &bogus, 4);
	nl_iter_init(&it, B.p, B.len);
	CHECK(!nl_next_msg(&it, &m) && it.bad);
	bogus = 1000;
	memcpy(B.p, &bogus, 4);
	nl_iter_init(&it, B.p, B.len);
	CHECK(!nl_next_msg(&it, &m) && it.bad);

	/* Empty and NULL buffers. */
	nl_iter_init(&it, NULL, 100);
	CHECK(!nl_next_msg(&it, &m) && !it.bad);
}

static void test_attributes(void)
{
	struct nlb x;
	struct nl_iter it;
	struct nl_attr a, tb[6];
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	char s[8];

	reset(&x);
	nlb_u8(&x, 1, 0xab);
	nlb_u16(&x, 2, 0x1234);
	nlb_u32(&x, 3, 0x89abcdef);
	nlb_u64(&x, 4, 0x0123456789abcdefull);
	nlb_nest(&x, 5);
	nlb_str(&x, 1, "inner");
	nlb_nest_end(&x);
	nlb_u32(&x, 3, 42); /* repeated: the last wins */
	nlb_u32(&x, 9, 1);  /* beyond the table */

	CHECK_INT(nl_attr_parse(B.p, B.len, tb, 6), 0);
	CHECK(nl_attr_u8(&tb[1], &u8) && u8 == 0xab);
	CHECK(nl_attr_u16(&tb[2], &u16) && u16 == 0x1234);
	CHECK(nl_attr_u32(&tb[3], &u32) && u32 == 42);
	CHECK(nl_attr_u64(&tb[4], &u64) && u64 == 0x0123456789abcdefull);
	CHECK(tb[0].data == NULL);
	CHECK_INT(tb[5].type, 5); /* NLA_F_NESTED is masked */
	struct nl_attr in[2];
	CHECK_INT(nl_attr_parse(tb[5].data, tb[5].len, in, 2), 0);
	CHECK(nl_attr_str(&in[1], s, sizeof(s)) && streq(s, "inner"));
	CHECK(nl_attr_str(&in[1], s, 3) && streq(s, "in"));
	CHECK(!nl_attr_str(&in[0], s, sizeof(s)) && s[0] == '\0');

	/* Too short for the type: refused, the target untouched. */
	u64 = 7;
	CHECK(!nl_attr_u64(&tb[3], &u64) && u64 == 7);
	CHECK(!nl_attr_u32(&tb[1], &u32));
	CHECK(!nl_attr_u32(NULL, &u32));

	/* nl_attr_copy: shorter than the structure is zero-filled, longer is cut. */
	unsigned char buf[12];
	memset(buf, 0xff, sizeof(buf));
	CHECK_INT(nl_attr_copy(&tb[3], buf, sizeof(buf)), 4);
	CHECK(buf[4] == 0 && buf[11] == 0);
	CHECK_INT(nl_attr_copy(&tb[4], buf, 4), 4);
	CHECK_INT(nl_attr_copy(&tb[0], buf, 4), 0);
	CHECK(buf[0] == 0);

	/* A string without NUL ends at the attribute's end. */
	reset(&x);
	nlb_attr(&x, 1, "abcd", 4);
	nl_attr_parse(B.p, B.len, tb, 2);
	CHECK(nl_attr_str(&tb[1], s, sizeof(s)) && streq(s, "abcd"));

	/* Lying lengths: below the header, beyond the buffer. Earlier attributes are kept. */
	reset(&x);
	nlb_u32(&x, 1, 5);
	nlb_u32(&x, 2, 6);
	uint16_t bad = 2;
	memcpy(B.p + 8, &bad, 2);
	CHECK_INT(nl_attr_parse(B.p, B.len, tb, 6), -EBADMSG);
	CHECK(nl_attr_u32(&tb[1], &u32) && u32 == 5);
	CHECK(tb[2].data == NULL);
	bad = 200;
	memcpy(B.p + 8, &bad, 2);
	CHECK_INT(nl_attr_parse(B.p, B.len, tb, 6), -EBADMSG);

	/* Every truncation of a valid list stops cleanly. */
	reset(&x);
	nlb_u32(&x, 1, 5);
	nlb_str(&x, 2, "hello");
	nlb_u64(&x, 3, 9);
	for (size_t cut = 0; cut <= B.len; cut++) {
		int n = 0;
		nl_iter_init(&it, B.p, cut);
		while (nl_attr_next(&it, &a)) {
			CHECK(a.data + a.len <= (const unsigned char *)B.p + cut);
			n++;
		}
		CHECK(n <= 3);
	}

	/* Trailing bytes shorter than a header are padding, not an error. */
	reset(&x);
	nlb_u32(&x, 1, 5);
	sb_append(&B, "\0\0", 2);
	CHECK_INT(nl_attr_parse(B.p, B.len, tb, 6), 0);
}

static void test_put_attr(void)
{
	struct strbuf b = { 0 };
	struct nl_attr tb[3];
	char s[16];

	CHECK_INT(nl_put_attr(&b, 1, "xyz", 4), 0);
	CHECK_INT(nl_put_attr(&b, 2, NULL, 0), 0);
	CHECK_INT(b.len, 12);
	CHECK_INT(nl_attr_parse(b.p, b.len, tb, 3), 0);
	CHECK(nl_attr_str(&tb[1], s, sizeof(s)) && streq(s, "xyz"));
	CHECK(tb[2].data != NULL && tb[2].len == 0);
	CHECK_INT(nl_put_attr(&b, 1, s, 70000), -EINVAL);
	sb_free(&b);
}

/* ---- the reply loop ---- */

static int scenario;
static uint32_t first_seq;

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	(void)payload;
	(void)len;
	if (protocol != NETLINK_ROUTE && protocol != NETLINK_GENERIC)
		return -EPROTONOSUPPORT;
	if (nlb_requests == 1)
		first_seq = x->seq;
	switch (scenario) {
	case 0: /* a two-message dump */
		for (int i = 0; i < 2; i++) {
			nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
			uint32_t v = (uint32_t)i;
			nlb_raw(x, &v, 4);
			nlb_end(x);
		}
		nlb_done(x, 0);
		return 0;
	case 1: /* the kernel refuses */
		nlb_error(x, -EPERM);
		return 0;
	case 2: /* a dump that ends with an error status */
		nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
		nlb_end(x);
		nlb_done(x, -ENOBUFS);
		return 0;
	case 3: { /* a stale reply first, then ours */
		uint32_t seq = x->seq;
		x->seq = seq - 1;
		nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
		nlb_end(x);
		nlb_done(x, 0);
		x->seq = seq;
		nlb_begin(x, RTM_NEWADDR, NLM_F_MULTI);
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	}
	case 4: /* no NLMSG_DONE: truncated */
		nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
		nlb_end(x);
		return 0;
	case 5: /* always interrupted */
		nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR);
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	case 6: /* interrupted once */
		nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI | (nlb_requests == 1 ? NLM_F_DUMP_INTR : 0));
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	case 7: /* an error message too short to hold the error */
		nlb_begin(x, NLMSG_ERROR, 0);
		nlb_raw(x, "\1\0", 2);
		nlb_end(x);
		return 0;
	case 8: /* the send fails */
		return -ENOBUFS;
	case 9: /* garbage */
		sb_append(x->b, "garbage!garbage!garbage!", 24);
		return 0;
	case 10: { /* generic netlink family resolution */
		struct genlmsghdr g = { .cmd = CTRL_CMD_NEWFAMILY };
		struct nl_attr tb[CTRL_ATTR_FAMILY_NAME + 1];
		char name[32];
		if (type != GENL_ID_CTRL || len < GENL_HDRLEN)
			return -EINVAL;
		nl_attr_parse((const char *)payload + GENL_HDRLEN, len - GENL_HDRLEN, tb, CTRL_ATTR_FAMILY_NAME + 1);
		nl_attr_str(&tb[CTRL_ATTR_FAMILY_NAME], name, sizeof(name));
		if (!streq(name, "nl80211")) {
			nlb_error(x, -ENOENT);
			return 0;
		}
		nlb_begin(x, GENL_ID_CTRL, 0);
		nlb_raw(x, &g, sizeof(g));
		nlb_str(x, CTRL_ATTR_FAMILY_NAME, "nl80211");
		nlb_u16(x, CTRL_ATTR_FAMILY_ID, 33);
		nlb_end(x);
		return 0;
	}
	}
	return -EINVAL;
}

static int transact(int sc, int protocol, uint16_t flags, struct strbuf *out)
{
	struct nl_sock s = { .fd = -1 };
	struct ifinfomsg ifi = { 0 };
	int r;

	scenario = sc;
	nlb_serve(respond);
	r = nl_open(&s, protocol);
	if (r == 0)
		r = nl_transact(&s, RTM_GETLINK, flags, &ifi, sizeof(ifi), out);
	nl_close(&s);
	return r;
}

static void test_transact(void)
{
	struct strbuf out = { 0 };
	struct nl_iter it;
	struct nl_msg m;
	int n;

	CHECK_INT(transact(0, NETLINK_ROUTE, NLM_F_DUMP, &out), 0);
	nl_iter_init(&it, out.p, out.len);
	n = 0;
	while (nl_next_msg(&it, &m)) {
		uint32_t v;
		CHECK_INT(m.type, RTM_NEWLINK);
		memcpy(&v, m.data, 4);
		CHECK_INT(v, (uint32_t)n);
		n++;
	}
	CHECK_INT(n, 2);
	CHECK(!it.bad);

	CHECK_INT(transact(1, NETLINK_ROUTE, NLM_F_DUMP, &out), -EPERM);
	CHECK_INT(transact(2, NETLINK_ROUTE, NLM_F_DUMP, &out), -ENOBUFS);
	CHECK_INT(transact(3, NETLINK_ROUTE, NLM_F_DUMP, &out), 0);
	nl_iter_init(&it, out.p, out.len);
	CHECK(nl_next_msg(&it, &m) && m.type == RTM_NEWADDR);
	CHECK(!nl_next_msg(&it, &m));
	CHECK_INT(transact(4, NETLINK_ROUTE, NLM_F_DUMP, &out), -EBADMSG);
	CHECK_INT(transact(5, NETLINK_ROUTE, NLM_F_DUMP, &out), -EINTR);
	CHECK_INT(nlb_requests, 3);
	CHECK_INT(transact(6, NETLINK_ROUTE, NLM_F_DUMP, &out), 0);
	CHECK_INT(nlb_requests, 2);
	CHECK_INT(transact(7, NETLINK_ROUTE, 0, &out), -EBADMSG);
	CHECK_INT(transact(8, NETLINK_ROUTE, NLM_F_DUMP, &out), -ENOBUFS);
	CHECK_INT(transact(9, NETLINK_ROUTE, NLM_F_DUMP, &out), -EBADMSG);
	CHECK_INT(transact(0, NETLINK_SOCK_DIAG, NLM_F_DUMP, &out), -EPROTONOSUPPORT);

	/* A request payload that is not 4-byte aligned is refused before sending. */
	struct nl_sock s = { .fd = -1 };
	nl_open(&s, NETLINK_ROUTE);
	CHECK_INT(nl_transact(&s, RTM_GETLINK, NLM_F_DUMP, "abc", 3, &out), -EINVAL);
	nl_close(&s);

	/* Generic netlink families. */
	uint16_t id = 0;
	scenario = 10;
	nl_open(&s, NETLINK_GENERIC);
	CHECK_INT(nl_genl_family(&s, "nl80211", &id, &out), 0);
	CHECK_INT(id, 33);
	CHECK_INT(nl_genl_family(&s, "nosuch", &id, &out), -ENOENT);
	nl_close(&s);
	nlb_serve(NULL);
	sb_free(&out);
}

static void test_link_names(void)
{
	struct nlb x;
	struct arena a = { 0 };
	struct nl_link *v = NULL;
	const int idx[] = { 7, 1, 3 };
	const char *names[] = { "eth1", "lo", "eth0" };

	reset(&x);
	for (int i = 0; i < 3; i++) {
		struct ifinfomsg ifi = { .ifi_index = idx[i] };
		nlb_begin(&x, RTM_NEWLINK, NLM_F_MULTI);
		nlb_raw(&x, &ifi, sizeof(ifi));
		nlb_str(&x, IFLA_IFNAME, names[i]);
		nlb_end(&x);
	}
	/* No name, a short header, another message type: skipped. */
	struct ifinfomsg ifi = { .ifi_index = 9 };
	nlb_begin(&x, RTM_NEWLINK, NLM_F_MULTI);
	nlb_raw(&x, &ifi, sizeof(ifi));
	nlb_end(&x);
	nlb_begin(&x, RTM_NEWLINK, NLM_F_MULTI);
	nlb_raw(&x, "ab", 2);
	nlb_end(&x);
	nlb_begin(&x, RTM_NEWADDR, NLM_F_MULTI);
	nlb_raw(&x, &ifi, sizeof(ifi));
	nlb_end(&x);

	ssize_t n = nl_parse_link_names(B.p, B.len, &a, &v);
	CHECK_INT(n, 3);
	CHECK(n == 3 && v[0].index == 1 && streq(v[0].name, "lo") && v[2].index == 7);
	CHECK_STR(nl_link_find(v, (size_t)n, 3), "eth0");
	CHECK_STR(nl_link_find(v, (size_t)n, 7), "eth1");
	CHECK(nl_link_find(v, (size_t)n, 2) == NULL);
	CHECK(nl_link_find(v, 0, 1) == NULL);
	arena_free(&a);
}

/* Addresses as Go's net.IP.String() prints them. */
static void test_ip_string(void)
{
	static const struct {
		unsigned char a[16];
		size_t len;
		const char *want;
	} cases[] = {
		{ { 192, 0, 2, 1 }, 4, "192.0.2.1" },
		{ { 0 }, 4, "0.0.0.0" },
		{ { 0 }, 16, "::" },
		{ { [15] = 1 }, 16, "::1" },
		{ { 0xfe, 0x80, [15] = 1 }, 16, "fe80::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 16, "2001:db8::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 }, 16, "2001:db8:0:1:1:1:1:1" },
		{ { 0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, 16, "2001:0:0:1::1" },
		{ { 0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1 }, 16, "2001::1:0:0:1:1" },
		{ { [10] = 0xff, [11] = 0xff, 10, 1, 2, 3 }, 16, "10.1.2.3" },
		{ { [12] = 10, 1, 2, 3 }, 16, "::a01:203" },
		{ { 0xff, 0x02, [15] = 0xfb }, 16, "ff02::fb" },
		{ { 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89 }, 16,
		  "abcd:ef01:2345:6789:abcd:ef01:2345:6789" },
		{ { 1, 2, 3 }, 3, "" },
	};
	char out[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		nl_ip_string(cases[i].a, cases[i].len, out, sizeof(out));
		CHECK_STR(out, cases[i].want);
	}
	/* A short buffer truncates without overrunning. */
	nl_ip_string(cases[12].a, 16, out, 8);
	CHECK_INT(strlen(out), 7);
	CHECK(nl_ip_v4_mapped(cases[9].a, 16) && !nl_ip_v4_mapped(cases[10].a, 16) && !nl_ip_v4_mapped(cases[9].a, 4));
}

/* A real dump on a real socket: every network namespace has lo. */
static void test_live(void)
{
	struct nl_sock s = { .fd = -1 };
	struct strbuf buf = { 0 };
	struct arena a = { 0 };
	struct nl_link *v = NULL;
	int r;

	if (TEST_BIG_ENDIAN && test_qemu_lacks("netlink requests of a big-endian build"))
		return;
	r = nl_open(&s, NETLINK_ROUTE);
	if (r < 0) {
		printf("test_netlink: no netlink socket (%s), live test skipped\n", strerror(-r));
		return;
	}
	ssize_t n = nl_link_names(&s, &buf, &a, &v);
	CHECK(n >= 1);
	bool lo = false;
	for (ssize_t i = 0; i < n; i++)
		lo = lo || streq(v[i].name, "lo");
	CHECK(lo);
	/* A request the kernel refuses comes back as its errno. */
	CHECK(nl_transact(&s, 0x7fff, NLM_F_DUMP, NULL, 0, &buf) < 0);
	int fd = s.fd;
	nl_close(&s);

	/* The closed socket is kept for the next request of its protocol, and answers it. */
	CHECK_INT(nl_open(&s, NETLINK_ROUTE), 0);
	CHECK_INT(s.fd, fd);
	CHECK_INT(nl_link_names(&s, &buf, &a, &v), n);
	nl_close(&s);

	/* A buffer too short for a datagram: the cut answer is read to its end and the request made again
	 * with room for it, with the same result; the socket can then be kept. */
	size_t saved = nl_rx_size;
	nl_rx_size = 64;
	CHECK_INT(nl_open(&s, NETLINK_ROUTE), 0);
	struct nl_link *v2 = NULL;
	CHECK_INT(nl_link_names(&s, &buf, &a, &v2), n);
	for (ssize_t i = 0; v2 && i < n; i++)
		CHECK_STR(v2[i].name, v[i].name);
	CHECK(!s.busy);
	nl_rx_size = saved;
	nl_close(&s);
	nl_pool_close();
	sb_free(&buf);
	arena_free(&a);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_messages();
	test_attributes();
	test_put_attr();
	test_transact();
	test_link_names();
	test_ip_string();
	test_live();
	sb_free(&B);
	return test_summary(argv[0]);
}
