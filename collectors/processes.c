/* processes: process and thread counts from a walk over /proc/<pid>/stat, as node_exporter's processes
 * collector:
 *   node_processes_pids                  processes whose stat could be read
 *   node_processes_threads               sum of their num_threads fields
 *   node_processes_state{state}          processes per state letter
 *   node_processes_threads_state{thread_state}  threads per state letter (the leader's state comes from
 *                                        /proc/<pid>/stat, the others from /proc/<pid>/task/<tid>/stat)
 *   node_processes_max_threads           /proc/sys/kernel/threads-max
 *   node_processes_max_processes         /proc/sys/kernel/pid_max
 *
 * The walk is the cost of this collector, so it avoids everything that scales badly: one open/read/close
 * per stat file relative to a directory descriptor (no path building through the roots, no descriptor
 * cache entries for short-lived tasks), counts kept in two 256-entry tables, and no allocation per pid.
 * A single-threaded process needs no task directory listing: its only thread is the leader. On a real
 * procfs the task directory always exists while the process does; elsewhere (fixture trees) it is
 * checked, because node_exporter counts no thread states for a pid without one.
 *
 * Tasks vanish during the walk: ENOENT and ESRCH skip that task silently. A stat file that cannot be
 * read for another reason or cannot be parsed is skipped too, and reported as an error after everything
 * valid was emitted (node_exporter fails the whole collector and emits nothing). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/statfs.h>

#include "collector.h"

METRIC(threads_desc, GAUGE, "node_processes_threads", "Allocated threads in system");
METRIC(max_threads_desc, GAUGE, "node_processes_max_threads", "Limit of threads in the system");
METRIC(state_desc, GAUGE, "node_processes_state", "Number of processes in each state.", "state");
METRIC(threads_state_desc, GAUGE, "node_processes_threads_state", "Number of threads in each state.", "thread_state");
METRIC(pids_desc, GAUGE, "node_processes_pids", "Number of PIDs");
METRIC(max_processes_desc, GAUGE, "node_processes_max_processes", "Number of max PIDs limit");

struct walk {
	uint64_t pids;
	uint64_t threads;
	uint64_t states[256];
	uint64_t thread_states[256];
	unsigned bad;       /* stat files that did not parse */
	int err;            /* first unexpected error (negative errno) */
	char err_path[640];
	bool real_procfs;
	_Alignas(8) char dents[32768];  /* a batch of /proc entries */
	_Alignas(8) char tdents[32768]; /* a batch of /proc/<pid>/task entries */
	struct strbuf *buf;             /* the stat file being parsed (the collector's scratch buffer) */
};

/* Returns true for the errors a vanished task produces. */
static bool vanished(int err)
{
	return err == ENOENT || err == ESRCH;
}

/* Parses "pid (comm) S ppid ... num_threads ..." from a stat line: the state letter and the thread
 * count (field 20). comm may hold anything, spaces and parentheses included, so the fields start after
 * the last ')'. Returns 0 or -EINVAL (also for a line cut short before num_threads). */
static int parse_stat(const char *s, size_t len, unsigned char *state, uint64_t *num_threads)
{
	const char *open = memchr(s, '(', len);
	const char *close = memrchr(s, ')', len);
	const char *p, *end = s + len;
	int64_t nt;

	if (!open || !close || close < open || close + 2 > end || close[1] != ' ')
		return -EINVAL;
	p = close + 2;
	/* state: exactly one character */
	if (p + 1 >= end || p[0] == ' ' || p[1] != ' ')
		return -EINVAL;
	*state = (unsigned char)p[0];
	p += 2;
	/* skip ppid .. nice (16 fields) to reach num_threads */
	for (int i = 0; i < 16; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp || sp == p)
			return -EINVAL;
		p = sp + 1;
	}
	if (parse_i64(p, &p, &nt) < 0 || (*p != ' ' && *p != '\n' && *p != '\0') || nt < 0)
		return -EINVAL;
	*num_threads = (uint64_t)nt;
	return 0;
}

static void walk_error(struct walk *w, int err, const char *what, const char *a, const char *b)
{
	if (w->err)
		return;
	w->err = err;
	snprintf(w->err_path, sizeof(w->err_path), "%s %s%s%s", what, a, b ? "/" : "", b ? b : "");
}

/* Counts the thread states of a multi-threaded process, listing <pid>/task with getdents64. Without a
 * task directory (the process exited, or a fixture tree) nothing is counted, as in node_exporter. */
static void walk_threads(struct walk *w, int procfd, const char *pid, unsigned char leader_state)
{
	char path[300];
	int tfd;
	long nread;

	snprintf(path, sizeof(path), "%s/task", pid);
	tfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0) {
		if (!vanished(errno) && errno != ENOTDIR)
			walk_error(w, -errno, "cannot list tasks of pid", pid, NULL);
		return;
	}
	/* the leader's state as /proc/<pid>/stat reported it, the others from their own stat */
	w->thread_states[leader_state]++;
	while ((nread = getdents64(tfd, w->tdents, sizeof(w->tdents))) > 0) {
		for (long off = 0; off < nread;) {
			struct dirent64 *d = (struct dirent64 *)(w->tdents + off);
			off += d->d_reclen;
			if (!all_digits(d->d_name) || streq(d->d_name, pid))
				continue;
			char name[300];
			snprintf(name, sizeof(name), "%s/stat", d->d_name);
			ssize_t n = file_read_at(tfd, name, w->buf);
			unsigned char st;
			uint64_t nt;
			if (n < 0) {
				if (!vanished((int)-n))
					walk_error(w, (int)n, "cannot read stat of thread", pid, d->d_name);
				continue;
			}
			if (parse_stat(w->buf->p, (size_t)n, &st, &nt) < 0) {
				w->bad++;
				continue;
			}
			w->thread_states[st]++;
		}
	}
	if (nread < 0 && !vanished(errno))
		walk_error(w, -errno, "cannot list tasks of pid", pid, NULL);
	close(tfd);
}

static void walk_pid(struct walk *w, int procfd, const char *pid)
{
	char name[300];
	ssize_t n;
	unsigned char st;
	uint64_t nt;

	snprintf(name, sizeof(name), "%s/stat", pid);
	n = file_read_at(procfd, name, w->buf);
	if (n < 0) {
		if (!vanished((int)-n))
			walk_error(w, (int)n, "cannot read stat of pid", pid, NULL);
		return;
	}
	if (parse_stat(w->buf->p, (size_t)n, &st, &nt) < 0) {
		w->bad++;
		return;
	}
	w->pids++;
	w->threads += nt;
	w->states[st]++;
	if (nt > 1) {
		walk_threads(w, procfd, pid, st);
	} else if (w->real_procfs) {
		w->thread_states[st]++;
	} else {
		snprintf(name, sizeof(name), "%s/task", pid);
		if (faccessat(procfd, name, F_OK, 0) == 0)
			w->thread_states[st]++;
	}
}

static int read_limit(struct collect_ctx *c, const char *file, uint64_t *v)
{
	const char *path = ctx_path(c, ROOT_PROC, "sys/kernel/%s", file);

	if (!path)
		return -ENOMEM;
	return file_read_u64(path, &c->buf, v);
}

static void emit_states(struct collect_ctx *c, const struct metric_desc *d, const uint64_t counts[256])
{
	struct family *f = NULL;

	for (int i = 0; i < 256; i++) {
		char label[2] = { (char)i, '\0' };
		if (!counts[i])
			continue;
		if (!f)
			f = metric_family(c->ms, d);
		metric_add(f, (double)counts[i], label);
	}
}

static int processes_collect(struct collect_ctx *c)
{
	struct walk *w;
	const char *root = ctx_path(c, ROOT_PROC, "%s", "");
	struct statfs sfs;
	uint64_t max_threads, pid_max;
	int procfd, r1, r2;
	long nread;

	if (!root)
		return -ENOMEM;
	w = arena_zalloc(&c->ms->arena, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->buf = &c->buf;
	procfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return ctx_fail(c, -errno, "unable to list all processes: %s: %s", root, strerror(errno));
	w->real_procfs = fstatfs(procfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
	while ((nread = getdents64(procfd, w->dents, sizeof(w->dents))) > 0) {
		for (long off = 0; off < nread;) {
			struct dirent64 *d = (struct dirent64 *)(w->dents + off);
			off += d->d_reclen;
			if (all_digits(d->d_name))
				walk_pid(w, procfd, d->d_name);
		}
	}
	if (nread < 0) {
		int e = errno;
		close(procfd);
		return ctx_fail(c, -e, "unable to list all processes: %s: %s", root, strerror(e));
	}
	close(procfd);

	metric_emit(c->ms, &threads_desc, (double)w->threads);
	emit_states(c, &state_desc, w->states);
	emit_states(c, &threads_state_desc, w->thread_states);
	metric_emit(c->ms, &pids_desc, (double)w->pids);
	r1 = read_limit(c, "threads-max", &max_threads);
	if (r1 == 0)
		metric_emit(c->ms, &max_threads_desc, (double)max_threads);
	r2 = read_limit(c, "pid_max", &pid_max);
	if (r2 == 0)
		metric_emit(c->ms, &max_processes_desc, (double)pid_max);
	if (r1 < 0)
		return ctx_fail(c, r1, "unable to retrieve limit number of threads: %s",
				ctx_path(c, ROOT_PROC, "sys/kernel/threads-max"));
	if (r2 < 0)
		return ctx_fail(c, r2, "unable to retrieve limit number of maximum pids alloved: %s",
				ctx_path(c, ROOT_PROC, "sys/kernel/pid_max"));
	if (w->err)
		return ctx_fail(c, w->err, "unable to retrieve number of allocated threads: %s: %s", w->err_path,
				strerror(-w->err));
	if (w->bad)
		return ctx_fail(c, -EINVAL, "unable to retrieve number of allocated threads: %u malformed stat "
					    "file(s) under %s", w->bad, root);
	return 0;
}

COLLECTOR(processes, .default_on = false);
