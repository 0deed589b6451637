/* src/libsystemd.c: the service protocols nodex speaks without libsystemd. sd_notify() to a path and to an
 * abstract socket, sd_watchdog_enabled() and sd_listen_fds() from the environment as systemd sets it, and
 * the journal's native protocol: plain and binary-safe fields, and a message too large for a datagram,
 * passed as a sealed memfd. (tests/suites/sd-notify.sh and journald.sh run them against systemd's own
 * peers.) */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "harness.h"
#include "libsystemd.h"

static char dir[] = "/tmp/nodex-libsystemd-XXXXXX";
static bool got_fd; /* the last receive() got a descriptor */

/* A datagram socket bound at path ('@': abstract). */
static int listener(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + (path[0] == '@' ? 0 : 1));
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	if (s < 0 || bind(s, (struct sockaddr *)&sa, len) < 0)
		return -1;
	struct timeval tv = { 2, 0 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* Receives one datagram into buf (NUL-terminated); a passed descriptor's content instead, when there is one.
 * Returns the length or -1. */
static ssize_t receive(int s, char *buf, size_t size)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { buf, size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
			     .msg_controllen = sizeof(control.b) };
	ssize_t n = recvmsg(s, &mh, 0);
	struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;

	if (n < 0)
		return -1;
	got_fd = c && c->cmsg_type == SCM_RIGHTS;
	if (got_fd) {
		int fd;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		CHECK(fcntl(fd, F_GET_SEALS) & F_SEAL_WRITE);
		n = pread(fd, buf, size - 1, 0);
		close(fd);
		if (n < 0)
			return -1;
	}
	buf[n] = '\0';
	return n;
}

static void test_notify(void)
{
	char path[128], buf[256];
	int s;

	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(sd_notify(0, "READY=1"), 0); /* not under systemd */

	snprintf(path, sizeof(path), "%s/notify", dir);
	s = listener(path);
	CHECK(s >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(sd_notify(0, "READY=1\nSTATUS=up"), 1);
	CHECK_INT(receive(s, buf, sizeof(buf)), 17);
	CHECK_STR(buf, "READY=1\nSTATUS=up");
	CHECK_INT(sd_notifyf(1, "STATUS=%s %d", "serving", 42), 1);
	receive(s, buf, sizeof(buf));
	CHECK_STR(buf, "STATUS=serving 42");
	CHECK(getenv("NOTIFY_SOCKET") == NULL); /* unset as asked */
	close(s);

	snprintf(path, sizeof(path), "@nodex-test-%ld", (long)getpid());
	s = listener(path);
	CHECK(s >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(sd_notify(0, "WATCHDOG=1"), 1);
	receive(s, buf, sizeof(buf));
	CHECK_STR(buf, "WATCHDOG=1");
	close(s);

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CHECK(sd_notify(0, "READY=1") < 0);
	setenv("NOTIFY_SOCKET", "/nonexistent/socket", 1);
	CHECK(sd_notify(0, "READY=1") < 0);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog(void)
{
	uint64_t usec = 0;
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	CHECK_INT(sd_watchdog_enabled(0, &usec), 0);
	setenv("WATCHDOG_USEC", "3000000", 1);
	CHECK_INT(sd_watchdog_enabled(0, &usec), 1);
	CHECK_INT((long long)usec, 3000000);
	setenv("WATCHDOG_PID", "1", 1); /* another process's */
	CHECK_INT(sd_watchdog_enabled(0, &usec), 0);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK_INT(sd_watchdog_enabled(1, &usec), 1);
	CHECK(getenv("WATCHDOG_USEC") == NULL && getenv("WATCHDOG_PID") == NULL);
	setenv("WATCHDOG_USEC", "3s", 1);
	CHECK(sd_watchdog_enabled(1, &usec) < 0);
}

static void test_listen_fds(void)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	unsetenv("LISTEN_PID");
	CHECK_INT(sd_listen_fds(0), 0);
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "2", 1);
	CHECK_INT(sd_listen_fds(0), 0); /* for another process */
	/* fds 3 and 4 as systemd passes them: open, without close-on-exec */
	int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY);
	CHECK(dup2(a, SD_LISTEN_FDS_START) == SD_LISTEN_FDS_START && dup2(b, SD_LISTEN_FDS_START + 1) == SD_LISTEN_FDS_START + 1);
	setenv("LISTEN_PID", pid, 1);
	CHECK_INT(sd_listen_fds(1), 2);
	CHECK(fcntl(SD_LISTEN_FDS_START, F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(SD_LISTEN_FDS_START + 1, F_GETFD) & FD_CLOEXEC);
	CHECK(getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "x", 1);
	CHECK(sd_listen_fds(1) < 0);
	close(a);
	close(b);
}

static void test_journal(void)
{
	char path[128];
	static char buf[1 << 20], big[300000];
	int s;

	snprintf(path, sizeof(path), "%s/journal", dir);
	s = listener(path);
	CHECK(s >= 0);
	libsystemd_test_journal_socket(path);

	struct iovec iov[] = { { "MESSAGE=hello", 13 }, { "PRIORITY=4", 10 }, { "NODEX_ERR=a\nb", 13 } };
	CHECK_INT(sd_journal_sendv(iov, 3), 0);
	ssize_t n = receive(s, buf, sizeof(buf));
	/* FIELD=value lines; a value with a newline goes as name, newline, 64-bit little-endian length, value. */
	static const char want[] = "MESSAGE=hello\nPRIORITY=4\nNODEX_ERR\n\x03\0\0\0\0\0\0\0a\nb\n";
	CHECK_INT(n, (long long)sizeof(want) - 1);
	CHECK(n == (ssize_t)sizeof(want) - 1 && memcmp(buf, want, sizeof(want) - 1) == 0);
	CHECK(!got_fd);

	/* Larger than a datagram may be: the same bytes, in a sealed memfd passed over the socket. qemu-user
	 * answers a sendmsg() with no iovec 0 without sending it (qemu-aarch64-static -strace: memfd_create
	 * = 4, sendmsg(5,...) = 0, and nothing arrives); libsystemd's own sendmsg there is the same. */
	if (test_qemu_lacks("sendmsg() of a descriptor with no payload")) {
		close(s);
		return;
	}
	memcpy(big, "MESSAGE=", 8);
	memset(big + 8, 'x', sizeof(big) - 8);
	struct iovec one = { big, sizeof(big) };
	CHECK_INT(sd_journal_sendv(&one, 1), 0);
	n = receive(s, buf, sizeof(buf));
	CHECK_INT(n, (long long)sizeof(big) + 1);
	CHECK(got_fd);
	CHECK(n > 0 && memcmp(buf, big, sizeof(big)) == 0 && buf[sizeof(big)] == '\n');

	struct iovec bad = { "NOEQUALS", 8 };
	CHECK(sd_journal_sendv(&bad, 1) < 0);
	close(s);
}

int main(int argc, char **argv)
{
	(void)argc;
	CHECK(mkdtemp(dir) != NULL);
	test_notify();
	test_watchdog();
	test_listen_fds();
	test_journal();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return test_summary(argv[0]);
}
