/* The readers of fileio.h and the parsers of parse.h. */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>

#include "harness.h"

static void test_parse_u64(void)
{
	static const struct {
		const char *in;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "  42", 0, 42 },
		{ "+7", 0, 7 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "-1", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 },
		{ "12abc", -EINVAL, 0 },
		{ "12 34", 0, 12 },
		{ "12\n", 0, 12 },
		{ "0x10", -EINVAL, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 12345;
		int r = parse_u64(cases[i].in, NULL, &v);
		CHECK_INT(r, cases[i].rc);
		if (r == 0)
			CHECK(v == cases[i].v);
		else
			CHECK(v == 12345); /* nothing written on error */
	}
	const char *end;
	uint64_t v;
	CHECK_INT(parse_u64("123kB", &end, &v), 0);
	CHECK(v == 123 && streq(end, "kB"));
}

static void test_parse_i64_hex_double(void)
{
	int64_t i;
	uint64_t h;
	double d;

	CHECK_INT(parse_i64("-5", NULL, &i), 0);
	CHECK(i == -5);
	CHECK_INT(parse_i64("-9223372036854775808", NULL, &i), 0);
	CHECK(i == INT64_MIN);
	CHECK_INT(parse_i64("9223372036854775808", NULL, &i), -ERANGE);
	CHECK_INT(parse_i64("--5", NULL, &i), -EINVAL);
	CHECK_INT(parse_i64("", NULL, &i), -EINVAL);
	CHECK_INT(parse_hex_u64("0x1f", NULL, &h), 0);
	CHECK(h == 31);
	CHECK_INT(parse_hex_u64("ffffffffffffffff", NULL, &h), 0);
	CHECK(h == UINT64_MAX);
	CHECK_INT(parse_hex_u64("1ffffffffffffffff", NULL, &h), -ERANGE);
	CHECK_INT(parse_hex_u64("0x", NULL, &h), -EINVAL);
	CHECK_INT(parse_hex_u64("zz", NULL, &h), -EINVAL);
	CHECK_INT(parse_double("0.25", NULL, &d), 0);
	CHECK(d == 0.25);
	CHECK_INT(parse_double("-1e3", NULL, &d), 0);
	CHECK(d == -1000);
	CHECK_INT(parse_double("1e999", NULL, &d), -ERANGE);
	CHECK_INT(parse_double("x1", NULL, &d), -EINVAL);
	CHECK_INT(parse_double("1.5x", NULL, &d), -EINVAL);
	CHECK_INT(parse_double("", NULL, &d), -EINVAL);
	CHECK_INT(parse_double("NaN", NULL, &d), 0);
	CHECK(isnan(d));
}

static void test_split(void)
{
	char buf[] = "a b\n\nc  d\te\n";
	char *p = buf, *line, *f[4];

	line = next_line(&p);
	CHECK_STR(line, "a b");
	line = next_line(&p);
	CHECK_STR(line, "");
	line = next_line(&p);
	CHECK_INT(split_fields(line, f, 4), 3);
	CHECK_STR(f[2], "e");
	CHECK(next_line(&p) == NULL);
	char s[] = "x  \n\t";
	CHECK_STR(strip_trailing(s), "x");
}

/* Kernel files that iterate (smaps, mountinfo, net/dev) hand out about a page per read(): the whole file
 * must still come back. */
static void test_read_iterating_seq_file(void)
{
	struct strbuf b = { 0 };

	for (int round = 0; round < 2; round++) { /* the second read goes through the cached descriptor */
		ssize_t n = file_read("/proc/self/smaps", &b);
		CHECK(n > 8192);
		CHECK((size_t)n == strlen(b.p));
		char *last = strrchr(b.p, '\n');
		CHECK(last && last[1] == '\0');
		*last = '\0';
		char *prev = strrchr(b.p, '\n');
		CHECK(prev && startswith(prev + 1, "VmFlags:"));
	}
	sb_free(&b);
}

static void test_read_regular_and_errors(void)
{
	struct strbuf b = { 0 };
	char path[] = "/tmp/nodex-procfs-XXXXXX";
	int fd = mkstemp(path);
	char big[20000];

	memset(big, 'x', sizeof(big));
	CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	close(fd);
	CHECK_INT(file_read(path, &b), (long long)sizeof(big));
	/* Rewritten by rename: a regular file is never cached, so the new content is seen. */
	char tmp2[] = "/tmp/nodex-procfs-XXXXXX";
	fd = mkstemp(tmp2);
	CHECK(write(fd, "1 2 3\n", 6) == 6);
	close(fd);
	CHECK(rename(tmp2, path) == 0);
	CHECK_INT(file_read(path, &b), 6);
	uint64_t v;
	CHECK_INT(file_read_u64(path, &b, &v), -EINVAL); /* "1 2 3" is not one number */
	unlink(path);
	CHECK_INT(file_read(path, &b), -ENOENT);
	CHECK_INT(file_read("/proc/self/nonexistent", &b), -ENOENT);
	/* A FIFO without a writer must not block. */
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_INT(file_read(path, &b), 0);
	unlink(path);
	sb_free(&b);
}

/* Issue 14, defect 5: a file that never ends (a symlink to /dev/zero in a mounted tree) was read up to
 * 256 MiB, a 531 MiB peak. Reads are capped by what the source can hold, fail past it, and give the
 * buffer back. Sources that are large but finite still read whole. */
static void test_read_caps(void)
{
	struct strbuf b = { 0 };
	char dir[] = "/tmp/nodex-procfs-XXXXXX", path[64], big[64];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/zero", dir);
	CHECK(symlink("/dev/zero", path) == 0);
	CHECK_INT(file_read(path, &b), -EFBIG);
	CHECK(b.cap <= 4096);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_INT(file_read_at(dfd, "zero", &b), -EFBIG);
	CHECK(b.cap <= 4096);
	close(dfd);
	CHECK_INT(file_read_attr(path, &b), -EFBIG);
	/* A regular file of 3 MiB (sparse: zeros) is read whole, past the check point. */
	snprintf(big, sizeof(big), "%s/big", dir);
	int fd = open(big, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 3 << 20) == 0 && pwrite(fd, "x", 1, (3 << 20) - 1) == 1);
	close(fd);
	CHECK_INT(file_read(big, &b), 3 << 20);
	CHECK(b.p && b.p[(3 << 20) - 1] == 'x');
	/* A procfs seq_file larger than the check point (iterating, st_size 0) is read whole too. */
	CHECK(file_read("/proc/self/smaps", &b) > 0);
	unlink(big);
	unlink(path);
	rmdir(dir);
	sb_free(&b);
}

static void test_paths(void)
{
	struct strbuf b = { 0 };

	nodex_paths.procfs = "/x/proc/";
	nodex_paths.rootfs = "/";
	CHECK_STR(path_build(&b, ROOT_PROC, "net/%s", "dev"), "/x/proc/net/dev");
	CHECK_STR(path_build(&b, ROOT_ROOTFS, "/etc/os-release"), "/etc/os-release");
	nodex_paths.rootfs = "/host";
	CHECK_STR(path_build(&b, ROOT_ROOTFS, "/etc/os-release"), "/host/etc/os-release");
	CHECK_STR(path_build(&b, ROOT_ROOTFS, "etc"), "/host/etc");
	/* The fast path and the vsnprintf fallback give the same text. */
	CHECK_STR(path_build(&b, ROOT_NONE, "/a/%s/%d/%u/%ld/%lu/%zu/%lld/%llu/%%", "x", -12, 7u, -3L, 4UL, (size_t)5,
			     -9223372036854775807LL - 1, 18446744073709551615ULL),
		  "/a/x/-12/7/-3/4/5/-9223372036854775808/18446744073709551615/%");
	CHECK_STR(path_build(&b, ROOT_NONE, "/cpu%02d/%x/%.3s", 7, 255, "abcdef"), "/cpu07/ff/abc");
	CHECK_STR(path_build(&b, ROOT_NONE, "no conversions"), "no conversions");
	sb_free(&b);
}

/* Which mount holds a path, and whether the roots are the kernel's own filesystems and local ones. */
static void test_mountinfo(void)
{
	static const char mi[] =
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
		"24 22 0:22 / /sys rw,nosuid shared:2 - sysfs sysfs rw\n"
		"25 22 0:23 / /run rw shared:5 - tmpfs tmpfs rw\n"
		"26 22 0:40 / /mnt/my\\040nfs rw - nfs4 srv:/x rw\n"
		"27 22 0:41 / /host/proc rw - proc proc rw\n"
		"28 22 0:42 / /mnt/hang rw - fuse.hangfs hangfs rw\n"
		"29 28 0:43 / /mnt/hang rw - tmpfs tmpfs rw\n"
		"30 22 0:44 / /procx rw - fuse.x x rw";
	static const struct {
		const char *path, *type;
	} cases[] = {
		{ "/", "ext4" },
		{ "/proc", "proc" },
		{ "/proc/net/dev", "proc" },
		{ "/procx/1", "fuse.x" },     /* a prefix only on a component boundary */
		{ "/processes", "ext4" },
		{ "/run/udev/data", "tmpfs" },
		{ "/mnt/my nfs/a", "nfs4" }, /* \040 is a space */
		{ "/mnt/my", "ext4" },
		{ "/host/proc", "proc" },
		{ "/mnt/hang/x", "tmpfs" }, /* stacked on the same point: the later mount is the one seen */
	};
	char type[32];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_INT(mountinfo_fstype(mi, cases[i].path, type, sizeof(type)), 0);
		CHECK_STR(type, cases[i].type);
	}
	CHECK_INT(mountinfo_fstype("22 1 8:1 / /a rw - ext4 x rw\n", "/b", type, sizeof(type)), -ENOENT);
	CHECK_INT(mountinfo_fstype("22 1 8:1 / / rw no-separator\n", "/", type, sizeof(type)), -EINVAL);
	CHECK_INT(mountinfo_fstype("22 1\n", "/", type, sizeof(type)), -EINVAL);
	CHECK_INT(mountinfo_fstype("1 1 0:1 / / rw - averyveryverylongfilesystemtypename x rw\n", "/", type, 8), -EINVAL);

	/* This process's own table: /proc and /sys are the kernel's; a fixture directory is not. */
	struct nodex_paths saved = nodex_paths;
	nodex_paths = (struct nodex_paths){ "/proc", "/sys", "/", "/run/udev/data" };
	bool live_may_block = paths_init();
	nodex_paths.procfs = "/tmp";
	CHECK(paths_init());
	nodex_paths.procfs = "/proc";
	nodex_paths.sysfs = "sys"; /* relative: against the working directory, which is no sysfs */
	CHECK(paths_init());
	nodex_paths = saved;
	/* Where the test runs, / may itself be a network filesystem; then the live roots may block too. */
	char root_type[64];
	struct strbuf b = { 0 };
	CHECK(file_read("/proc/self/mountinfo", &b) > 0);
	CHECK_INT(mountinfo_fstype(b.p, "/", root_type, sizeof(root_type)), 0);
	if (streq(root_type, "ext4") || streq(root_type, "xfs") || streq(root_type, "overlay") || streq(root_type, "btrfs"))
		CHECK(!live_may_block);
	sb_free(&b);
}

/* Missing paths under a kernel root are remembered: created meanwhile, they stay missing until the
 * recheck time has passed (a fixture directory stands in for the kernel root). */
static void test_absence(void)
{
	char root[] = "/tmp/nodex-absence-XXXXXX", path[128], dir[128];
	struct strbuf b = { 0 };
	struct arena a = { 0 };
	char **names;

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/file", root);
	snprintf(dir, sizeof(dir), "%s/dir", root);
	fdcache_test_absence(root, 0.3);
	CHECK_INT(file_read(path, &b), -ENOENT);
	CHECK_INT(dir_list(dir, &a, &names), -ENOENT);
	CHECK(!path_is_dir(dir));
	FILE *f = fopen(path, "w");
	CHECK(f && fputs("1\n", f) >= 0 && fclose(f) == 0);
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_INT(file_read(path, &b), -ENOENT);
	CHECK_INT(dir_list(dir, &a, &names), -ENOENT);
	CHECK(!path_is_dir(dir));
	/* A path not under the root is looked up every time, and so is a process's directory under the procfs
	 * root (fdcache_test_absence() makes root the procfs root): pids are reused. */
	CHECK_INT(file_read("/tmp/nodex-absence-none/x", &b), -ENOENT);
	char pid_path[160];
	snprintf(pid_path, sizeof(pid_path), "%s/123/stat", root);
	CHECK_INT(file_read(pid_path, &b), -ENOENT);
	snprintf(pid_path, sizeof(pid_path), "%s/123", root);
	CHECK(mkdir(pid_path, 0700) == 0);
	snprintf(pid_path, sizeof(pid_path), "%s/123/stat", root);
	f = fopen(pid_path, "w");
	CHECK(f && fputs("x\n", f) >= 0 && fclose(f) == 0);
	CHECK_INT(file_read(pid_path, &b), 2);
	unlink(pid_path);
	snprintf(pid_path, sizeof(pid_path), "%s/123", root);
	rmdir(pid_path);
	usleep(350 * 1000);
	CHECK_INT(file_read(path, &b), 2);
	CHECK_INT(dir_list(dir, &a, &names), 0);
	CHECK(path_is_dir(dir));
	/* ENOTDIR (a file where a directory was expected) is remembered too. */
	snprintf(dir, sizeof(dir), "%s/file/sub", root);
	CHECK_INT(file_read(dir, &b), -ENOTDIR);
	fdcache_test_absence("", 60);
	fdcache_close_all();
	unlink(path);
	snprintf(dir, sizeof(dir), "%s/dir", root);
	rmdir(dir);
	rmdir(root);
	arena_free(&a);
	sb_free(&b);
}

static void *sleeper(void *arg)
{
	int *stop = arg;

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE))
		usleep(1000);
	return NULL;
}

/* Kernel directories keep their descriptor and are listed again from offset 0, seeing entries that come
 * and go; a kernel attribute whose read fails for now (loopback's speed: EINVAL) keeps its descriptor. */
static void test_kept_directories(void)
{
	struct arena a = { 0 };
	struct strbuf b = { 0 };
	char **names;
	pthread_t th;
	int stop = 0;

	fdcache_close_all();
	ssize_t n0 = dir_list("/proc/self/task", &a, &names);
	CHECK(n0 >= 1);
	CHECK_INT(fdcache_size(), 1);
	CHECK(pthread_create(&th, NULL, sleeper, &stop) == 0);
	CHECK_INT(dir_list("/proc/self/task", &a, &names), n0 + 1);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	/* pthread_join() returns when the thread's tid is cleared, which the kernel does before it removes
	 * the task from /proc (under qemu-user the gap is wide): wait for that, 5 s at most. */
	ssize_t n1 = 0;
	for (int i = 0; i < 500 && (n1 = dir_list("/proc/self/task", &a, &names)) != n0; i++)
		usleep(10000);
	CHECK_INT(n1, n0);
	CHECK_INT(fdcache_size(), 1);
	if (file_read("/sys/class/net/lo/speed", &b) == -EINVAL) {
		CHECK_INT(fdcache_size(), 2);
		CHECK_INT(file_read("/sys/class/net/lo/speed", &b), -EINVAL);
		CHECK_INT(fdcache_size(), 2);
	}
	fdcache_close_all();
	arena_free(&a);
	sb_free(&b);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_parse_u64();
	test_parse_i64_hex_double();
	test_split();
	test_read_iterating_seq_file();
	test_read_regular_and_errors();
	test_read_caps();
	test_paths();
	test_mountinfo();
	test_absence();
	test_kept_directories();
	fdcache_close_all();
	return test_summary(argv[0]);
}
