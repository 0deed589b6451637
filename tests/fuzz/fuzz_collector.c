/* libFuzzer driver for one collector, compiled once per collector with -DFUZZ_COLLECTOR=<name> (the
 * Makefile makes build-fuzz/fuzz_<name> for every collectors/<name>.c that reads outside input).
 *
 * Each input is an archive of (path, content) entries (format: fuzz_common.h, tests/fuzz/README.md). The
 * driver writes the files into a fixture root on tmpfs, points nodex_paths at it as the unit tests do
 * (procfs <root>/proc, sysfs <root>/sys, rootfs <root>, udev data <root>/udev), sets the collector's flags
 * (defaults, the paths below, then "@flags" from the input), runs init, collect and fini, renders the
 * metric set with expo_render and checks the exposition (fz_expo_check). Afterwards it removes exactly
 * what it created, so the root is reused from one input to the next.
 *
 * What is not a file comes from the input as well: "@nl" entries are the kernel's netlink replies, in
 * the order the requests are sent (nl_fake); "@ethtool/<dev>/<cmd>", "@adjtimex" and "@statfs/<path>"
 * answer the ethtool ioctl, adjtimex(2) and statfs(2) through the collectors' test hooks.
 *
 * Invariants checked besides the sanitizers: the exposition is valid text format, and no file
 * descriptor is left open after fini. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/timex.h>

#include "collector.h"
#include "../unit/ethtool_cmd.h"
#include "exposition.h"
#include "fuzz_common.h"
#include "netlink.h"

#ifndef FUZZ_COLLECTOR
#error "compile with -DFUZZ_COLLECTOR=<collector name>"
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define STR_(x) #x
#define STR(x) STR_(x)

extern const struct collector CAT(collector_, FUZZ_COLLECTOR);
static const struct collector *const coll = &CAT(collector_, FUZZ_COLLECTOR);

/* The collectors' test hooks for what is not a file. */
extern int (*ethtool_test_ioctl)(const char *ifname, void *cmd);
extern int (*filesystem_statfs)(const char *path, struct statfs *buf);
extern int (*timex_adjtimex)(struct timex *tx);
extern const char *network_route_rt_tables;
extern const char *network_route_rt_tables_d;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Flags with a path: kept inside the fixture root. "@ROOT@" is the root. */
static const struct {
	const char *collector;
	const char *args[4];
} fixed_args[] = {
	{ "container", { "collector.container.pod-logs-dir=@ROOT@/var/log/pods",
			 "collector.container.container-logs-dir=@ROOT@/var/log/containers" } },
	{ "pcidevice", { "collector.pcidevice.idsfile=@ROOT@/pci.ids" } },
	{ "textfile", { "collector.textfile.directory=@ROOT@/textfile" } },
};

/* Flags the input may not set: they only change how many threads run and how long they wait. */
static const char *const denied_flags[] = {
	"collector.filesystem.mount-timeout",
	"collector.filesystem.stat-workers",
};

#define MAX_PATH 512
#define MAX_DEPTH 24

/* FUZZ_PRINT=1: print what the collector returned and rendered (checking seeds by hand). FUZZ_TRACE=1:
 * mark the collector's run with access() calls on two marker paths, for tests/fuzz/make-seeds.py, which
 * runs the target under strace to learn which files the collector reads. */
static bool print_output, trace_marks;
static char root[256];
static size_t root_len;
static char proc_path[300], sys_path[300], udev_path[300], rt_tables[300], rt_tables_d[300];

/* What this input created, in creation order, removed in reverse. */
struct made {
	char *path; /* absolute */
	bool dir;
};
static struct made made[FZ_MAX_ENTRIES * 4];
static size_t n_made;
static char *links[FZ_MAX_ENTRIES]; /* relative paths of the symlinks made */
static size_t n_links;

/* The pseudo entries of the current input. */
static struct fz_entry entries[FZ_MAX_ENTRIES];
static size_t n_entries;
static const struct fz_entry *nl_replies[FZ_MAX_ENTRIES];
static size_t n_nl, nl_next;

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static bool hdr_is(const struct fz_entry *e, const char *s)
{
	size_t n = strlen(s);
	return e->hdr_len == n && memcmp(e->hdr, s, n) == 0;
}

static const struct fz_entry *pseudo_find(const char *name)
{
	for (size_t i = 0; i < n_entries; i++)
		if (hdr_is(&entries[i], name))
			return &entries[i];
	return NULL;
}

/* ---- fake kernel interfaces ---- */

static int fake_nl(int protocol, const struct nlmsghdr *req, const void *payload, size_t len, struct strbuf *reply)
{
	(void)protocol;
	(void)payload;
	(void)len;
	if (nl_next >= n_nl)
		return -ECONNREFUSED;
	const struct fz_entry *e = nl_replies[nl_next++];
	size_t off = reply->len;
	if (sb_append(reply, (const char *)e->data, e->len) < 0)
		return -ENOMEM;
	/* A sequence number of 0 in the input stands for the request's: the fuzzer need not guess it. */
	for (size_t o = off; o + sizeof(struct nlmsghdr) <= reply->len;) {
		struct nlmsghdr h;
		memcpy(&h, reply->p + o, sizeof(h));
		if (h.nlmsg_seq == 0) {
			h.nlmsg_seq = req->nlmsg_seq;
			memcpy(reply->p + o, &h, sizeof(h));
		}
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > reply->len - o)
			break; /* also keeps NLMSG_ALIGN from wrapping a length near 4 GiB to 0 */
		o += NLMSG_ALIGN((size_t)h.nlmsg_len);
	}
	return 0;
}

/* The first byte of an ioctl or system call entry is the errno to fail with, 0 for success. */
static int fake_ethtool(const char *ifname, void *cmd)
{
	uint32_t c;
	const char *name;
	size_t size;
	char key[MAX_PATH];

	if (!ethtool_cmd_info(cmd, &name, &size))
		return -EOPNOTSUPP;
	snprintf(key, sizeof(key), "@ethtool/%s/%s", ifname, name);
	const struct fz_entry *e = pseudo_find(key);
	if (!e)
		return -EOPNOTSUPP;
	if (e->len && e->data[0])
		return -(int)e->data[0];
	/* The reply overwrites what follows the command word, as far as the caller's buffer goes. */
	size_t n = e->len ? e->len - 1 : 0;
	if (n > size - sizeof(c))
		n = size - sizeof(c);
	memcpy((char *)cmd + sizeof(c), e->data + 1, n);
	return 0;
}

static int fake_adjtimex(struct timex *tx)
{
	const struct fz_entry *e = pseudo_find("@adjtimex");
	int state;

	if (!e || e->len < 1 + sizeof(state)) {
		errno = EPERM;
		return -1;
	}
	if (e->data[0]) {
		errno = e->data[0];
		return -1;
	}
	memcpy(&state, e->data + 1, sizeof(state));
	memset(tx, 0, sizeof(*tx));
	size_t n = e->len - 1 - sizeof(state);
	memcpy(tx, e->data + 1 + sizeof(state), n < sizeof(*tx) ? n : sizeof(*tx));
	return state;
}

/* Runs on the filesystem collector's worker threads: reads the entries only. */
static int fake_statfs(const char *path, struct statfs *buf)
{
	char key[MAX_PATH + 16];
	const char *rel = path;

	if (strncmp(path, root, root_len) == 0 && (path[root_len] == '/' || !path[root_len]))
		rel = path + root_len;
	while (*rel == '/')
		rel++;
	snprintf(key, sizeof(key), "@statfs/%s", rel);
	const struct fz_entry *e = pseudo_find(key);
	if (!e)
		e = pseudo_find("@statfs");
	memset(buf, 0, sizeof(*buf));
	if (!e) {
		/* A plain, half-full filesystem. */
		buf->f_type = 0xEF53;
		buf->f_bsize = 4096;
		buf->f_blocks = 262144;
		buf->f_bfree = 131072;
		buf->f_bavail = 120000;
		buf->f_files = 65536;
		buf->f_ffree = 60000;
		return 0;
	}
	if (e->len && e->data[0]) {
		errno = e->data[0];
		return -1;
	}
	size_t n = e->len ? e->len - 1 : 0;
	memcpy(buf, e->data + 1, n < sizeof(*buf) ? n : sizeof(*buf));
	return 0;
}

/* ---- the fixture tree ---- */

/* Normalizes a header path: relative, no "." or ".." components, no empty ones. Returns false when the
 * path is unusable. depth gets the number of components. */
static bool clean_path(const char *in, size_t len, char *out, size_t size, int *depth)
{
	size_t o = 0, i = 0;

	*depth = 0;
	if (memchr(in, '\0', len))
		return false;
	while (i < len) {
		while (i < len && in[i] == '/')
			i++;
		size_t s = i;
		while (i < len && in[i] != '/')
			i++;
		size_t n = i - s;
		if (n == 0)
			break;
		if ((n == 1 && in[s] == '.') || (n == 2 && in[s] == '.' && in[s + 1] == '.') || n > 255)
			return false;
		if (o + n + 2 > size || ++*depth > MAX_DEPTH)
			return false;
		if (o)
			out[o++] = '/';
		memcpy(out + o, in + s, n);
		o += n;
	}
	out[o] = '\0';
	return o > 0;
}

/* A symlink target must stay inside the root: relative, a run of ".." no longer than the link's
 * directory is deep, then plain names. */
static bool clean_target(const char *in, size_t len, int link_depth, char *out, size_t size)
{
	int up = 0;
	size_t i = 0;

	if (!len || len >= size || in[0] == '/' || memchr(in, '\0', len))
		return false;
	while (i + 2 <= len && in[i] == '.' && in[i + 1] == '.' && (i + 2 == len || in[i + 2] == '/')) {
		up++;
		i += i + 2 == len ? 2 : 3;
	}
	if (up > link_depth - 1)
		return false;
	for (size_t s = i; s < len;) {
		size_t e = s;
		while (e < len && in[e] != '/')
			e++;
		size_t n = e - s;
		if ((n == 1 && in[s] == '.') || (n == 2 && in[s] == '.' && in[s + 1] == '.'))
			return false;
		s = e + 1;
	}
	memcpy(out, in, len);
	out[len] = '\0';
	return true;
}

static void made_push(const char *abs, bool dir)
{
	if (n_made < ARRAY_SIZE(made) && (made[n_made].path = strdup(abs)))
		made[n_made++].dir = dir;
}

/* True when a parent of rel is a symlink this input made: writing through it could leave the root. */
static bool under_link(const char *rel)
{
	for (size_t i = 0; i < n_links; i++) {
		size_t n = strlen(links[i]);
		if (strncmp(rel, links[i], n) == 0 && (rel[n] == '/' || rel[n] == '\0'))
			return true;
	}
	return false;
}

/* Creates the directories above rel (relative). Returns false on failure. */
static bool make_parents(const char *rel)
{
	char abs[MAX_PATH + 300];
	int n = snprintf(abs, sizeof(abs), "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= sizeof(abs))
		return false;
	for (char *p = abs + root_len + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(abs, 0755) == 0)
			made_push(abs, true);
		else if (errno != EEXIST)
			return false;
		*p = '/';
	}
	return true;
}

static void write_entry(const struct fz_entry *e)
{
	char rel[MAX_PATH], target[MAX_PATH], abs[MAX_PATH + 300];
	const char *arrow = NULL;
	size_t plen = e->hdr_len;
	int depth;

	for (size_t i = 0; i + 4 <= e->hdr_len; i++)
		if (memcmp(e->hdr + i, " -> ", 4) == 0) {
			arrow = e->hdr + i;
			plen = i;
			break;
		}
	if (!clean_path(e->hdr, plen, rel, sizeof(rel), &depth) || under_link(rel) || !make_parents(rel))
		return;
	snprintf(abs, sizeof(abs), "%s/%s", root, rel);
	if (arrow) {
		if (n_links >= ARRAY_SIZE(links) ||
		    !clean_target(arrow + 4, e->hdr_len - plen - 4, depth, target, sizeof(target)))
			return;
		if (symlink(target, abs) == 0) {
			made_push(abs, false);
			links[n_links++] = strdup(rel);
			if (!links[n_links - 1])
				n_links--;
		}
		return;
	}
	if (e->hdr[e->hdr_len - 1] == '/') {
		if (mkdir(abs, 0755) == 0)
			made_push(abs, true);
		return;
	}
	int fd = open(abs, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		made_push(abs, false);
	} else if (errno == EEXIST) {
		fd = open(abs, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
	} else {
		return;
	}
	for (size_t off = 0; off < e->len;) {
		ssize_t w = write(fd, e->data + off, e->len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level == 0)
		return 0;
	return remove(path) < 0 ? 0 : 0;
}

static void make_base(void)
{
	mkdir(root, 0755);
	mkdir(proc_path, 0755);
	mkdir(sys_path, 0755);
}

/* Removes what this input made. Whatever is left over (nothing, unless something else wrote there) goes
 * with a full sweep. */
static void cleanup_tree(void)
{
	bool clean = true;

	while (n_made) {
		struct made *m = &made[--n_made];
		if ((m->dir ? rmdir(m->path) : unlink(m->path)) < 0 && errno != ENOENT)
			clean = false;
		free(m->path);
	}
	for (size_t i = 0; i < n_links; i++)
		free(links[i]);
	n_links = 0;
	if (!clean) {
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		make_base();
	}
}

static void remove_root(void)
{
	cleanup_tree();
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(root);
}

/* Roots left behind by fuzzers that crashed (their pid is gone). */
static void remove_stale_roots(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		char path[600];
		if (strncmp(de->d_name, "nodex-fuzz.", 11) != 0 || !dot)
			continue;
		long pid = strtol(dot + 1, NULL, 10);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/dev/shm/%s", de->d_name);
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		rmdir(path);
	}
	closedir(d);
}

/* ---- flags ---- */

static struct arena flag_arena;

/* Substitutes @ROOT@ at the start of v. */
static const char *flag_value(const char *v)
{
	if (strncmp(v, "@ROOT@", 6) == 0) {
		char *s = arena_printf(&flag_arena, "%s%s", root, v + 6);
		return s;
	}
	return arena_strdup(&flag_arena, v);
}

/* Sets one flag of the collector from "name=value", "name" or "no-name" (a leading "--" is allowed).
 * Values stay inside the fixture root: no "..", and a value with a "/" starts with @ROOT@/. */
static void set_flag(const char *line, enum flag_source src)
{
	char name[200], err[256];
	const char *eq, *value;
	bool neg = false;

	if (!coll->flags)
		return;
	if (line[0] == '-' && line[1] == '-')
		line += 2;
	eq = strchr(line, '=');
	size_t n = eq ? (size_t)(eq - line) : strlen(line);
	if (n == 0 || n >= sizeof(name))
		return;
	memcpy(name, line, n);
	name[n] = '\0';
	if (!eq && strncmp(name, "no-", 3) == 0)
		neg = true;
	struct flag *sets[1] = { coll->flags };
	struct flag *f = flag_find(sets, 1, neg ? name + 3 : name);
	if (!f)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(denied_flags); i++)
		if (streq(f->name, denied_flags[i]))
			return;
	if (eq) {
		value = eq + 1;
		if (strlen(value) > 1024 || strstr(value, "..") ||
		    (strchr(value, '/') && strncmp(value, "@ROOT@/", 7) != 0 && !streq(value, "@ROOT@")))
			return;
	} else if (f->type == FLAG_BOOL) {
		value = neg ? "false" : "true";
	} else {
		return;
	}
	if (!(value = flag_value(value)))
		return;
	flag_set(f, value, src, err, sizeof(err));
}

static void set_flags(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixed_args); i++)
		if (streq(fixed_args[i].collector, coll->name))
			for (size_t a = 0; a < ARRAY_SIZE(fixed_args[i].args) && fixed_args[i].args[a]; a++)
				set_flag(fixed_args[i].args[a], FLAG_SRC_FILE);
	for (size_t i = 0; i < n_entries; i++) {
		const struct fz_entry *e = &entries[i];
		if (!hdr_is(e, "@flags"))
			continue;
		char *text = arena_strndup(&flag_arena, (const char *)e->data, e->len);
		if (!text)
			return;
		char *p = text, *line;
		while ((line = next_line(&p))) {
			line = strip_trailing(line);
			while (*line == ' ' || *line == '\t')
				line++;
			if (*line && *line != '#')
				set_flag(line, FLAG_SRC_CMDLINE);
		}
	}
}

/* ---- libFuzzer ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	remove_stale_roots();
	snprintf(root, sizeof(root), "/dev/shm/nodex-fuzz.%s.%ld", coll->name, (long)getpid());
	root_len = strlen(root);
	snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
	snprintf(sys_path, sizeof(sys_path), "%s/sys", root);
	snprintf(udev_path, sizeof(udev_path), "%s/udev", root);
	snprintf(rt_tables, sizeof(rt_tables), "%s/etc/iproute2/rt_tables", root);
	snprintf(rt_tables_d, sizeof(rt_tables_d), "%s/etc/iproute2/rt_tables.d", root);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	make_base();
	atexit(remove_root);
	nodex_paths.procfs = proc_path;
	nodex_paths.sysfs = sys_path;
	nodex_paths.rootfs = root;
	nodex_paths.udev = udev_path;
	network_route_rt_tables = rt_tables;
	network_route_rt_tables_d = rt_tables_d;
	nl_fake = fake_nl;
	ethtool_test_ioctl = fake_ethtool;
	filesystem_statfs = fake_statfs;
	timex_adjtimex = fake_adjtimex;
	print_output = getenv("FUZZ_PRINT") != NULL;
	trace_marks = getenv("FUZZ_TRACE") != NULL;
	log_setup(print_output ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR, LOG_FORMAT_LOGFMT);
	if (coll->flags)
		flags_set_defaults(coll->flags);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct metric_set *sets[1] = { &ms };
	struct strbuf out = { 0 };
	struct expo e = { 0 };
	char err[512] = "";
	/* Counted per input: libFuzzer itself opens descriptors between inputs (the symbolizer's pipes). */
	int fds_before = count_fds();

	n_entries = fz_archive_split(data, size, entries, ARRAY_SIZE(entries));
	n_nl = nl_next = 0;
	for (size_t i = 0; i < n_entries; i++) {
		const struct fz_entry *en = &entries[i];
		if (!en->hdr_len)
			continue;
		if (en->hdr[0] == '@') {
			if (hdr_is(en, "@nl"))
				nl_replies[n_nl++] = en;
			continue;
		}
		write_entry(en);
	}
	set_flags();
	if (trace_marks)
		(void)access("/nodex-fuzz-trace-begin", F_OK);
	if (coll->init && coll->init(err, sizeof(err)) < 0) {
		if (print_output)
			fprintf(stderr, "init: %s\n", err);
	} else {
		int r = coll->collect(&ctx);
		if (print_output)
			fprintf(stderr, "collect: %d %s\n", r, ctx.err);
		if (expo_render(&e, &out, sets, 1) == 0) {
			size_t line = 0;
			if (print_output)
				fprintf(stderr, "%s", out.p ? out.p : "");
			const char *bad = fz_expo_check(out.p ? out.p : "", out.len, &line);
			if (bad) {
				fprintf(stderr, "fuzz_%s: invalid exposition, line %zu: %s\n%s\n", coll->name, line, bad,
					out.p);
				abort();
			}
		}
		if (coll->fini)
			coll->fini();
	}
	if (trace_marks)
		(void)access("/nodex-fuzz-trace-end", F_OK);
	if (coll->flags)
		flags_set_defaults(coll->flags);
	arena_reset(&flag_arena);
	expo_free(&e);
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	sb_free(&out);
	cleanup_tree();
	int fds = count_fds();
	if (fds_before >= 0 && fds > fds_before) {
		fprintf(stderr, "fuzz_%s: %d file descriptors left open after fini\n", coll->name, fds - fds_before);
		abort();
	}
	return 0;
}
