#include <sys/resource.h>
#include <sys/stat.h>

#include "fileio.h"
#include "parse.h"
#include "process.h"

METRIC(cpu_desc, COUNTER, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
METRIC(open_fds_desc, GAUGE, "process_open_fds", "Number of open file descriptors.");
METRIC(max_fds_desc, GAUGE, "process_max_fds", "Maximum number of open file descriptors.");
METRIC(vsize_desc, GAUGE, "process_virtual_memory_bytes", "Virtual memory size in bytes.");
METRIC(vmax_desc, GAUGE, "process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.");
METRIC(rss_desc, GAUGE, "process_resident_memory_bytes", "Resident memory size in bytes.");
METRIC(start_desc, GAUGE, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
METRIC(rx_desc, COUNTER, "process_network_receive_bytes_total",
       "Number of bytes received by the process over the network.");
METRIC(tx_desc, COUNTER, "process_network_transmit_bytes_total",
       "Number of bytes sent by the process over the network.");

static double rlimit_value(int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) < 0)
		return -1;
	/* client_golang reports "unlimited" as the largest uint64. */
	return rl.rlim_cur == RLIM_INFINITY ? 18446744073709551615.0 : (double)rl.rlim_cur;
}

static double boot_time(struct strbuf *scratch)
{
	static double cached;
	char *p, *line;

	if (cached > 0)
		return cached;
	if (file_read("/proc/stat", scratch) < 0)
		return 0;
	p = scratch->p;
	while ((line = next_line(&p))) {
		uint64_t v;
		if (startswith(line, "btime ") && parse_u64(line + 6, NULL, &v) == 0) {
			cached = (double)v;
			break;
		}
	}
	return cached;
}

static void stat_metrics(struct metric_set *ms, struct strbuf *scratch)
{
	char *fields[32], *p;
	uint64_t utime, stime, start, vsize, rss;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);

	if (file_read("/proc/self/stat", scratch) < 0)
		return;
	/* The command name is in parentheses and may hold spaces: fields start after the last ')'. */
	p = strrchr(scratch->p, ')');
	if (!p)
		return;
	p++;
	if (split_fields(p, fields, ARRAY_SIZE(fields)) < 22)
		return;
	/* fields[0] is field 3 (state) of proc(5). */
	if (parse_u64(fields[11], NULL, &utime) < 0 || parse_u64(fields[12], NULL, &stime) < 0 ||
	    parse_u64(fields[19], NULL, &start) < 0 || parse_u64(fields[20], NULL, &vsize) < 0 ||
	    parse_u64(fields[21], NULL, &rss) < 0)
		return;
	metric_emit(ms, &cpu_desc, (double)(utime + stime) / (double)tck);
	metric_emit(ms, &vsize_desc, (double)vsize);
	metric_emit(ms, &rss_desc, (double)rss * (double)page);
	double bt = boot_time(scratch);
	if (bt > 0)
		metric_emit(ms, &start_desc, bt + (double)start / (double)tck);
}

/* The number of open descriptors. Since Linux 6.2, stat(2) of /proc/<pid>/fd gives it as the size, from
 * the descriptor bitmap; a listing costs a getdents64 per 150 or so descriptors, and nodex keeps about
 * 150 open (the descriptor cache), so the listing was a tenth of a scrape's system time. Older kernels
 * give a size of 0 (never the count: nodex always holds its listening sockets): then list. Returns -1
 * when neither works. */
static ssize_t open_fds(struct metric_set *ms)
{
	struct stat st;
	char **names;

	if (stat("/proc/self/fd", &st) == 0 && st.st_size > 0)
		return (ssize_t)st.st_size;
	ssize_t n = dir_list("/proc/self/fd", &ms->arena, &names);
	/* One of the descriptors is the listing's own. */
	return n > 0 ? n - 1 : -1;
}

static void fd_metrics(struct metric_set *ms)
{
	ssize_t n = open_fds(ms);

	if (n >= 0)
		metric_emit(ms, &open_fds_desc, (double)n);
	metric_emit(ms, &max_fds_desc, rlimit_value(RLIMIT_NOFILE));
	metric_emit(ms, &vmax_desc, rlimit_value(RLIMIT_AS));
}

/* IpExt InOctets/OutOctets of /proc/self/net/netstat: a header line of names, then a line of values. */
static void net_metrics(struct metric_set *ms, struct strbuf *scratch)
{
	char *p, *names = NULL, *line;

	if (file_read("/proc/self/net/netstat", scratch) < 0)
		return;
	p = scratch->p;
	while ((line = next_line(&p))) {
		if (!startswith(line, "IpExt: "))
			continue;
		if (!names) {
			names = line;
			continue;
		}
		char *nf[64], *vf[64];
		int nn = split_fields(names, nf, 64), nv = split_fields(line, vf, 64);
		for (int i = 1; i < nn && i < nv; i++) {
			uint64_t v;
			if (parse_u64(vf[i], NULL, &v) < 0)
				continue;
			if (streq(nf[i], "InOctets"))
				metric_emit(ms, &rx_desc, (double)v);
			else if (streq(nf[i], "OutOctets"))
				metric_emit(ms, &tx_desc, (double)v);
		}
		break;
	}
}

void process_collect(struct metric_set *ms, struct strbuf *scratch)
{
	stat_metrics(ms, scratch);
	fd_metrics(ms);
	net_metrics(ms, scratch);
}
