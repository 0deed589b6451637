/* nfs: NFS client RPC statistics from /proc/net/rpc/nfs, as node_exporter's nfs collector (procfs nfs
 * parser).
 *
 *   net <packets> <udp> <tcp> <tcp connections>
 *   rpc <calls> <retransmissions> <auth refreshes>
 *   proc2 <n> <n values>   proc3 <n> <n values>   proc4 <n> <n values>
 *
 * Each procN line starts with its value count. node_exporter reports every procedure of the versions it
 * knows; a line that is absent gives zeros, and a v4 line from an older kernel with fewer operations is
 * padded with zeros, so the same series exist on every kernel. A malformed line is skipped (its series
 * are not exported) and reported; unknown lines from newer kernels are ignored. */
#include <stdio.h>

#include "collector.h"

static const char *const nfs_v2_names[] = { "Null",   "GetAttr", "SetAttr", "Root",  "Lookup",  "ReadLink",
					    "Read",   "WrCache", "Write",   "Create", "Remove",  "Rename",
					    "Link",   "SymLink", "MkDir",   "RmDir",  "ReadDir", "FsStat" };

static const char *const nfs_v3_names[] = { "Null",   "GetAttr", "SetAttr", "Lookup",      "Access", "ReadLink",
					    "Read",   "Write",   "Create",  "MkDir",       "SymLink", "MkNod",
					    "Remove", "RmDir",   "Rename",  "Link",        "ReadDir", "ReadDirPlus",
					    "FsStat", "FsInfo",  "PathConf", "Commit" };

static const char *const nfs_v4_names[] = {
	"Null",        "Read",           "Write",         "Commit",          "Open",
	"OpenConfirm", "OpenNoattr",     "OpenDowngrade", "Close",           "Setattr",
	"FsInfo",      "Renew",          "SetClientID",   "SetClientIDConfirm", "Lock",
	"Lockt",       "Locku",          "Access",        "Getattr",         "Lookup",
	"LookupRoot",  "Remove",         "Rename",        "Link",            "Symlink",
	"Create",      "Pathconf",       "StatFs",        "ReadLink",        "ReadDir",
	"ServerCaps",  "DelegReturn",    "GetACL",        "SetACL",          "FsLocations",
	"ReleaseLockowner", "Secinfo",   "FsidPresent",   "ExchangeID",      "CreateSession",
	"DestroySession", "Sequence",    "GetLeaseTime",  "ReclaimComplete", "GetDeviceInfo",
	"LayoutGet",   "LayoutCommit",   "LayoutReturn",  "SecinfoNoName",   "TestStateID",
	"FreeStateID", "GetDeviceList",  "BindConnToSession", "DestroyClientID", "Seek",
	"Allocate",    "DeAllocate",     "LayoutStats",   "Clone",
};

METRIC(nfs_packets_desc, COUNTER, "node_nfs_packets_total",
       "Total NFSd network packets (sent+received) by protocol type.", "protocol");
METRIC(nfs_connections_desc, COUNTER, "node_nfs_connections_total", "Total number of NFSd TCP connections.");
METRIC(nfs_rpcs_desc, COUNTER, "node_nfs_rpcs_total", "Total number of RPCs performed.");
METRIC(nfs_retrans_desc, COUNTER, "node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.");
METRIC(nfs_authrefresh_desc, COUNTER, "node_nfs_rpc_authentication_refreshes_total",
       "Number of RPC authentication refreshes performed.");
METRIC(nfs_requests_desc, COUNTER, "node_nfs_requests_total", "Number of NFS procedures invoked.", "proto", "method");

enum { NFS_NET, NFS_RPC, NFS_P2, NFS_P3, NFS_P4, NFS_SECTIONS };

/* A section is absent (zeros), parsed, or malformed (not exported). */
enum nfs_state { NFS_ABSENT, NFS_OK, NFS_BAD };

#define NFS_MAX_VALUES 128

struct nfs_section {
	enum nfs_state state;
	uint64_t v[NFS_MAX_VALUES];
};

/* Parses the values after the key. Returns the count or -EINVAL. */
static int nfs_values(char *rest, uint64_t *v, int max)
{
	char *f;
	int n = 0;

	while ((f = next_field(&rest))) {
		if (n == max || parse_u64(f, NULL, &v[n]) < 0)
			return -EINVAL;
		n++;
	}
	return n;
}

/* Checks a counted line: v[0] is the number of values that follow. Returns true when it holds. */
static bool nfs_counted(const uint64_t *v, int n, int min)
{
	return n >= 1 && v[0] == (uint64_t)(n - 1) && n - 1 >= min;
}

static void nfs_requests(struct family *f, const char *proto, const struct nfs_section *s,
			 const char *const *names, size_t n_names)
{
	if (s->state == NFS_BAD)
		return;
	for (size_t i = 0; i < n_names; i++) {
		/* values beyond the kernel's count (absent section, older v4) are zero */
		double v = (s->state == NFS_OK && i + 1 <= s->v[0]) ? (double)s->v[i + 1] : 0;
		metric_add(f, v, proto, names[i]);
	}
}

static int nfs_collect(struct collect_ctx *c)
{
	static const char *const keys[NFS_SECTIONS] = { "net", "rpc", "proc2", "proc3", "proc4" };
	struct nfs_section sec[NFS_SECTIONS];
	ssize_t n = ctx_read(c, ROOT_PROC, "net/rpc/nfs");
	char *p, *line, first[200] = "";
	int bad = 0;

	if (n == -ENOENT || n == -ENOTDIR) {
		log_debug("Not collecting NFS metrics", "path", c->path.p);
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to retrieve nfs stats: %s: %s", c->path.p, strerror((int)-n));
	for (int i = 0; i < NFS_SECTIONS; i++)
		sec[i].state = NFS_ABSENT;

	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *rest = line, *key = next_field(&rest);
		int k = -1, nv;
		bool ok;

		if (!key)
			continue;
		for (int i = 0; i < NFS_SECTIONS; i++)
			if (streq(key, keys[i]))
				k = i;
		if (k < 0) {
			log_debug("unknown NFS metric line", "key", key);
			continue;
		}
		nv = nfs_values(rest, sec[k].v, NFS_MAX_VALUES);
		switch (k) {
		case NFS_NET:
			ok = nv == 4;
			break;
		case NFS_RPC:
			ok = nv == 3;
			break;
		case NFS_P2:
			ok = nfs_counted(sec[k].v, nv, 18);
			break;
		case NFS_P3:
			ok = nfs_counted(sec[k].v, nv, 22);
			break;
		default:
			ok = nfs_counted(sec[k].v, nv, 0);
			break;
		}
		sec[k].state = ok ? NFS_OK : NFS_BAD;
		if (!ok && !bad++)
			snprintf(first, sizeof(first), "invalid %s line", key);
	}

	if (sec[NFS_NET].state != NFS_BAD) {
		const uint64_t *v = sec[NFS_NET].v;
		bool ok = sec[NFS_NET].state == NFS_OK;
		struct family *f = metric_family(c->ms, &nfs_packets_desc);
		metric_add(f, ok ? (double)v[1] : 0, "udp");
		metric_add(f, ok ? (double)v[2] : 0, "tcp");
		metric_emit(c->ms, &nfs_connections_desc, ok ? (double)v[3] : 0);
	}
	if (sec[NFS_RPC].state != NFS_BAD) {
		const uint64_t *v = sec[NFS_RPC].v;
		bool ok = sec[NFS_RPC].state == NFS_OK;
		metric_emit(c->ms, &nfs_rpcs_desc, ok ? (double)v[0] : 0);
		metric_emit(c->ms, &nfs_retrans_desc, ok ? (double)v[1] : 0);
		metric_emit(c->ms, &nfs_authrefresh_desc, ok ? (double)v[2] : 0);
	}
	struct family *req = metric_family(c->ms, &nfs_requests_desc);
	nfs_requests(req, "2", &sec[NFS_P2], nfs_v2_names, ARRAY_SIZE(nfs_v2_names));
	nfs_requests(req, "3", &sec[NFS_P3], nfs_v3_names, ARRAY_SIZE(nfs_v3_names));
	nfs_requests(req, "4", &sec[NFS_P4], nfs_v4_names, ARRAY_SIZE(nfs_v4_names));

	if (bad)
		return ctx_fail(c, -EINVAL, "failed to retrieve nfs stats: %d bad line(s) in %s, first: %s", bad,
				c->path.p, first);
	return 0;
}

COLLECTOR(nfs, .default_on = true);
