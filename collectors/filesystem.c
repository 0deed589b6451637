/* filesystem: node_filesystem_{size,free,avail}_bytes, files, files_free, readonly, device_error and
 * mount_info for each mount in <procfs>/1/mountinfo (<procfs>/self/mountinfo when PID 1 is hidden), with
 * statfs(2) on <rootfs>/<mountpoint> and the rootfs prefix stripped from the mountpoint label, as
 * node_exporter 1.12 does: read-only when "ro" is among the mount or superblock options, a failed statfs
 * reported as device_error{device_error="<Go's errno text>"} 1 with readonly only, and one series per
 * (device, mountpoint, fstype, device_error, major, minor).
 *
 * statfs can hang for ever on a dead network filesystem. On a local filesystem type (ext4, xfs, tmpfs,
 * overlay, ...; fstype_is_local()) under a local rootfs it answers from memory and is called directly.
 * Anything else runs on a small pool of worker threads
 * (--collector.filesystem.stat-workers) and the collector waits at most --collector.filesystem.mount-
 * timeout for each call. A mount that does not answer in time is reported with
 * device_error="mountpoint timeout" and marked stuck; later scrapes report it the same way without calling
 * statfs again, until the stuck call returns. The thread of a stuck call is given up: it is never handed
 * another mount, it frees itself when the call returns, and a fresh thread takes its place while there
 * are fewer than FS_MAX_THREADS threads, stuck ones included. node_exporter itself waits for the stuck call; nodex goes on. */
#include <pthread.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <time.h>

#include "collector.h"
#include "gocompat.h"

#define DEF_MOUNT_POINTS_EXCLUDED \
	"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define DEF_FS_TYPES_EXCLUDED                                                                                   \
	"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|" \
	"nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$"

/* Threads, stuck ones included, at most. Once that many statfs calls are stuck, mounts that would need a
 * new thread are reported as timed out without a statfs. */
#define FS_MAX_THREADS 32

static const char *mount_points_exclude, *mount_points_include, *ignored_mount_points;
static const char *fs_types_exclude, *fs_types_include, *ignored_fs_types;
static double mount_timeout;
static long stat_workers;
static struct name_filter mount_filter, type_filter;

enum { F_MP_EXCLUDE, F_MP_IGNORED, F_MP_INCLUDE, F_FS_EXCLUDE, F_FS_IGNORED, F_FS_INCLUDE };
static struct flag filesystem_flags[] = {
	[F_MP_EXCLUDE] = { "collector.filesystem.mount-points-exclude", FLAG_STRING, DEF_MOUNT_POINTS_EXCLUDED,
			   "Regexp of mount points to exclude for filesystem collector. (mutually exclusive to "
			   "mount-points-include)",
			   &mount_points_exclude },
	[F_MP_IGNORED] = { "collector.filesystem.ignored-mount-points", FLAG_STRING, NULL,
			   "Regexp of mount points to ignore for filesystem collector.", &ignored_mount_points,
			   .hidden = true },
	[F_MP_INCLUDE] = { "collector.filesystem.mount-points-include", FLAG_STRING, NULL,
			   "Regexp of mount points to include for filesystem collector. (mutually exclusive to "
			   "mount-points-exclude)",
			   &mount_points_include },
	[F_FS_EXCLUDE] = { "collector.filesystem.fs-types-exclude", FLAG_STRING, DEF_FS_TYPES_EXCLUDED,
			   "Regexp of filesystem types to exclude for filesystem collector. (mutually exclusive to "
			   "fs-types-include)",
			   &fs_types_exclude },
	[F_FS_IGNORED] = { "collector.filesystem.ignored-fs-types", FLAG_STRING, NULL,
			   "Regexp of filesystem types to ignore for filesystem collector.", &ignored_fs_types,
			   .hidden = true },
	[F_FS_INCLUDE] = { "collector.filesystem.fs-types-include", FLAG_STRING, NULL,
			   "Regexp of filesystem types to exclude for filesystem collector. (mutually exclusive to "
			   "fs-types-exclude)",
			   &fs_types_include },
	{ "collector.filesystem.mount-timeout", FLAG_DURATION, "5s",
	  "how long to wait for a mount to respond before marking it as stale", &mount_timeout, .hidden = true },
	{ "collector.filesystem.stat-workers", FLAG_INT, "4", "how many stat calls to process simultaneously",
	  &stat_workers, .hidden = true },
	{ NULL },
};

#define FS_LABELS "device", "mountpoint", "fstype", "device_error"
METRIC(size_desc, GAUGE, "node_filesystem_size_bytes", "Filesystem size in bytes.", FS_LABELS);
METRIC(free_desc, GAUGE, "node_filesystem_free_bytes", "Filesystem free space in bytes.", FS_LABELS);
METRIC(avail_desc, GAUGE, "node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
       FS_LABELS);
METRIC(files_desc, GAUGE, "node_filesystem_files", "Filesystem total file nodes.", FS_LABELS);
METRIC(files_free_desc, GAUGE, "node_filesystem_files_free", "Filesystem total free file nodes.", FS_LABELS);
METRIC(ro_desc, GAUGE, "node_filesystem_readonly", "Filesystem read-only status.", FS_LABELS);
METRIC(error_desc, GAUGE, "node_filesystem_device_error",
       "Whether an error occurred while getting statistics for the given device.", FS_LABELS);
METRIC(mount_info_desc, GAUGE, "node_filesystem_mount_info", "Filesystem mount information.", "device", "major",
       "minor", "mountpoint");

/* The statfs call, replaceable by tests (a call that blocks on a pipe stands in for a dead NFS server). */
int (*filesystem_statfs)(const char *path, struct statfs *buf) = statfs;

/* ---- the statfs pool ---- */

enum job_state { JOB_PENDING, JOB_DONE };

struct fs_job {
	const char *path; /* <rootfs>/<mountpoint>, in the run's arena */
	const char *key;  /* the mountpoint label: what "stuck" is recorded under */
	enum job_state state;
	bool timed_out;
	int err;          /* errno of a failed statfs */
	struct statfs st;
};

struct fs_worker {
	struct fs_job *job; /* the job being run; NULL when idle, or once given up */
	bool stuck;         /* given up: the thread frees itself when its statfs returns */
	double started;     /* monotonic time the statfs began */
	struct fs_worker *next;
	char path[4096];
	char key[4096];
};

struct stuck_key {
	char *key;
	unsigned refs; /* stuck calls for this mountpoint still in the kernel */
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t work; /* workers wait for jobs */
	pthread_cond_t done; /* the collector waits for results (CLOCK_MONOTONIC) */
	bool ready;          /* the condition variables are set up (once per process) */
	struct fs_job *jobs; /* the batch being worked on, NULL between scrapes */
	size_t n_jobs, next, n_done;
	struct fs_worker *workers; /* every live thread: idle, busy and stuck */
	unsigned n_usable;         /* threads not stuck */
	unsigned n_stuck;
	bool stop;
	struct stuck_key *stuck;
	size_t n_keys, cap_keys;
} pool = { .mu = PTHREAD_MUTEX_INITIALIZER };

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Called with pool.mu held. */
static bool stuck_has(const char *key)
{
	for (size_t i = 0; i < pool.n_keys; i++)
		if (streq(pool.stuck[i].key, key))
			return true;
	return false;
}

static void stuck_add(const char *key)
{
	for (size_t i = 0; i < pool.n_keys; i++) {
		if (streq(pool.stuck[i].key, key)) {
			pool.stuck[i].refs++;
			return;
		}
	}
	struct stuck_key *v = heap_grow(pool.stuck, pool.n_keys, &pool.cap_keys, sizeof(*pool.stuck));
	if (!v)
		return; /* not recorded: the mount is tried again next time, the scrape still goes on */
	pool.stuck = v;
	char *copy = strdup(key);
	if (copy)
		pool.stuck[pool.n_keys++] = (struct stuck_key){ copy, 1 };
}

static void stuck_release(const char *key)
{
	for (size_t i = 0; i < pool.n_keys; i++) {
		if (!streq(pool.stuck[i].key, key))
			continue;
		if (--pool.stuck[i].refs == 0) {
			log_debug("Mount point has recovered, monitoring will resume", "mountpoint", key);
			free(pool.stuck[i].key);
			pool.stuck[i] = pool.stuck[--pool.n_keys];
		}
		return;
	}
}

static void unlink_worker(struct fs_worker *w)
{
	for (struct fs_worker **p = &pool.workers; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	struct fs_worker *w = arg;

	pthread_mutex_lock(&pool.mu);
	for (;;) {
		while (!pool.stop && !(pool.jobs && pool.next < pool.n_jobs))
			pthread_cond_wait(&pool.work, &pool.mu);
		if (pool.stop)
			break;
		struct fs_job *j = &pool.jobs[pool.next++];
		w->job = j;
		w->started = mono_now();
		snprintf(w->path, sizeof(w->path), "%s", j->path);
		snprintf(w->key, sizeof(w->key), "%s", j->key);
		bool too_long = strlen(j->path) >= sizeof(w->path);
		/* The collector sets its next wake-up from the start times: tell it about this one. */
		pthread_cond_broadcast(&pool.done);
		pthread_mutex_unlock(&pool.mu);

		struct statfs st;
		int r = too_long ? (errno = ENAMETOOLONG, -1) : filesystem_statfs(w->path, &st);
		int e = r < 0 ? errno : 0;

		pthread_mutex_lock(&pool.mu);
		if (w->stuck) {
			/* The collector gave up on this call long ago: the mount has recovered. */
			stuck_release(w->key);
			pool.n_stuck--;
			unlink_worker(w);
			pthread_cond_broadcast(&pool.done);
			pthread_mutex_unlock(&pool.mu);
			free(w);
			return NULL;
		}
		w->job = NULL;
		j->err = e;
		if (!e)
			j->st = st;
		j->state = JOB_DONE;
		pool.n_done++;
		pthread_cond_broadcast(&pool.done);
	}
	pool.n_usable--;
	unlink_worker(w);
	pthread_cond_broadcast(&pool.done);
	pthread_mutex_unlock(&pool.mu);
	free(w);
	return NULL;
}

/* Starts one worker. Called with pool.mu held. Returns false when no thread could be started. */
static bool spawn_worker(void)
{
	struct fs_worker *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	pthread_t th;

	if (!w)
		return false;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&th, &attr, worker_main, w) != 0) {
		pthread_attr_destroy(&attr);
		free(w);
		return false;
	}
	pthread_attr_destroy(&attr);
	w->next = pool.workers;
	pool.workers = w;
	pool.n_usable++;
	return true;
}

/* Runs statfs for every job, each for at most mount_timeout seconds. Jobs that time out are marked
 * timed_out and their mountpoint stuck. Returns when every job is done or given up. */
static void run_jobs(struct fs_job *jobs, size_t n)
{
	unsigned want = stat_workers < 1 ? 1 : stat_workers > FS_MAX_THREADS ? FS_MAX_THREADS : (unsigned)stat_workers;

	if (n == 0)
		return;
	if (want > n)
		want = (unsigned)n;
	/* Given-up threads count against the cap, not against the pool: refill it. */
	pthread_mutex_lock(&pool.mu);
	pool.jobs = jobs;
	pool.n_jobs = n;
	pool.next = 0;
	pool.n_done = 0;
	while (pool.n_usable < want && pool.n_usable + pool.n_stuck < FS_MAX_THREADS && spawn_worker())
		;
	pthread_cond_broadcast(&pool.work);
	while (pool.n_done < pool.n_jobs) {
		double now = mono_now(), earliest = -1;
		for (struct fs_worker *w = pool.workers; w; w = w->next) {
			if (!w->job || w->stuck)
				continue;
			double deadline = w->started + mount_timeout;
			if (deadline > now) {
				if (earliest < 0 || deadline < earliest)
					earliest = deadline;
				continue;
			}
			/* Timed out: report it, mark the mount stuck, give the thread up and replace it. */
			log_debug("Mount point timed out, it is being labeled as stuck and will not be monitored",
				  "mountpoint", w->key);
			w->job->timed_out = true;
			w->job->state = JOB_DONE;
			pool.n_done++;
			w->job = NULL;
			w->stuck = true;
			pool.n_usable--;
			pool.n_stuck++;
			stuck_add(w->key);
			if (pool.n_usable < want && pool.n_usable + pool.n_stuck < FS_MAX_THREADS)
				spawn_worker();
		}
		if (pool.n_done >= pool.n_jobs)
			break;
		if (pool.n_usable == 0) {
			/* No thread left to run the rest: report them as timed out, without marking them stuck. */
			for (size_t i = pool.next; i < pool.n_jobs; i++) {
				pool.jobs[i].timed_out = true;
				pool.jobs[i].state = JOB_DONE;
				pool.n_done++;
			}
			pool.next = pool.n_jobs;
			break;
		}
		/* Wake up at the next deadline, or when a worker starts or finishes a job. The extra bound covers
		 * a job that starts without the broadcast being seen. */
		double until = now + (mount_timeout > 0 ? mount_timeout : 0.001);
		if (earliest >= 0 && earliest < until)
			until = earliest;
		struct timespec ts = { .tv_sec = (time_t)until };
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_nsec = 999999999L;
		pthread_cond_timedwait(&pool.done, &pool.mu, &ts);
	}
	pool.jobs = NULL;
	pool.n_jobs = pool.next = pool.n_done = 0;
	pthread_mutex_unlock(&pool.mu);
}

/* ---- mountinfo ---- */

struct fs_mount {
	const char *device, *mountpoint, *fstype, *major, *minor;
	bool ro;
	bool skip;        /* filtered out */
	bool stuck;       /* stuck in an earlier scrape: not statted */
	struct fs_job *job;
};

/* Go's syscall.Errno.Error(): glibc's text with a lower-case first letter, except where Go differs. */
static void go_errno_text(int e, char *buf, size_t size)
{
	if (e == ESTALE) {
		snprintf(buf, size, "stale NFS file handle");
		return;
	}
	snprintf(buf, size, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* True when "ro" is one of the comma-separated options (a key "ro" with an empty value counts too). */
static bool has_ro(const char *opts)
{
	const char *p = opts;

	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', n);
		size_t key = eq ? (size_t)(eq - p) : n;
		if (key == 2 && p[0] == 'r' && p[1] == 'o') {
			/* "ro" or "ro=" (procfs keeps only the text between the first and second '=') */
			if (!eq || eq + 1 == p + n || eq[1] == '=')
				return true;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

/* strings.ReplaceAll for the two escapes node_exporter undoes: \040 (space) and \011 (tab). In place. */
static void unescape_mountpoint(char *s)
{
	char *o = s;

	for (char *p = s; *p;) {
		if (p[0] == '\\' && p[1] == '0' && p[2] == '4' && p[3] == '0') {
			*o++ = ' ';
			p += 4;
		} else if (p[0] == '\\' && p[1] == '0' && p[2] == '1' && p[3] == '1') {
			*o++ = '\t';
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

/* rootfsStripPrefix: a plain prefix cut, "/" when nothing is left. */
static const char *strip_rootfs(const char *mp)
{
	const char *root = nodex_paths.rootfs;
	size_t n = strlen(root);

	if (streq(root, "/") || strncmp(mp, root, n) != 0)
		return mp;
	return mp[n] ? mp + n : "/";
}

/* strconv.Atoi: an optional sign and decimal digits, nothing else. */
static bool go_atoi(const char *s, long *out)
{
	const char *d = s + (*s == '+' || *s == '-');
	char *end;

	if (*d < '0' || *d > '9')
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return !*end && !errno;
}

/* Parses mountinfo as prometheus/procfs does: fields separated by single spaces, at least 10 of them, the
 * "-" separator fourth from the end. Returns the number of mounts or -EINVAL with ctx->err set. */
static ssize_t parse_mountinfo(struct collect_ctx *c, char *buf, struct fs_mount **out)
{
	size_t n_lines = 1, n = 0;
	struct fs_mount *mounts;
	char *p = buf, *line;

	for (char *q = buf; *q; q++)
		n_lines += *q == '\n';
	mounts = arena_zalloc(&c->ms->arena, n_lines * sizeof(*mounts));
	if (!mounts)
		return -ENOMEM;
	while ((line = next_line(&p))) {
		char *f[64];
		size_t nf = 0;
		const char *orig = arena_strdup(&c->ms->arena, line);
		for (char *s = line;; s++) {
			char *sp = strchr(s, ' ');
			if (nf < ARRAY_SIZE(f))
				f[nf] = s;
			nf++;
			if (!sp)
				break;
			*sp = '\0';
			s = sp;
		}
		if (nf > ARRAY_SIZE(f))
			return ctx_fail(c, -EINVAL, "mountinfo: too many fields in mount string: %s", orig ? orig : "");
		if (nf < 10)
			return ctx_fail(c, -EINVAL, "mountinfo: Too few fields in mount string: %s", orig ? orig : "");
		if (!streq(f[nf - 4], "-"))
			return ctx_fail(c, -EINVAL, "mountinfo: couldn't find separator in expected field: %s", f[nf - 4]);
		long id, parent, major, minor;
		if (!go_atoi(f[0], &id) || !go_atoi(f[1], &parent))
			return ctx_fail(c, -EINVAL, "mountinfo: failed to parse mount ID in %s", orig ? orig : "");
		/* Sscanf("%d:%d") */
		char *colon = strchr(f[2], ':');
		if (!colon)
			return ctx_fail(c, -EINVAL, "malformed mount point MajorMinorVer: \"%s\"", f[2]);
		*colon = '\0';
		if (!go_atoi(f[2], &major) || sscanf(colon + 1, "%ld", &minor) != 1)
			return ctx_fail(c, -EINVAL, "malformed mount point MajorMinorVer: \"%s:%s\"", f[2], colon + 1);
		struct fs_mount *m = &mounts[n++];
		unescape_mountpoint(f[4]);
		m->mountpoint = strip_rootfs(f[4]);
		m->fstype = f[nf - 3];
		m->device = f[nf - 2];
		m->ro = has_ro(f[5]) || has_ro(f[nf - 1]);
		m->major = arena_printf(&c->ms->arena, "%ld", major);
		m->minor = arena_printf(&c->ms->arena, "%ld", minor);
		if (!m->major || !m->minor)
			return -ENOMEM;
	}
	*out = mounts;
	return (ssize_t)n;
}

/* Go's filepath.Join(rootfs, mountpoint): the two joined by a slash, then cleaned. */
static char *rootfs_join(struct arena *a, const char *mp)
{
	const char *joined = arena_printf(a, "%s/%s", nodex_paths.rootfs, mp);

	return joined ? path_clean(a, joined) : NULL;
}

static int filesystem_collect(struct collect_ctx *c)
{
	struct fs_mount *mounts = NULL;
	ssize_t n = ctx_read(c, ROOT_PROC, "1/mountinfo");

	if (n == -ENOENT) {
		log_debug("Reading root mounts failed, falling back to self mounts", "path", c->path.p);
		n = ctx_read(c, ROOT_PROC, "self/mountinfo");
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "%s: %s", c->path.p, strerror((int)-n));
	n = parse_mountinfo(c, c->buf.p, &mounts);
	if (n < 0)
		return (int)n;

	struct fs_job *jobs = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*jobs));
	size_t n_jobs = 0, n_local = 0;
	if (!jobs)
		return -ENOMEM;
	/* A local filesystem under a local rootfs answers statfs from memory: called here, it costs no thread
	 * hand-off. Network and FUSE mounts go to the pool and its deadline; they are put at the front. */
	bool rootfs_local = paths_rootfs_local();
	pthread_mutex_lock(&pool.mu);
	for (ssize_t i = 0; i < n; i++) {
		struct fs_mount *m = &mounts[i];
		if (name_filter_ignored(&mount_filter, m->mountpoint)) {
			log_debug("Ignoring mount point", "mountpoint", m->mountpoint);
			m->skip = true;
			continue;
		}
		if (name_filter_ignored(&type_filter, m->fstype)) {
			log_debug("Ignoring fs type", "type", m->fstype);
			m->skip = true;
			continue;
		}
		if (stuck_has(m->mountpoint)) {
			log_debug("Mount point is in an unresponsive state", "mountpoint", m->mountpoint);
			m->stuck = true;
			continue;
		}
		struct fs_job *j = rootfs_local && fstype_is_local(m->fstype) ? &jobs[n - 1 - (ssize_t)n_local++]
									      : &jobs[n_jobs++];
		j->path = rootfs_join(&c->ms->arena, m->mountpoint);
		j->key = m->mountpoint;
		if (!j->path) {
			pthread_mutex_unlock(&pool.mu);
			return -ENOMEM;
		}
		m->job = j;
	}
	pthread_mutex_unlock(&pool.mu);
	run_jobs(jobs, n_jobs);
	for (size_t i = 0; i < n_local; i++) {
		struct fs_job *j = &jobs[n - 1 - (ssize_t)i];
		if (filesystem_statfs(j->path, &j->st) < 0)
			j->err = errno;
		j->state = JOB_DONE;
	}

	struct family *f_err = metric_family(c->ms, &error_desc), *f_ro = metric_family(c->ms, &ro_desc);
	struct family *f_size = metric_family(c->ms, &size_desc), *f_free = metric_family(c->ms, &free_desc);
	struct family *f_avail = metric_family(c->ms, &avail_desc), *f_files = metric_family(c->ms, &files_desc);
	struct family *f_ffree = metric_family(c->ms, &files_free_desc);
	struct family *f_info = metric_family(c->ms, &mount_info_desc);
	/* One series per label tuple, as node_exporter's "seen" map: an open-addressing set of tuple hashes,
	 * confirmed by comparing the tuples. */
	size_t n_slots = 16;
	while (n_slots < (size_t)n * 2)
		n_slots *= 2;
	const char *(*seen)[6] = arena_zalloc(&c->ms->arena, n_slots * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		const struct fs_mount *m = &mounts[i];
		const char *err = "";
		char errbuf[128];
		double ro = m->ro ? 1 : 0;
		if (m->skip)
			continue;
		if (m->stuck) {
			err = "mountpoint timeout";
			ro = 0; /* node_exporter does not look at the options of a mount it skips */
		} else if (m->job->timed_out) {
			err = "mountpoint timeout";
		} else if (m->job->err) {
			go_errno_text(m->job->err, errbuf, sizeof(errbuf));
			err = errbuf;
			log_debug("Error on statfs() system call", "rootfs", m->job->path, "err", errbuf);
		}
		const char *key[6] = { m->device, m->mountpoint, m->fstype, err, m->major, m->minor };
		uint64_t h = 1469598103934665603ull;
		for (int x = 0; x < 6; x++) {
			for (const char *q = key[x]; *q; q++)
				h = (h ^ (unsigned char)*q) * 1099511628211ull;
			h = (h ^ 0xff) * 1099511628211ull;
		}
		size_t slot = h & (n_slots - 1);
		bool dup = false;
		for (; seen[slot][0]; slot = (slot + 1) & (n_slots - 1)) {
			int x = 0;
			while (x < 6 && streq(seen[slot][x], key[x]))
				x++;
			if (x == 6) {
				dup = true;
				break;
			}
		}
		if (dup)
			continue;
		for (int x = 0; x < 6; x++)
			seen[slot][x] = key[x];
		if (*err && !(seen[slot][3] = metric_strdup(c->ms, err)))
			return -ENOMEM;

		metric_add(f_err, *err ? 1 : 0, m->device, m->mountpoint, m->fstype, err);
		metric_add(f_ro, ro, m->device, m->mountpoint, m->fstype, err);
		if (*err)
			continue;
		const struct statfs *s = &m->job->st;
		double bsize = (double)s->f_bsize;
		metric_add(f_size, (double)s->f_blocks * bsize, m->device, m->mountpoint, m->fstype, err);
		metric_add(f_free, (double)s->f_bfree * bsize, m->device, m->mountpoint, m->fstype, err);
		metric_add(f_avail, (double)s->f_bavail * bsize, m->device, m->mountpoint, m->fstype, err);
		metric_add(f_files, (double)s->f_files, m->device, m->mountpoint, m->fstype, err);
		metric_add(f_ffree, (double)s->f_ffree, m->device, m->mountpoint, m->fstype, err);
		metric_add(f_info, 1, m->device, m->major, m->minor, m->mountpoint);
	}
	return 0;
}

static int filesystem_init(char *err, size_t err_size)
{
	int r;

	/* node_exporter's newMountPointsFilter and newFSTypeFilter. */
	const struct name_filter_flags mounts = {
		.include = &filesystem_flags[F_MP_INCLUDE],
		.exclude = &filesystem_flags[F_MP_EXCLUDE],
		.alias = { { &filesystem_flags[F_MP_IGNORED], &filesystem_flags[F_MP_EXCLUDE] } },
		.both_error = "--collector.filesystem.mount-points-exclude and --collector.filesystem.mount-points-include "
			      "are mutually exclusive",
		.include_clears_default_exclude = true,
	};
	const struct name_filter_flags types = {
		.include = &filesystem_flags[F_FS_INCLUDE],
		.exclude = &filesystem_flags[F_FS_EXCLUDE],
		.alias = { { &filesystem_flags[F_FS_IGNORED], &filesystem_flags[F_FS_EXCLUDE] } },
		.both_error = "--collector.filesystem.fs-types-exclude and --collector.filesystem.fs-types-include are "
			      "mutually exclusive",
		.include_clears_default_exclude = true,
	};

	if ((r = name_filter_from_flags(&mount_filter, &mounts, err, err_size)) < 0)
		return r;
	if ((r = name_filter_from_flags(&type_filter, &types, err, err_size)) < 0) {
		name_filter_free(&mount_filter);
		return r;
	}
	pthread_mutex_lock(&pool.mu);
	if (!pool.ready) {
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&pool.done, &ca);
		pthread_condattr_destroy(&ca);
		pthread_cond_init(&pool.work, NULL);
		pool.ready = true;
	}
	pool.stop = false;
	pthread_mutex_unlock(&pool.mu);
	return 0;
}

/* Stops the idle workers and waits (briefly) for them to go. Stuck threads are left to free themselves
 * when their statfs returns; the stuck table stays while any of them is alive. */
static void filesystem_fini(void)
{
	name_filter_free(&mount_filter);
	name_filter_free(&type_filter);
	pthread_mutex_lock(&pool.mu);
	pool.stop = true;
	pthread_cond_broadcast(&pool.work);
	double until = mono_now() + 2;
	while (pool.n_usable > 0 && mono_now() < until) {
		struct timespec ts = { .tv_sec = (time_t)until };
		pthread_cond_timedwait(&pool.done, &pool.mu, &ts);
	}
	if (pool.n_stuck == 0) {
		for (size_t i = 0; i < pool.n_keys; i++)
			free(pool.stuck[i].key);
		free(pool.stuck);
		pool.stuck = NULL;
		pool.n_keys = pool.cap_keys = 0;
	}
	pthread_mutex_unlock(&pool.mu);
}

/* For tests: the number of threads given up on and of mountpoints recorded as stuck. */
void filesystem_pool_stats(unsigned *usable, unsigned *stuck, size_t *stuck_mounts);
void filesystem_pool_stats(unsigned *usable, unsigned *stuck, size_t *stuck_mounts)
{
	pthread_mutex_lock(&pool.mu);
	*usable = pool.n_usable;
	*stuck = pool.n_stuck;
	*stuck_mounts = pool.n_keys;
	pthread_mutex_unlock(&pool.mu);
}

COLLECTOR(filesystem, .default_on = true, .flags = filesystem_flags, .init = filesystem_init,
	  .fini = filesystem_fini);
