/* hangfs DIR: mounts a FUSE filesystem on DIR that never answers a request, so every access below DIR
 * blocks in the kernel, as on a dead NFS server. It prints "ready" once mounted and, on SIGTERM or SIGINT,
 * detaches the mount and closes the FUSE device, which fails the blocked requests (ENOTCONN). Root only.
 * Used by tests that show a hung file costs a scrape at most its deadline. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char opts[128];
	sigset_t set;
	int fd, sig;

	if (argc != 2) {
		fprintf(stderr, "usage: hangfs DIR\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("open /dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("hangfs", argv[1], "fuse.hangfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("mount");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	umount2(argv[1], MNT_DETACH);
	close(fd);
	return 0;
}
