/* filesystem: mountinfo parsing, filters, labels and values with a fake statfs, and the deadline: a statfs
 * that blocks (on a pipe, standing in for a dead NFS server) is reported as "mountpoint timeout", the mount
 * is skipped on the next scrape, and it is statted again once the blocked call has returned. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <time.h>

#include "gocompat.h"
#include "harness.h"

extern const struct collector collector_filesystem;
extern int (*filesystem_statfs)(const char *path, struct statfs *buf);
void filesystem_pool_stats(unsigned *usable, unsigned *stuck, size_t *stuck_mounts);

/* ---- the fake statfs ---- */

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static int hang_fd = -1;       /* read end of the pipe hanging calls block on */
static unsigned hang_calls;    /* statfs calls on a path containing "/hang" */
static bool hang_released;     /* once set, "/hang" paths answer normally */

/* Answers by the path after the rootfs: "/" and "/data" are 1 GiB ext4-like filesystems, "/ro" a small
 * one, "/denied" EACCES, "/stale" ESTALE, anything with "/hang" blocks until the pipe is closed. */
/* The test's own thread, and the paths statted on it (test_local_inline). */
static pthread_t main_thread;
static char on_main[8][64];
static unsigned n_on_main;

static int fake_statfs(const char *path, struct statfs *b)
{
	const char *root = nodex_paths.rootfs;
	size_t n = strlen(root);
	const char *p = (strncmp(path, root, n) == 0 && !streq(root, "/")) ? path + n : path;

	pthread_mutex_lock(&fake_mu);
	if (pthread_equal(pthread_self(), main_thread) && n_on_main < ARRAY_SIZE(on_main))
		snprintf(on_main[n_on_main++], sizeof(on_main[0]), "%s", p);
	pthread_mutex_unlock(&fake_mu);

	if (strstr(p, "/hang")) {
		pthread_mutex_lock(&fake_mu);
		hang_calls++;
		bool released = hang_released;
		int fd = hang_fd;
		pthread_mutex_unlock(&fake_mu);
		if (!released) {
			char ch;
			while (read(fd, &ch, 1) < 0 && errno == EINTR)
				;
		}
	} else if (streq(p, "/denied")) {
		errno = EACCES;
		return -1;
	} else if (streq(p, "/stale")) {
		errno = ESTALE;
		return -1;
	} else if (strstr(p, "/missing")) {
		errno = ENOENT;
		return -1;
	}
	memset(b, 0, sizeof(*b));
	b->f_bsize = 4096;
	b->f_blocks = strstr(p, "/ro") ? 10 : 262144;
	b->f_bfree = b->f_blocks / 2;
	b->f_bavail = b->f_blocks / 4;
	b->f_files = 65536;
	b->f_ffree = 60000;
	return 0;
}

/* ---- table-driven cases ---- */

#define MI(id, parent, majmin, mp, opts, type, src, super) \
	#id " " #parent " " majmin " / " mp " " opts " shared:1 - " type " " src " " super "\n"

static const char mountinfo[] =
	MI(22, 1, "253:1", "/", "rw,relatime", "ext4", "/dev/mapper/vg-root", "rw,errors=remount-ro")
	MI(23, 22, "0:21", "/proc", "rw,nosuid,nodev,noexec,relatime", "proc", "proc", "rw")
	MI(24, 22, "0:22", "/sys", "rw,nosuid,nodev,noexec,relatime", "sysfs", "sysfs", "rw")
	MI(25, 24, "0:26", "/sys/fs/cgroup", "rw,nosuid,nodev,noexec,relatime", "cgroup2", "cgroup2", "rw")
	MI(26, 22, "0:24", "/run", "rw,nosuid,nodev,noexec,relatime", "tmpfs", "tmpfs", "rw,size=3280692k,mode=755")
	MI(27, 22, "8:1", "/data", "rw,noatime", "xfs", "/dev/sda1", "rw,attr2,inode64")
	MI(28, 22, "8:2", "/ro", "ro,relatime", "ext4", "/dev/sda2", "rw")
	MI(29, 22, "8:3", "/ro2", "rw,relatime", "ext4", "/dev/sda3", "ro,data=ordered")
	MI(30, 22, "0:50", "/denied", "rw,relatime", "fuse.sshfs", "user@host:", "rw,user_id=0")
	MI(31, 22, "0:51", "/stale", "rw,relatime", "nfs4", "srv:/export", "rw,vers=4.2")
	MI(32, 22, "8:4", "/media/My\\040Disk", "rw,relatime", "vfat", "/dev/sdb1", "rw,fmask=0022")
	MI(33, 22, "8:1", "/data", "rw,noatime", "xfs", "/dev/sda1", "rw,attr2,inode64")
	MI(34, 22, "0:60", "/var/lib/docker/overlay2/abc/merged", "rw", "overlay", "overlay", "rw,lowerdir=/x")
	MI(35, 22, "0:61", "/run/credentials/getty.service", "ro", "ramfs", "ramfs", "ro")
	MI(36, 22, "0:62", "/ro=opt", "rw,ro=1", "ext4", "/dev/sdc", "rw");

static const char expect_default[] =
	"node_filesystem_avail_bytes{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 2.68435456e+08\n"
	"node_filesystem_avail_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 2.68435456e+08\n"
	"node_filesystem_avail_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 8192\n"
	"node_filesystem_avail_bytes{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 8192\n"
	"node_filesystem_avail_bytes{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 2.68435456e+08\n"
	"node_filesystem_avail_bytes{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 8192\n"
	"node_filesystem_avail_bytes{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 2.68435456e+08\n"
	"node_filesystem_device_error{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 0\n"
	"node_filesystem_device_error{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 0\n"
	"node_filesystem_device_error{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 0\n"
	"node_filesystem_device_error{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 0\n"
	"node_filesystem_device_error{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 0\n"
	"node_filesystem_device_error{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 0\n"
	"node_filesystem_device_error{device=\"srv:/export\",device_error=\"stale NFS file handle\",fstype=\"nfs4\",mountpoint=\"/stale\"} 1\n"
	"node_filesystem_device_error{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 0\n"
	"node_filesystem_device_error{device=\"user@host:\",device_error=\"permission denied\",fstype=\"fuse.sshfs\",mountpoint=\"/denied\"} 1\n"
	"node_filesystem_files{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 65536\n"
	"node_filesystem_files{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 65536\n"
	"node_filesystem_files{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 65536\n"
	"node_filesystem_files{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 65536\n"
	"node_filesystem_files{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 65536\n"
	"node_filesystem_files{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 65536\n"
	"node_filesystem_files{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 65536\n"
	"node_filesystem_files_free{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 60000\n"
	"node_filesystem_files_free{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 60000\n"
	"node_filesystem_files_free{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 60000\n"
	"node_filesystem_files_free{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 60000\n"
	"node_filesystem_files_free{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 60000\n"
	"node_filesystem_files_free{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 60000\n"
	"node_filesystem_files_free{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 60000\n"
	"node_filesystem_free_bytes{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 5.36870912e+08\n"
	"node_filesystem_free_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 5.36870912e+08\n"
	"node_filesystem_free_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 20480\n"
	"node_filesystem_free_bytes{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 20480\n"
	"node_filesystem_free_bytes{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 5.36870912e+08\n"
	"node_filesystem_free_bytes{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 20480\n"
	"node_filesystem_free_bytes{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 5.36870912e+08\n"
	"node_filesystem_mount_info{device=\"/dev/mapper/vg-root\",major=\"253\",minor=\"1\",mountpoint=\"/\"} 1\n"
	"node_filesystem_mount_info{device=\"/dev/sda1\",major=\"8\",minor=\"1\",mountpoint=\"/data\"} 1\n"
	"node_filesystem_mount_info{device=\"/dev/sda2\",major=\"8\",minor=\"2\",mountpoint=\"/ro\"} 1\n"
	"node_filesystem_mount_info{device=\"/dev/sda3\",major=\"8\",minor=\"3\",mountpoint=\"/ro2\"} 1\n"
	"node_filesystem_mount_info{device=\"/dev/sdb1\",major=\"8\",minor=\"4\",mountpoint=\"/media/My Disk\"} 1\n"
	"node_filesystem_mount_info{device=\"/dev/sdc\",major=\"0\",minor=\"62\",mountpoint=\"/ro=opt\"} 1\n"
	"node_filesystem_mount_info{device=\"tmpfs\",major=\"0\",minor=\"24\",mountpoint=\"/run\"} 1\n"
	"node_filesystem_readonly{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 0\n"
	"node_filesystem_readonly{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 0\n"
	"node_filesystem_readonly{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 1\n"
	"node_filesystem_readonly{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 1\n"
	"node_filesystem_readonly{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 0\n"
	"node_filesystem_readonly{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 0\n"
	"node_filesystem_readonly{device=\"srv:/export\",device_error=\"stale NFS file handle\",fstype=\"nfs4\",mountpoint=\"/stale\"} 0\n"
	"node_filesystem_readonly{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 0\n"
	"node_filesystem_readonly{device=\"user@host:\",device_error=\"permission denied\",fstype=\"fuse.sshfs\",mountpoint=\"/denied\"} 0\n"
	"node_filesystem_size_bytes{device=\"/dev/mapper/vg-root\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 1.073741824e+09\n"
	"node_filesystem_size_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 1.073741824e+09\n"
	"node_filesystem_size_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 40960\n"
	"node_filesystem_size_bytes{device=\"/dev/sda3\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro2\"} 40960\n"
	"node_filesystem_size_bytes{device=\"/dev/sdb1\",device_error=\"\",fstype=\"vfat\",mountpoint=\"/media/My Disk\"} 1.073741824e+09\n"
	"node_filesystem_size_bytes{device=\"/dev/sdc\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro=opt\"} 40960\n"
	"node_filesystem_size_bytes{device=\"tmpfs\",device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"} 1.073741824e+09\n";

static const struct collector_case cases[] = {
	{ "defaults", { { "proc/1/mountinfo", mountinfo } }, .expect = expect_default },
	{ "self/mountinfo when PID 1 is hidden", { { "proc/self/mountinfo", MI(22, 1, "253:1", "/data", "rw", "xfs", "/dev/sda1", "rw") } },
	  .expect = "node_filesystem_avail_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 2.68435456e+08\n"
		    "node_filesystem_device_error{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 0\n"
		    "node_filesystem_files{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 65536\n"
		    "node_filesystem_files_free{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 60000\n"
		    "node_filesystem_free_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 5.36870912e+08\n"
		    "node_filesystem_mount_info{device=\"/dev/sda1\",major=\"253\",minor=\"1\",mountpoint=\"/data\"} 1\n"
		    "node_filesystem_readonly{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 0\n"
		    "node_filesystem_size_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 1.073741824e+09\n" },
	{ "mount-points-include alone clears the default exclude",
	  { { "proc/1/mountinfo", mountinfo } },
	  { "--collector.filesystem.mount-points-include=^/(proc|ro)$" },
	  .expect = "node_filesystem_avail_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 8192\n"
		    "node_filesystem_device_error{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 0\n"
		    "node_filesystem_files{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 65536\n"
		    "node_filesystem_files_free{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 60000\n"
		    "node_filesystem_free_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 20480\n"
		    "node_filesystem_mount_info{device=\"/dev/sda2\",major=\"8\",minor=\"2\",mountpoint=\"/ro\"} 1\n"
		    "node_filesystem_readonly{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 1\n"
		    "node_filesystem_size_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/ro\"} 40960\n" },
	{ "fs-types-include and the deprecated ignored-mount-points",
	  { { "proc/1/mountinfo", mountinfo } },
	  { "--collector.filesystem.fs-types-include=^(xfs|nfs4)$", "--collector.filesystem.ignored-mount-points=^/stale$" },
	  .expect = "node_filesystem_avail_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 2.68435456e+08\n"
		    "node_filesystem_device_error{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 0\n"
		    "node_filesystem_files{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 65536\n"
		    "node_filesystem_files_free{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 60000\n"
		    "node_filesystem_free_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 5.36870912e+08\n"
		    "node_filesystem_mount_info{device=\"/dev/sda1\",major=\"8\",minor=\"1\",mountpoint=\"/data\"} 1\n"
		    "node_filesystem_readonly{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 0\n"
		    "node_filesystem_size_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 1.073741824e+09\n" },
	{ "no mountinfo at all", { { "proc", NULL } }, .expect_fail = 1 },
	{ "too few fields", { { "proc/1/mountinfo", "22 1 8:1 / /data rw - xfs\n" } }, .expect_fail = 1 },
	{ "separator not where expected", { { "proc/1/mountinfo", "22 1 8:1 / /data rw shared:1 xfs /dev/sda1 rw extra\n" } },
	  .expect_fail = 1 },
	{ "bad major:minor", { { "proc/1/mountinfo", MI(22, 1, "8-1", "/data", "rw", "xfs", "/dev/sda1", "rw") } },
	  .expect_fail = 1 },
	{ "bad mount id", { { "proc/1/mountinfo", "x 1 8:1 / /data rw - xfs /dev/sda1 rw\n" } }, .expect_fail = 1 },
	{ "empty mountinfo", { { "proc/1/mountinfo", "" } }, .expect = "" },
};

/* Bad flag combinations refuse to start. */
static void test_flag_errors(void)
{
	static const char *const combos[][2] = {
		{ "collector.filesystem.mount-points-exclude=^/x", "collector.filesystem.ignored-mount-points=^/y" },
		{ "collector.filesystem.mount-points-exclude=^/x", "collector.filesystem.mount-points-include=^/y" },
		{ "collector.filesystem.fs-types-exclude=^x$", "collector.filesystem.ignored-fs-types=^y$" },
		{ "collector.filesystem.fs-types-exclude=^x$", "collector.filesystem.fs-types-include=^y$" },
		{ "collector.filesystem.mount-points-exclude=(", NULL },
	};
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(combos); i++) {
		flags_set_defaults(collector_filesystem.flags);
		for (int k = 0; k < 2 && combos[i][k]; k++) {
			const char *eq = strchr(combos[i][k], '=');
			char name[128];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - combos[i][k]), combos[i][k]);
			struct flag *sets[1] = { collector_filesystem.flags };
			struct flag *f = flag_find(sets, 1, name);
			CHECK(f && flag_set(f, eq + 1, FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
		}
		err[0] = '\0';
		int r = collector_filesystem.init(err, sizeof(err));
		CHECK(r < 0);
		CHECK(err[0] != '\0');
		if (r >= 0)
			collector_filesystem.fini();
	}
	flags_set_defaults(collector_filesystem.flags);
}

/* rootfs: statfs on <rootfs>/<mountpoint>, the prefix cut from the label ("/" when nothing is left). */
static void test_rootfs(void)
{
	struct tfile files[] = {
		{ "proc/1/mountinfo", MI(1, 0, "8:1", "/host", "rw", "ext4", "/dev/sda1", "rw")
				      MI(2, 1, "8:2", "/host/data", "rw", "xfs", "/dev/sda2", "rw")
				      MI(3, 1, "8:3", "/hostile", "rw", "xfs", "/dev/sda3", "rw")
				      MI(4, 1, "0:5", "/missing", "rw", "tmpfs", "tmpfs", "rw") },
		{ NULL },
	};
	struct strbuf out = { 0 };

	CHECK(test_make_root(files, 1) != NULL);
	const char *saved = nodex_paths.rootfs;
	nodex_paths.rootfs = "/host";
	flags_set_defaults(collector_filesystem.flags);
	int r = test_run_collector(&collector_filesystem, &out);
	nodex_paths.rootfs = saved;
	CHECK_INT(r, 0);
	/* "/hostile" shares the prefix: node_exporter cuts it to "ile" (a plain prefix cut). */
	CHECK(out.p && strstr(out.p, "node_filesystem_size_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 1.073741824e+09\n"));
	CHECK(out.p && strstr(out.p, "node_filesystem_size_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 1.073741824e+09\n"));
	CHECK(out.p && strstr(out.p, "mountpoint=\"ile\"} 1.073741824e+09\n"));
	CHECK(out.p && strstr(out.p, "node_filesystem_device_error{device=\"tmpfs\",device_error=\"no such file or directory\",fstype=\"tmpfs\",mountpoint=\"/missing\"} 1\n"));
	sb_free(&out);
}

static void set_flag(const char *name, const char *value)
{
	char err[128];
	struct flag *sets[1] = { collector_filesystem.flags };
	struct flag *f = flag_find(sets, 1, name);

	CHECK(f && flag_set(f, value, FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned calls(void)
{
	pthread_mutex_lock(&fake_mu);
	unsigned n = hang_calls;
	pthread_mutex_unlock(&fake_mu);
	return n;
}

/* Waits until no statfs is stuck any more. Returns false after 5 s. */
static bool wait_unstuck(void)
{
	for (int i = 0; i < 500; i++) {
		unsigned usable, stuck;
		size_t keys;
		filesystem_pool_stats(&usable, &stuck, &keys);
		if (stuck == 0 && keys == 0)
			return true;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

/* The stuck / skip / recover cycle with one hanging mount among healthy ones. */
static void test_stuck_cycle(void)
{
	struct tfile files[] = {
		{ "proc/1/mountinfo", MI(1, 0, "8:1", "/", "rw", "ext4", "/dev/sda1", "rw")
				      MI(2, 1, "0:40", "/mnt/hang", "rw", "nfs4", "srv:/dead", "ro,vers=4.2")
				      MI(3, 1, "8:2", "/data", "rw", "xfs", "/dev/sda2", "rw") },
		{ NULL },
	};
	struct strbuf out = { 0 };
	int fds[2];
	unsigned usable, stuck;
	size_t keys;

	CHECK(pipe(fds) == 0);
	hang_fd = fds[0];
	hang_released = false;
	hang_calls = 0;
	CHECK(test_make_root(files, 1) != NULL);
	flags_set_defaults(collector_filesystem.flags);
	set_flag("collector.filesystem.mount-timeout", "200ms");
	set_flag("collector.filesystem.stat-workers", "2");

	/* 1: the call hangs; after 200 ms the mount is reported timed out, the others normally. */
	double t0 = now_mono();
	int r = test_run_collector(&collector_filesystem, &out);
	double took = now_mono() - t0;
	CHECK_INT(r, 0);
	CHECK(took >= 0.19 && took < 3); /* waited for the deadline, not for the call */
	CHECK(out.p && strstr(out.p, "node_filesystem_device_error{device=\"srv:/dead\",device_error=\"mountpoint timeout\",fstype=\"nfs4\",mountpoint=\"/mnt/hang\"} 1\n"));
	/* Timed out in this scrape: readonly still comes from the options, as in node_exporter's processStat. */
	CHECK(out.p && strstr(out.p, "node_filesystem_readonly{device=\"srv:/dead\",device_error=\"mountpoint timeout\",fstype=\"nfs4\",mountpoint=\"/mnt/hang\"} 1\n"));
	CHECK(out.p && !strstr(out.p, "node_filesystem_size_bytes{device=\"srv:/dead\""));
	CHECK(out.p && strstr(out.p, "node_filesystem_size_bytes{device=\"/dev/sda2\",device_error=\"\",fstype=\"xfs\",mountpoint=\"/data\"} 1.073741824e+09\n"));
	CHECK(out.p && strstr(out.p, "node_filesystem_size_bytes{device=\"/dev/sda1\",device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"} 1.073741824e+09\n"));
	CHECK_INT(calls(), 1);
	filesystem_pool_stats(&usable, &stuck, &keys);
	CHECK_INT(stuck, 1);
	CHECK_INT(keys, 1);

	/* 2: the mount is skipped (no new statfs), reported as timed out, readonly 0; no waiting (the call
	 * count proves the skip, the time bound is loose for slow machines). */
	t0 = now_mono();
	r = test_run_collector(&collector_filesystem, &out);
	took = now_mono() - t0;
	CHECK_INT(r, 0);
	CHECK(took < 1.5);
	CHECK_INT(calls(), 1);
	CHECK(out.p && strstr(out.p, "node_filesystem_device_error{device=\"srv:/dead\",device_error=\"mountpoint timeout\",fstype=\"nfs4\",mountpoint=\"/mnt/hang\"} 1\n"));
	CHECK(out.p && strstr(out.p, "node_filesystem_readonly{device=\"srv:/dead\",device_error=\"mountpoint timeout\",fstype=\"nfs4\",mountpoint=\"/mnt/hang\"} 0\n"));
	CHECK(out.p && strstr(out.p, "mountpoint=\"/data\"} 1.073741824e+09\n"));

	/* 3: the server comes back: the stuck call returns, its thread goes away, the mark is cleared. */
	pthread_mutex_lock(&fake_mu);
	hang_released = true;
	pthread_mutex_unlock(&fake_mu);
	close(fds[1]);
	CHECK(wait_unstuck());
	r = test_run_collector(&collector_filesystem, &out);
	CHECK_INT(r, 0);
	CHECK_INT(calls(), 2);
	CHECK(out.p && strstr(out.p, "node_filesystem_device_error{device=\"srv:/dead\",device_error=\"\",fstype=\"nfs4\",mountpoint=\"/mnt/hang\"} 0\n"));
	CHECK(out.p && strstr(out.p, "node_filesystem_size_bytes{device=\"srv:/dead\",device_error=\"\",fstype=\"nfs4\",mountpoint=\"/mnt/hang\"} 1.073741824e+09\n"));
	close(fds[0]);
	flags_set_defaults(collector_filesystem.flags);
	sb_free(&out);
}

/* Many hanging mounts: stuck threads are capped, the scrape still ends, and everything recovers. */
static void test_stuck_cap(void)
{
	static char mi[64 * 128];
	size_t o = 0;
	struct strbuf out = { 0 };
	int fds[2];
	unsigned usable, stuck;
	size_t keys;

	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(mi + o, sizeof(mi) - o, "%d 1 0:%d / /hang%d rw - nfs srv:/e%d rw\n", 100 + i, 100 + i,
				      i, i);
	o += (size_t)snprintf(mi + o, sizeof(mi) - o, "200 1 8:1 / /data rw - xfs /dev/sda1 rw\n");
	struct tfile files[] = { { "proc/1/mountinfo", mi }, { NULL } };

	CHECK(pipe(fds) == 0);
	hang_fd = fds[0];
	hang_released = false;
	hang_calls = 0;
	CHECK(test_make_root(files, 1) != NULL);
	flags_set_defaults(collector_filesystem.flags);
	set_flag("collector.filesystem.mount-timeout", "50ms");
	set_flag("collector.filesystem.stat-workers", "4");
	double t0 = now_mono();
	int r = test_run_collector(&collector_filesystem, &out);
	double took = now_mono() - t0;
	CHECK_INT(r, 0);
	CHECK(took < 3);
	filesystem_pool_stats(&usable, &stuck, &keys);
	CHECK(stuck <= 32);
	CHECK(stuck >= 4);
	CHECK_INT(keys, stuck);
	/* Every hanging mount is reported, statted or not. */
	size_t timeouts = 0;
	for (const char *p = out.p; p && (p = strstr(p, "device_error=\"mountpoint timeout\",fstype=\"nfs\",mountpoint=\"/hang")); p++)
		timeouts++;
	CHECK_INT(timeouts, 80); /* device_error and readonly for each of the 40 */
	CHECK(calls() <= 32);
	pthread_mutex_lock(&fake_mu);
	hang_released = true;
	pthread_mutex_unlock(&fake_mu);
	close(fds[1]);
	CHECK(wait_unstuck());
	r = test_run_collector(&collector_filesystem, &out);
	CHECK_INT(r, 0);
	CHECK(out.p && !strstr(out.p, "mountpoint timeout"));
	CHECK(out.p && strstr(out.p, "node_filesystem_size_bytes{device=\"srv:/e39\",device_error=\"\",fstype=\"nfs\",mountpoint=\"/hang39\"} 1.073741824e+09\n"));
	close(fds[0]);
	flags_set_defaults(collector_filesystem.flags);
	sb_free(&out);
}

/* path_clean, which the statfs path and textfile labels go through, against Go's path.Clean. */
static void test_path_clean(void)
{
	static const char *const t[][2] = {
		{ "", "." },		  { "/", "/" },		     { "//", "/" },	     { "/host/", "/host" },
		{ "/host//var", "/host/var" }, { "/host/./var/.", "/host/var" }, { "/a/b/../c", "/a/c" },
		{ "/../a", "/a" },	  { "a/../../b", "../b" },    { "./tf/d2/b.prom", "tf/d2/b.prom" },
		{ "tf/", "tf" },	  { "..", ".." },	     { "a/..", "." },	     { "/a/b/c/../../..", "/" },
		{ "/media/My Disk", "/media/My Disk" },
	};
	struct arena a = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		CHECK_STR(path_clean(&a, t[i][0]), t[i][1]);
	arena_free(&a);
}

/* With the rootfs on a local filesystem (the fixture directory), local mount types are statted on the
 * collector's own thread, network and FUSE ones on the pool's. */
static void test_local_inline(void)
{
	struct tfile files[] = {
		{ "proc/1/mountinfo", MI(1, 0, "8:1", "/", "rw", "ext4", "/dev/sda1", "rw")
				      MI(2, 1, "0:40", "/mnt/nfs", "rw", "nfs4", "srv:/x", "rw")
				      MI(3, 1, "0:41", "/mnt/fuse", "rw", "fuse.sshfs", "u@h:", "rw")
				      MI(4, 1, "0:42", "/run", "rw", "tmpfs", "tmpfs", "rw") },
		{ NULL },
	};
	struct strbuf out = { 0 };

	CHECK(test_make_root(files, 1) != NULL);
	paths_init();
	if (!paths_rootfs_local()) {
		fprintf(stderr, "the fixture root is not on a local filesystem here; skipping\n");
		return;
	}
	flags_set_defaults(collector_filesystem.flags);
	n_on_main = 0;
	CHECK_INT(test_run_collector(&collector_filesystem, &out), 0);
	CHECK_INT(n_on_main, 2);
	CHECK_STR(on_main[0], ""); /* the rootfs itself */
	CHECK_STR(on_main[1], "/run");
	CHECK(out.p && strstr(out.p, "fstype=\"nfs4\",mountpoint=\"/mnt/nfs\"} 1.073741824e+09\n"));
	CHECK(out.p && strstr(out.p, "fstype=\"fuse.sshfs\",mountpoint=\"/mnt/fuse\"} 1.073741824e+09\n"));
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	main_thread = pthread_self();
	test_path_clean();
	filesystem_statfs = fake_statfs;
	test_collector_cases(&collector_filesystem, cases, ARRAY_SIZE(cases));
	test_flag_errors();
	test_rootfs();
	test_stuck_cycle();
	test_stuck_cap();
	test_local_inline();
	test_remove_root();
	return test_summary(argv[0]);
}
