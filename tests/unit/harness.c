#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/ethtool.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/timex.h>

#include "ethtool_cmd.h"
#include "exposition.h"
#include "harness.h"
#include "netlink.h"

int test_failures;
int test_checks;
char test_last_error[512];
char test_last_warn[512];

void test_check_str(const char *file, int line, const char *got, const char *want)
{
	test_checks++;
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
		test_failures++;
		fprintf(stderr, "%s:%d: got:\n%s\n--- want:\n%s\n", file, line, got ? got : "(null)",
			want ? want : "(null)");
	}
}

void test_check_int(const char *file, int line, const char *expr, long long got, long long want)
{
	test_checks++;
	if (got != want) {
		test_failures++;
		fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", file, line, expr, got, want);
	}
}

int test_summary(const char *prog)
{
	const char *base = strrchr(prog, '/');

	printf("%s: %d checks, %d failed\n", base ? base + 1 : prog, test_checks, test_failures);
	return test_failures ? 1 : 0;
}

bool test_qemu_lacks(const char *what)
{
	const char *arch = getenv("NODEX_QEMU_USER");

	if (!arch || !*arch)
		return false;
	printf("%s: not emulated by qemu-user (%s), live test skipped\n", what, arch);
	return true;
}

static char root[256];
static char proc_path[300], sys_path[300], udev_path[300];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void test_remove_root(void)
{
	if (root[0])
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

const char *test_make_root(const struct tfile *files, size_t n)
{
	char path[1024];

	test_remove_root();
	fdcache_close_all();
	snprintf(root, sizeof(root), "/tmp/nodex-test.XXXXXX");
	if (!mkdtemp(root))
		return NULL;
	snprintf(proc_path, sizeof(proc_path), "%s/proc", root);
	snprintf(sys_path, sizeof(sys_path), "%s/sys", root);
	snprintf(udev_path, sizeof(udev_path), "%s/udev", root);
	mkdir(proc_path, 0755);
	mkdir(sys_path, 0755);
	nodex_paths.procfs = proc_path;
	nodex_paths.sysfs = sys_path;
	nodex_paths.rootfs = root;
	nodex_paths.udev = udev_path;
	for (size_t i = 0; i < n && files[i].path; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i].path);
		if (!files[i].content) {
			if (mkdir_p(path) < 0)
				return NULL;
			continue;
		}
		char *slash = strrchr(path, '/');
		*slash = '\0';
		if (mkdir_p(path) < 0)
			return NULL;
		*slash = '/';
		if (strncmp(files[i].content, "->", 2) == 0) {
			if (symlink(files[i].content + 2, path) < 0)
				return NULL;
			continue;
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return NULL;
		size_t len = strlen(files[i].content);
		if (write(fd, files[i].content, len) != (ssize_t)len) {
			close(fd);
			return NULL;
		}
		close(fd);
	}
	return root;
}


/* ---- fuzz seeds ----
 * With NODEX_FUZZ_SEEDS=<dir> in the environment, every collector run on a tree made by test_make_root is
 * also written as an input for that collector's fuzz target (tests/fuzz/fuzz_collector.c), as
 * <dir>/<collector>/<test program>-<n>: the tree, the flags that differ from their defaults, and what
 * netlink, the ethtool ioctl, statfs and adjtimex answered during the run (the tests' fakes, or the real
 * calls). tests/fuzz/make-seeds.py collects them into the seed corpora. */

extern int (*ethtool_test_ioctl)(const char *ifname, void *cmd);
extern int (*filesystem_statfs)(const char *path, struct statfs *buf);
extern int (*timex_adjtimex)(struct timex *tx);

static struct strbuf rec_pseudo; /* the pseudo entries, archive text */
static bool rec_bad;             /* something could not be represented: no seed */
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static nl_fake_fn rec_nl_inner;
static int (*rec_ethtool_inner)(const char *ifname, void *cmd);
static int (*rec_statfs_inner)(const char *path, struct statfs *buf);
static int (*rec_adjtimex_inner)(struct timex *tx);

/* Appends one archive entry: a separating newline before every entry but the first, then the header line
 * and the content. Content holding a header line cannot be represented. */
static void rec_entry(struct strbuf *b, const char *hdr, const void *data, size_t len)
{
	const char *p = data;

	for (size_t i = 0; i + 5 <= len; i++)
		if (p[i] == '\n' && memcmp(p + i + 1, "==> ", 4) == 0)
			rec_bad = true;
	if (len >= 4 && memcmp(p, "==> ", 4) == 0)
		rec_bad = true;
	if (strchr(hdr, '\n'))
		rec_bad = true;
	if (b->len)
		sb_putc(b, '\n');
	sb_printf(b, "==> %s\n", hdr);
	sb_append(b, p ? p : "", len);
}

static void rec_status_entry(const char *hdr, int err, const void *data, size_t len)
{
	struct strbuf e = { 0 };
	unsigned char st = err > 0 ? (unsigned char)(err > 255 ? 255 : err) : 0;

	sb_append(&e, (const char *)&st, 1);
	if (!st && len)
		sb_append(&e, data, len);
	pthread_mutex_lock(&rec_lock);
	rec_entry(&rec_pseudo, hdr, e.p, e.len);
	pthread_mutex_unlock(&rec_lock);
	sb_free(&e);
}

static int rec_nl(int protocol, const struct nlmsghdr *req, const void *payload, size_t len, struct strbuf *reply)
{
	size_t off = reply->len;
	int r = rec_nl_inner(protocol, req, payload, len, reply);
	struct strbuf e = { 0 };

	if (r == 0)
		sb_append(&e, reply->p + off, reply->len - off);
	/* The request's sequence number is written as 0, which the fuzz target replaces with its own. */
	for (size_t o = 0; o + sizeof(struct nlmsghdr) <= e.len;) {
		struct nlmsghdr h;
		memcpy(&h, e.p + o, sizeof(h));
		if (h.nlmsg_seq == req->nlmsg_seq) {
			h.nlmsg_seq = 0;
			memcpy(e.p + o, &h, sizeof(h));
		}
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > e.len - o)
			break; /* also keeps NLMSG_ALIGN from wrapping a length near 4 GiB to 0 */
		o += NLMSG_ALIGN((size_t)h.nlmsg_len);
	}
	pthread_mutex_lock(&rec_lock);
	rec_entry(&rec_pseudo, "@nl", e.p, e.len);
	pthread_mutex_unlock(&rec_lock);
	sb_free(&e);
	return r;
}

static int rec_ethtool(const char *ifname, void *cmd)
{
	const char *name = NULL;
	size_t size = 0;
	char hdr[128];

	if (!ethtool_cmd_info(cmd, &name, &size))
		name = NULL;
	int r = rec_ethtool_inner(ifname, cmd);
	if (name) {
		snprintf(hdr, sizeof(hdr), "@ethtool/%s/%s", ifname, name);
		rec_status_entry(hdr, r < 0 ? -r : 0, (char *)cmd + sizeof(uint32_t), size - sizeof(uint32_t));
	}
	return r;
}

static int rec_statfs(const char *path, struct statfs *buf)
{
	char hdr[1100];
	const char *rel = path;
	size_t n = strlen(root);

	if (strncmp(path, root, n) == 0)
		rel = path + n;
	while (*rel == '/')
		rel++;
	int r = rec_statfs_inner(path, buf);
	int e = r < 0 ? errno : 0;
	snprintf(hdr, sizeof(hdr), "@statfs/%s", rel);
	rec_status_entry(hdr, r < 0 ? (e ? e : EIO) : 0, buf, sizeof(*buf));
	errno = e;
	return r;
}

static int rec_adjtimex(struct timex *tx)
{
	int r = rec_adjtimex_inner(tx);
	int e = errno;
	char data[sizeof(int) + sizeof(*tx)];

	memcpy(data, &r, sizeof(r));
	memcpy(data + sizeof(r), tx, sizeof(*tx));
	rec_status_entry("@adjtimex", r < 0 ? (e ? e : EIO) : 0, data, sizeof(data));
	errno = e;
	return r;
}

static const char *seed_dir(void)
{
	const char *d = getenv("NODEX_FUZZ_SEEDS");

	return d && *d && root[0] && nodex_paths.rootfs == root ? d : NULL;
}

static void rec_begin(void)
{
	if (!seed_dir())
		return;
	sb_reset(&rec_pseudo);
	rec_bad = false;
	if (nl_fake) {
		rec_nl_inner = nl_fake;
		nl_fake = rec_nl;
	}
	if (ethtool_test_ioctl) {
		rec_ethtool_inner = ethtool_test_ioctl;
		ethtool_test_ioctl = rec_ethtool;
	}
	rec_statfs_inner = filesystem_statfs;
	filesystem_statfs = rec_statfs;
	rec_adjtimex_inner = timex_adjtimex;
	timex_adjtimex = rec_adjtimex;
}

struct tree_item {
	char *rel;
	int kind; /* 0 file, 1 empty directory, 2 symlink */
};
static struct tree_item *tree_items;
static size_t n_tree_items, cap_tree_items;

static int tree_add(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	size_t n = strlen(root);
	const char *rel = path + n;
	int kind;

	while (*rel == '/')
		rel++;
	if (!*rel)
		return 0;
	if (flag == FTW_SL || flag == FTW_SLN)
		kind = 2;
	else if (flag == FTW_D || flag == FTW_DNR || flag == FTW_DP)
		kind = 1;
	else if (S_ISREG(st->st_mode))
		kind = 0;
	else
		return 0;
	if (kind == 1) {
		/* Only empty directories need an entry; the others come with their files. */
		DIR *d = opendir(path);
		struct dirent *de;
		bool empty = true;
		while (d && (de = readdir(d)))
			if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
				empty = false;
		if (d)
			closedir(d);
		if (!empty)
			return 0;
	}
	if (n_tree_items == cap_tree_items) {
		cap_tree_items = cap_tree_items ? cap_tree_items * 2 : 64;
		tree_items = realloc(tree_items, cap_tree_items * sizeof(*tree_items));
		if (!tree_items)
			return 1;
	}
	tree_items[n_tree_items].rel = strdup(rel);
	tree_items[n_tree_items++].kind = kind;
	return 0;
}

static int cmp_tree_item(const void *a, const void *b)
{
	return strcmp(((const struct tree_item *)a)->rel, ((const struct tree_item *)b)->rel);
}

/* A flag value with the fixture root written as @ROOT@. */
static void rec_flag_value(struct strbuf *b, const char *v)
{
	size_t n = strlen(root);

	if (strncmp(v, root, n) == 0) {
		sb_puts(b, "@ROOT@");
		v += n;
	}
	sb_puts(b, v);
}

static void rec_end(const struct collector *c)
{
	const char *dir = seed_dir();
	static unsigned counter;
	struct strbuf out = { 0 }, flags = { 0 }, body = { 0 };
	char path[1024];

	if (!dir)
		return;
	if (rec_nl_inner) {
		nl_fake = rec_nl_inner;
		rec_nl_inner = NULL;
	}
	if (rec_ethtool_inner) {
		ethtool_test_ioctl = rec_ethtool_inner;
		rec_ethtool_inner = NULL;
	}
	filesystem_statfs = rec_statfs_inner;
	timex_adjtimex = rec_adjtimex_inner;

	n_tree_items = 0;
	nftw(root, tree_add, 16, FTW_PHYS);
	qsort(tree_items, n_tree_items, sizeof(*tree_items), cmp_tree_item);
	for (size_t i = 0; i < n_tree_items; i++) {
		struct tree_item *t = &tree_items[i];
		char hdr[2300];
		snprintf(path, sizeof(path), "%s/%s", root, t->rel);
		if (t->kind == 2) {
			char target[1024];
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			if (n >= 0) {
				target[n] = '\0';
				snprintf(hdr, sizeof(hdr), "%s -> %s", t->rel, target);
				rec_entry(&out, hdr, NULL, 0);
			}
		} else if (t->kind == 1) {
			snprintf(hdr, sizeof(hdr), "%s/", t->rel);
			rec_entry(&out, hdr, NULL, 0);
		} else if (file_read(path, &body) >= 0) {
			rec_entry(&out, t->rel, body.p, body.len);
		}
		free(t->rel);
	}
	for (struct flag *f = c->flags; f && f->name; f++) {
		if (f->source == FLAG_SRC_DEFAULT)
			continue;
		switch (f->type) {
		case FLAG_BOOL:
			sb_printf(&flags, "%s%s\n", *(bool *)f->target ? "" : "no-", f->name);
			break;
		case FLAG_STRING:
			if (*(const char **)f->target) {
				sb_printf(&flags, "%s=", f->name);
				rec_flag_value(&flags, *(const char **)f->target);
				sb_putc(&flags, '\n');
			}
			break;
		case FLAG_STRINGS: {
			struct strlist *l = f->target;
			for (size_t i = 0; i < l->n; i++) {
				sb_printf(&flags, "%s=", f->name);
				rec_flag_value(&flags, l->v[i]);
				sb_putc(&flags, '\n');
			}
			break;
		}
		case FLAG_INT:
			sb_printf(&flags, "%s=%ld\n", f->name, *(long *)f->target);
			break;
		case FLAG_DURATION:
			sb_printf(&flags, "%s=%gs\n", f->name, *(double *)f->target);
			break;
		}
	}
	if (flags.len)
		rec_entry(&out, "@flags", flags.p, flags.len);
	if (rec_pseudo.len) {
		if (out.len)
			sb_putc(&out, '\n');
		sb_append(&out, rec_pseudo.p, rec_pseudo.len);
	}
	if (!rec_bad && !out.err) {
		snprintf(path, sizeof(path), "%s/%s", dir, c->name);
		mkdir(dir, 0755);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%s/%s-%u", dir, c->name, program_invocation_short_name, counter++);
		FILE *f = fopen(path, "w");
		if (f) {
			fwrite(out.p ? out.p : "", 1, out.len, f);
			fclose(f);
		}
	}
	sb_free(&out);
	sb_free(&flags);
	sb_free(&body);
}

int test_run_collector(const struct collector *c, struct strbuf *out)
{
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct expo e = { 0 };
	struct metric_set *sets[1] = { &ms };
	char err[512] = "";
	int r = 0;

	sb_reset(out);
	test_last_error[0] = '\0';
	test_last_warn[0] = '\0';
	if (c->init && (r = c->init(err, sizeof(err))) < 0) {
		fprintf(stderr, "  init failed: %s\n", err);
		snprintf(test_last_error, sizeof(test_last_error), "%s", err);
		return r;
	}
	rec_begin();
	r = c->collect(&ctx);
	rec_end(c);
	if (r >= 0 && ms.error)
		r = ms.error;
	snprintf(test_last_error, sizeof(test_last_error), "%s", ctx.err);
	snprintf(test_last_warn, sizeof(test_last_warn), "%s", ctx.warn);
	sb_reset(out);
	expo_render(&e, out, sets, 1);
	if (e.n_errors)
		fprintf(stderr, "  render errors: %s", e.errors.p);
	if (c->fini)
		c->fini();
	expo_free(&e);
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	return r;
}

int test_collect(const struct collector *c, struct collect_ctx *ctx, struct strbuf *out)
{
	struct expo e = { 0 };
	struct metric_set *sets[1] = { ctx->ms };

	metric_set_reset(ctx->ms);
	ctx->err[0] = ctx->warn[0] = '\0';
	ctx->n_warn = 0;
	int r = c->collect(ctx);
	if (r >= 0 && ctx->ms->error)
		r = ctx->ms->error;
	snprintf(test_last_error, sizeof(test_last_error), "%s", ctx->err);
	snprintf(test_last_warn, sizeof(test_last_warn), "%s", ctx->warn);
	sb_reset(out);
	if (sb_reserve(out, 1) == 0) /* out->p is a string even when nothing is rendered */
		out->p[0] = '\0';
	expo_render(&e, out, sets, 1);
	expo_free(&e);
	return r;
}

void test_ctx_free(struct collect_ctx *ctx)
{
	metric_set_free(ctx->ms);
	sb_free(&ctx->buf);
	sb_free(&ctx->path);
}

int test_write_file(const char *path, const void *content, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	size_t n = fwrite(content, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

/* Drops "# HELP" and "# TYPE" lines, and with a needle every line that lacks it. */
void test_keep_samples(struct strbuf *b, const char *needle)
{
	size_t o = 0;
	char *p = b->p;

	if (!p)
		return;
	while (*p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (p[0] != '#' && (!needle || memmem(p, len, needle, strlen(needle)))) {
			memmove(b->p + o, p, len);
			o += len;
		}
		p += len;
	}
	b->len = o;
	b->p[o] = '\0';
}

int test_collector_cases(const struct collector *c, const struct collector_case *cases, size_t n)
{
	struct strbuf out = { 0 };
	int failed = 0;
	char err[512];

	for (size_t i = 0; i < n; i++) {
		const struct collector_case *k = &cases[i];
		size_t nf = 0;
		while (nf < TEST_MAX_FILES && k->files[nf].path)
			nf++;
		const char *case_root = test_make_root(k->files, nf);
		if (!case_root) {
			fprintf(stderr, "%s: case '%s': cannot write the fixture tree\n", c->name, k->name);
			failed++;
			continue;
		}
		if (c->flags)
			flags_set_defaults(c->flags);
		bool args_ok = true;
		/* "@ROOT@" in an argument stands for the case's fixture root (flags that take a path). The
		 * flags keep pointers into these buffers until the defaults are restored below. */
		char subst[TEST_MAX_ARGS][1024];
		for (size_t a = 0; a < TEST_MAX_ARGS && k->args[a]; a++) {
			const char *at = strstr(k->args[a], "@ROOT@");
			if (at)
				snprintf(subst[a], sizeof(subst[a]), "%.*s%s%s", (int)(at - k->args[a]), k->args[a], case_root,
					 at + 6);
			else
				snprintf(subst[a], sizeof(subst[a]), "%s", k->args[a]);
			const char *arg = subst[a] + 2;
			const char *eq = strchr(arg, '=');
			char name[200];
			size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
			snprintf(name, sizeof(name), "%.*s", (int)len, arg);
			bool neg = strncmp(name, "no-", 3) == 0;
			struct flag *sets[1] = { c->flags };
			struct flag *f = flag_find(sets, 1, neg ? name + 3 : name);
			if (!f || flag_set(f, eq ? eq + 1 : neg ? "false" : "true", FLAG_SRC_CMDLINE, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s: case '%s': bad arg %s\n", c->name, k->name, k->args[a]);
				args_ok = false;
			}
		}
		int r = args_ok ? test_run_collector(c, &out) : -EINVAL;
		if (!k->full)
			test_keep_samples(&out, k->needle);
		bool ok = args_ok && ((r < 0) == (k->expect_fail != 0)) && streq(out.p ? out.p : "", k->expect ? k->expect : "");
		test_checks++;
		if (args_ok && (k->warn ? !strstr(test_last_warn, k->warn) : test_last_warn[0] != '\0')) {
			fprintf(stderr, "%s: case '%s': reported problem \"%s\", want \"%s\"\n", c->name, k->name,
				test_last_warn, k->warn ? k->warn : "");
			ok = false;
		}
		if (!ok) {
			failed++;
			test_failures++;
			fprintf(stderr, "%s: case '%s' failed (rc %d, want %s; collector said: %s)\n--- got:\n%s--- want:\n%s---\n",
				c->name, k->name, r, k->expect_fail ? "failure" : "success", test_last_error,
				out.p ? out.p : "", k->expect ? k->expect : "");
		}
		if (c->flags)
			flags_set_defaults(c->flags);
	}
	test_remove_root();
	sb_free(&out);
	return failed;
}
