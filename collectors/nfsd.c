/* nfsd: NFS server statistics from /proc/net/rpc/nfsd, as node_exporter's nfsd collector (procfs nfs
 * parser). See https://www.svennd.be/nfsd-stats-explained-procnetrpcnfsd/ for the layout:
 *
 *   rc <hits> <misses> <nocache>           fh <stale> <4 unused>      io <read> <written>
 *   th <threads> <fullcnt> <histogram...>  ra <size> <10 histogram> <not found>
 *   net <packets> <udp> <tcp> <tcp connections>
 *   rpc <calls> <badcalls> <badfmt> <badauth> <badclnt>
 *   proc2/proc3/proc4/proc4ops <n> <n values>   wdeleg_getattr <n>
 *
 * As in node_exporter, a section that is absent reads as zeros. A malformed line is skipped (its series
 * are not exported) and reported; unknown lines from newer kernels are ignored. */
#include <stdio.h>

#include "collector.h"

enum {
	NFSD_RC,
	NFSD_FH,
	NFSD_IO,
	NFSD_TH,
	NFSD_RA,
	NFSD_NET,
	NFSD_RPC,
	NFSD_P2,
	NFSD_P3,
	NFSD_P4,
	NFSD_P4OPS,
	NFSD_WDELEG,
	NFSD_SECTIONS,
};

static const char *const nfsd_keys[NFSD_SECTIONS] = { "rc",    "fh",    "io",    "th",    "ra",       "net",
						      "rpc",   "proc2", "proc3", "proc4", "proc4ops", "wdeleg_getattr" };

enum nfsd_state { NFSD_ABSENT, NFSD_OK, NFSD_BAD };

#define NFSD_MAX_VALUES 128

struct nfsd_section {
	enum nfsd_state state;
	int n;
	uint64_t v[NFSD_MAX_VALUES];
};

/* A single-valued family: section, index into its values. */
struct nfsd_scalar {
	struct metric_desc desc;
	int sec;
	int idx;
};

static const struct nfsd_scalar nfsd_scalars[] = {
	{ METRIC_DESC("node_nfsd_reply_cache_hits_total",
		      "Total number of NFSd Reply Cache hits (client lost server response).", METRIC_COUNTER),
	  NFSD_RC, 0 },
	{ METRIC_DESC("node_nfsd_reply_cache_misses_total",
		      "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
		      METRIC_COUNTER),
	  NFSD_RC, 1 },
	{ METRIC_DESC("node_nfsd_reply_cache_nocache_total",
		      "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\xe2\x80\xa6).",
		      METRIC_COUNTER),
	  NFSD_RC, 2 },
	{ METRIC_DESC("node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
		      METRIC_COUNTER),
	  NFSD_FH, 0 },
	{ METRIC_DESC("node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", METRIC_COUNTER), NFSD_IO, 0 },
	{ METRIC_DESC("node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", METRIC_COUNTER), NFSD_IO,
	  1 },
	{ METRIC_DESC("node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.",
		      METRIC_GAUGE),
	  NFSD_TH, 0 },
	{ METRIC_DESC("node_nfsd_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.",
		      METRIC_GAUGE),
	  NFSD_RA, 0 },
	{ METRIC_DESC("node_nfsd_read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.",
		      METRIC_COUNTER),
	  NFSD_RA, 11 },
	{ METRIC_DESC("node_nfsd_connections_total", "Total number of NFSd TCP connections.", METRIC_COUNTER),
	  NFSD_NET, 3 },
	{ METRIC_DESC("node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", METRIC_COUNTER), NFSD_RPC, 0 },
};

METRIC(nfsd_packets_desc, COUNTER, "node_nfsd_packets_total",
       "Total NFSd network packets (sent+received) by protocol type.", "proto");
METRIC(nfsd_rpc_errors_desc, COUNTER, "node_nfsd_rpc_errors_total", "Total number of NFSd RPC errors by error type.",
       "error");
METRIC(nfsd_requests_desc, COUNTER, "node_nfsd_requests_total", "Total number NFSd Requests by method and protocol.",
       "proto", "method");

struct nfsd_method {
	const char *name;
	int idx; /* index in the line's values (after the count at 0) */
};

static const struct nfsd_method nfsd_v2[] = {
	{ "GetAttr", 2 }, { "SetAttr", 3 }, { "Root", 4 },   { "Lookup", 5 }, { "ReadLink", 6 }, { "Read", 7 },
	{ "WrCache", 8 }, { "Write", 9 },   { "Create", 10 }, { "Remove", 11 }, { "Rename", 12 }, { "Link", 13 },
	{ "SymLink", 14 }, { "MkDir", 15 }, { "RmDir", 16 }, { "ReadDir", 17 }, { "FsStat", 18 },
};

static const struct nfsd_method nfsd_v3[] = {
	{ "GetAttr", 2 },  { "SetAttr", 3 },      { "Lookup", 4 },  { "Access", 5 },  { "ReadLink", 6 },
	{ "Read", 7 },     { "Write", 8 },        { "Create", 9 },  { "MkDir", 10 },  { "SymLink", 11 },
	{ "MkNod", 12 },   { "Remove", 13 },      { "RmDir", 14 },  { "Rename", 15 }, { "Link", 16 },
	{ "ReadDir", 17 }, { "ReadDirPlus", 18 }, { "FsStat", 19 }, { "FsInfo", 20 }, { "PathConf", 21 },
	{ "Commit", 22 },
};

/* proc4ops holds one count per NFSv4 operation number (value i+1 is operation i). */
static const struct nfsd_method nfsd_v4[] = {
	{ "Access", 4 },       { "Close", 5 },      { "Commit", 6 },       { "Create", 7 },
	{ "DelegPurge", 8 },   { "DelegReturn", 9 }, { "GetAttr", 10 },    { "GetFH", 11 },
	{ "Link", 12 },        { "Lock", 13 },       { "Lockt", 14 },      { "Locku", 15 },
	{ "Lookup", 16 },      { "LookupRoot", 17 }, { "Nverify", 18 },    { "Open", 19 },
	{ "OpenAttr", 20 },    { "OpenConfirm", 21 }, { "OpenDgrd", 22 },  { "PutFH", 23 },
	{ "Read", 26 },        { "ReadDir", 27 },    { "ReadLink", 28 },   { "Remove", 29 },
	{ "Rename", 30 },      { "Renew", 31 },      { "RestoreFH", 32 },  { "SaveFH", 33 },
	{ "SecInfo", 34 },     { "SetAttr", 35 },    { "SetClientID", 36 }, { "SetClientIDConfirm", 37 },
	{ "Verify", 38 },      { "Write", 39 },      { "RelLockOwner", 40 },
};

/* Returns value idx of a section: zero when the section is absent or shorter. */
static double nfsd_val(const struct nfsd_section *s, int idx)
{
	return (s->state == NFSD_OK && idx < s->n) ? (double)s->v[idx] : 0;
}

static void nfsd_requests(struct family *f, const char *proto, const struct nfsd_section *s,
			  const struct nfsd_method *m, size_t n)
{
	if (s->state == NFSD_BAD)
		return;
	for (size_t i = 0; i < n; i++)
		metric_add(f, nfsd_val(s, m[i].idx), proto, m[i].name);
}

/* Checks the value count of a section. */
static bool nfsd_valid(int k, const uint64_t *v, int n)
{
	switch (k) {
	case NFSD_RC:
		return n == 3;
	case NFSD_FH:
		return n == 5;
	case NFSD_IO:
	case NFSD_TH:
		return n == 2;
	case NFSD_RA:
		return n == 12;
	case NFSD_NET:
		return n == 4;
	case NFSD_RPC:
		return n == 5;
	case NFSD_P2:
		return n >= 1 && v[0] == (uint64_t)(n - 1) && n - 1 >= 18;
	case NFSD_P3:
		return n >= 1 && v[0] == (uint64_t)(n - 1) && n - 1 >= 22;
	case NFSD_P4:
		return n >= 1 && v[0] == (uint64_t)(n - 1) && n - 1 == 2;
	case NFSD_P4OPS:
		return n >= 1 && v[0] == (uint64_t)(n - 1) && n - 1 >= 39;
	case NFSD_WDELEG:
		return n >= 1;
	}
	return false;
}

static int nfsd_collect(struct collect_ctx *c)
{
	struct nfsd_section sec[NFSD_SECTIONS];
	ssize_t n = ctx_read(c, ROOT_PROC, "net/rpc/nfsd");
	char *p, *line, first[200] = "";
	int bad = 0;

	if (n == -ENOENT || n == -ENOTDIR) {
		log_debug("Not collecting NFSd metrics", "path", c->path.p);
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to retrieve nfsd stats: %s: %s", c->path.p, strerror((int)-n));
	for (int i = 0; i < NFSD_SECTIONS; i++) {
		sec[i].state = NFSD_ABSENT;
		sec[i].n = 0;
	}

	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *rest = line, *key = next_field(&rest), *f;
		int k = -1, nv = 0;
		bool ok = true;

		if (!key)
			continue;
		for (int i = 0; i < NFSD_SECTIONS; i++)
			if (streq(key, nfsd_keys[i]))
				k = i;
		if (k < 0) {
			log_debug("unknown NFSd metric line", "key", key);
			continue;
		}
		/* th: thread count and "pool full" count; the histogram after them is deprecated floats. */
		while ((f = next_field(&rest)) && !(k == NFSD_TH && nv == 2)) {
			if (nv == NFSD_MAX_VALUES || parse_u64(f, NULL, &sec[k].v[nv]) < 0) {
				ok = false;
				break;
			}
			nv++;
		}
		sec[k].n = nv;
		ok = ok && nfsd_valid(k, sec[k].v, nv);
		sec[k].state = ok ? NFSD_OK : NFSD_BAD;
		if (!ok && !bad++)
			snprintf(first, sizeof(first), "invalid %s line", key);
	}

	for (size_t i = 0; i < ARRAY_SIZE(nfsd_scalars); i++) {
		const struct nfsd_section *s = &sec[nfsd_scalars[i].sec];
		if (s->state != NFSD_BAD)
			metric_emit(c->ms, &nfsd_scalars[i].desc, nfsd_val(s, nfsd_scalars[i].idx));
	}
	if (sec[NFSD_NET].state != NFSD_BAD) {
		struct family *f = metric_family(c->ms, &nfsd_packets_desc);
		metric_add(f, nfsd_val(&sec[NFSD_NET], 1), "udp");
		metric_add(f, nfsd_val(&sec[NFSD_NET], 2), "tcp");
	}
	if (sec[NFSD_RPC].state != NFSD_BAD) {
		struct family *f = metric_family(c->ms, &nfsd_rpc_errors_desc);
		metric_add(f, nfsd_val(&sec[NFSD_RPC], 2), "fmt");
		metric_add(f, nfsd_val(&sec[NFSD_RPC], 3), "auth");
		metric_add(f, nfsd_val(&sec[NFSD_RPC], 4), "cInt");
	}
	struct family *req = metric_family(c->ms, &nfsd_requests_desc);
	nfsd_requests(req, "2", &sec[NFSD_P2], nfsd_v2, ARRAY_SIZE(nfsd_v2));
	nfsd_requests(req, "3", &sec[NFSD_P3], nfsd_v3, ARRAY_SIZE(nfsd_v3));
	nfsd_requests(req, "4", &sec[NFSD_P4OPS], nfsd_v4, ARRAY_SIZE(nfsd_v4));
	if (sec[NFSD_WDELEG].state != NFSD_BAD)
		metric_add(req, nfsd_val(&sec[NFSD_WDELEG], 0), "4", "WdelegGetattr");

	if (bad)
		return ctx_fail(c, -EINVAL, "failed to retrieve nfsd stats: %d bad line(s) in %s, first: %s", bad,
				c->path.p, first);
	return 0;
}

COLLECTOR(nfsd, .default_on = true);
