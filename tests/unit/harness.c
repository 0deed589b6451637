#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "exposition.h"
#include "harness.h"

int test_failures;
int test_checks;
char test_last_error[512];

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
	if (c->init && (r = c->init(err, sizeof(err))) < 0) {
		fprintf(stderr, "  init failed: %s\n", err);
		snprintf(test_last_error, sizeof(test_last_error), "%s", err);
		return r;
	}
	r = c->collect(&ctx);
	if (r >= 0 && ms.error)
		r = ms.error;
	snprintf(test_last_error, sizeof(test_last_error), "%s", ctx.err);
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
