/* slowfs DIR DELAY NAME=SOURCE...: mounts a FUSE filesystem on DIR holding one flat directory of regular
 * files, NAME with the content of the file SOURCE (read once at start). Each open of a file is answered
 * after DELAY seconds and printed as "open NAME" on stdout, so a test sees how many times a collector
 * read a file, and a collection that reads it is slow but finishes (unlike tests/tools/hangfs, which never
 * answers). Prints "ready" once mounted; SIGTERM or SIGINT detaches the mount. Root only. It speaks the
 * kernel's FUSE protocol directly (linux/fuse.h), one request at a time, so no libfuse is needed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 16

struct file {
	const char *name;
	char *data;
	size_t len;
};

static struct file files[MAX_FILES];
static size_t n_files;
static double delay;
static int fuse_fd;

static void reply(uint64_t unique, int error, const void *data, size_t len)
{
	struct fuse_out_header out = { .len = (uint32_t)(sizeof(out) + len), .error = error, .unique = unique };
	struct iovec iov[2] = { { &out, sizeof(out) }, { (void *)data, len } };

	if (writev(fuse_fd, iov, len ? 2 : 1) < 0 && errno != ENOENT)
		perror("slowfs: writev");
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = 1;
	a->blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0555;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0444;
		a->size = files[ino - 2].len;
	}
}

static void sleep_delay(void)
{
	struct timespec ts = { .tv_sec = (time_t)delay, .tv_nsec = (long)((delay - (double)(time_t)delay) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *serve(void *arg)
{
	static char buf[FUSE_MIN_READ_BUFFER + 1024 * 1024];

	(void)arg;
	for (;;) {
		ssize_t n = read(fuse_fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL; /* ENODEV: unmounted */
		}
		if ((size_t)n < sizeof(struct fuse_in_header))
			continue;
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		void *arg_in = buf + sizeof(*in);
		switch (in->opcode) {
		case FUSE_INIT: {
			struct fuse_init_in *ii = arg_in;
			struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION, .minor = FUSE_KERNEL_MINOR_VERSION,
						   .max_readahead = ii->max_readahead, .max_write = 4096,
						   .max_background = 1, .congestion_threshold = 1, .time_gran = 1 };
			if (ii->minor < o.minor)
				o.minor = ii->minor;
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP: {
			const char *name = arg_in;
			size_t i;
			for (i = 0; i < n_files; i++)
				if (in->nodeid == FUSE_ROOT_ID && strcmp(files[i].name, name) == 0)
					break;
			if (i == n_files) {
				reply(in->unique, -ENOENT, NULL, 0);
				break;
			}
			struct fuse_entry_out e = { .nodeid = i + 2, .entry_valid = 3600, .attr_valid = 3600 };
			fill_attr(&e.attr, i + 2);
			reply(in->unique, 0, &e, sizeof(e));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out a = { .attr_valid = 3600 };
			if (in->nodeid != FUSE_ROOT_ID && in->nodeid - 2 >= n_files) {
				reply(in->unique, -ENOENT, NULL, 0);
				break;
			}
			fill_attr(&a.attr, in->nodeid);
			reply(in->unique, 0, &a, sizeof(a));
			break;
		}
		case FUSE_OPEN: {
			/* Direct I/O: every read comes here, none is served from the page cache. */
			struct fuse_open_out o = { .fh = in->nodeid, .open_flags = FOPEN_DIRECT_IO };
			if (in->nodeid == FUSE_ROOT_ID || in->nodeid - 2 >= n_files) {
				reply(in->unique, -EISDIR, NULL, 0);
				break;
			}
			printf("open %s\n", files[in->nodeid - 2].name);
			fflush(stdout);
			sleep_delay();
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ: {
			struct fuse_read_in *r = arg_in;
			struct file *f = &files[in->nodeid - 2];
			size_t off = r->offset < f->len ? (size_t)r->offset : f->len;
			size_t len = f->len - off < r->size ? f->len - off : r->size;
			reply(in->unique, 0, f->data + off, len);
			break;
		}
		case FUSE_FLUSH:
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
			reply(in->unique, 0, NULL, 0);
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break; /* no answer expected */
		case FUSE_DESTROY:
			reply(in->unique, 0, NULL, 0);
			return NULL;
		default:
			reply(in->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}

static int load(const char *spec)
{
	const char *eq = strchr(spec, '=');
	struct file *f = &files[n_files];
	size_t cap = 4096;
	int fd;

	if (!eq || eq == spec || n_files == MAX_FILES)
		return -1;
	f->name = strndup(spec, (size_t)(eq - spec));
	f->data = malloc(cap);
	fd = open(eq + 1, O_RDONLY | O_CLOEXEC);
	if (!f->name || !f->data || fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, f->data + f->len, cap - f->len);
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		f->len += (size_t)n;
		if (f->len == cap && !(f->data = realloc(f->data, cap *= 2)))
			return -1;
	}
	close(fd);
	n_files++;
	return 0;
}

int main(int argc, char **argv)
{
	char opts[128], *end;
	sigset_t set;
	pthread_t t;
	int sig;

	if (argc < 4) {
		fprintf(stderr, "usage: slowfs DIR DELAY_SECONDS NAME=SOURCE...\n");
		return 2;
	}
	delay = strtod(argv[2], &end);
	if (*end || delay < 0) {
		fprintf(stderr, "slowfs: bad delay %s\n", argv[2]);
		return 2;
	}
	for (int i = 3; i < argc; i++)
		if (load(argv[i]) < 0) {
			fprintf(stderr, "slowfs: cannot load %s\n", argv[i]);
			return 1;
		}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse_fd < 0) {
		perror("open /dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fuse_fd);
	if (mount("slowfs", argv[1], "fuse.slowfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("mount");
		return 1;
	}
	if (pthread_create(&t, NULL, serve, NULL) != 0) {
		umount2(argv[1], MNT_DETACH);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	umount2(argv[1], MNT_DETACH);
	close(fuse_fd);
	return 0;
}
