/* Live tests in a throw-away network namespace: create it with ip(8), configure it with shell commands,
 * move the test process into it (so netlink sockets and /proc/net see it), and back out. Only as root
 * with ip(8) and namespace support; otherwise netns_enter() says why and returns false, and the test is
 * skipped (it passes). Header-only, for the netlink collectors' unit tests. */
#ifndef NODEX_TEST_NETNS_H
#define NODEX_TEST_NETNS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static char netns_name[64];
static int netns_orig_fd = -1;

/* Runs a shell command, printing it when it fails. Returns true on success. */
static inline bool netns_sh(const char *cmd)
{
	int r = system(cmd);
	if (r != 0)
		fprintf(stderr, "netns: '%s' failed (status %d)\n", cmd, r);
	return r == 0;
}

static inline void netns_leave(void);

/* Creates the namespace "nodex-test-<tag>-<pid>", enters it, and runs the shell commands in setup there
 * (children inherit the namespace). */
static inline bool netns_enter(const char *tag, const char *setup)
{
	char cmd[4096], path[128];
	int fd;

	if (geteuid() != 0) {
		printf("netns: not root, live namespace test skipped\n");
		return false;
	}
	if (system("ip -V >/dev/null 2>&1") != 0) {
		printf("netns: no ip(8), live namespace test skipped\n");
		return false;
	}
	snprintf(netns_name, sizeof(netns_name), "nodex-test-%s-%d", tag, (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s 2>/dev/null", netns_name);
	if (system(cmd) != 0) {
		printf("netns: cannot create a network namespace, live test skipped\n");
		netns_name[0] = '\0';
		return false;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", netns_name);
	netns_orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || netns_orig_fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "netns: cannot enter %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	if (!netns_sh(setup)) {
		netns_leave();
		return false;
	}
	return true;
fail:
	snprintf(cmd, sizeof(cmd), "ip netns del %s", netns_name);
	netns_sh(cmd);
	netns_name[0] = '\0';
	return false;
}

/* Leaves and deletes the namespace. */
static inline void netns_leave(void)
{
	char cmd[128];

	if (netns_orig_fd >= 0) {
		if (setns(netns_orig_fd, CLONE_NEWNET) < 0)
			fprintf(stderr, "netns: cannot return to the original namespace: %s\n", strerror(errno));
		close(netns_orig_fd);
		netns_orig_fd = -1;
	}
	if (netns_name[0]) {
		snprintf(cmd, sizeof(cmd), "ip netns del %s", netns_name);
		netns_sh(cmd);
		netns_name[0] = '\0';
	}
}

/* Runs cmd and returns its standard output in out. */
static inline bool netns_capture(const char *cmd, struct strbuf *out)
{
	char buf[4096];
	size_t n;
	FILE *f = popen(cmd, "r");

	sb_reset(out);
	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(out, buf, n);
	return pclose(f) == 0;
}

#endif
