/* What nodex uses of libsystemd, without mapping it into every process.
 *
 * The service protocols are a few lines each and are spoken here directly, with the semantics of
 * libsystemd's functions of the same names: sd_notify() and sd_watchdog_enabled() ($NOTIFY_SOCKET,
 * $WATCHDOG_USEC), sd_listen_fds() (socket activation) and sd_journal_sendv() (the journal's native
 * protocol). sd-bus, which only the systemd and logind collectors use, stays libsystemd's: the sd_bus_*
 * functions below load libsystemd.so.0 with dlopen() on first use and call through to it.
 *
 * Why: linked, libsystemd and what it pulls in (libgcrypt, libgpg-error, liblzma, libzstd, liblz4,
 * libcap) cost about 1 MB of private memory in every nodex, for a D-Bus client that node_exporter's
 * default collector set never uses (make bench, README "Benchmark").
 *
 * The prototypes come from libsystemd's own headers, so the compiler checks that each definition here
 * matches. nodex is not linked with libsystemd, so no name here is exported or can clash with the
 * library's own once it is loaded (RTLD_LOCAL). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#define SD_JOURNAL_SUPPRESS_LOCATION /* the plain functions, not the macros that add this file as the location */
#include <systemd/sd-journal.h>

#include "dynlib.h"
#include "libsystemd.h"
#include "log.h"
#include "parse.h"

/* ---- datagrams to a unix socket ---- */

/* Fills *sa from a socket path as $NOTIFY_SOCKET gives it: a file system path, or '@' for the abstract
 * namespace. Returns the address length, or -EINVAL. */
static int unix_address(const char *path, struct sockaddr_un *sa)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path) || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	return (int)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
}

/* Sends one datagram of the iovecs to path, or, with fd >= 0 and no iovecs, passes fd. Returns 0 or a
 * negative errno. */
static int send_datagram(const char *path, const struct iovec *iov, size_t n_iov, int fd)
{
	struct sockaddr_un sa;
	int len = unix_address(path, &sa);
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr mh = { .msg_name = &sa, .msg_iov = (struct iovec *)iov, .msg_iovlen = n_iov };
	int s, r = 0;

	if (len < 0)
		return len;
	mh.msg_namelen = (socklen_t)len;
	if (fd >= 0) {
		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
		r = -errno;
	close(s);
	return r;
}

/* ---- sd-daemon ---- */

int sd_notify(int unset_environment, const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	int r;

	if (!state) {
		r = -EINVAL;
	} else if (!path) {
		r = 0;
	} else {
		struct iovec iov = { (void *)state, strlen(state) };
		r = send_datagram(path, &iov, 1, -1);
		if (r == 0)
			r = 1;
	}
	if (unset_environment)
		unsetenv("NOTIFY_SOCKET");
	return r;
}

int sd_notifyf(int unset_environment, const char *format, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return sd_notify(unset_environment, buf);
}

/* Reads a decimal environment variable. Returns 0, -ENOENT when unset, -EINVAL when not a number. */
static int env_u64(const char *name, uint64_t *v)
{
	const char *s = getenv(name);

	if (!s)
		return -ENOENT;
	return parse_u64(s, NULL, v) == 0 ? 0 : -EINVAL;
}

int sd_watchdog_enabled(int unset_environment, uint64_t *usec)
{
	uint64_t u, pid;
	int r;

	r = env_u64("WATCHDOG_USEC", &u);
	if (r == -ENOENT) {
		r = 0;
	} else if (r == 0 && u == 0) {
		r = -EINVAL;
	} else if (r == 0) {
		int p = env_u64("WATCHDOG_PID", &pid);
		if (p == -EINVAL)
			r = -EINVAL;
		else if (p == 0 && pid != (uint64_t)getpid())
			r = 0; /* for another process */
		else {
			if (usec)
				*usec = u;
			r = 1;
		}
	}
	if (unset_environment) {
		unsetenv("WATCHDOG_USEC");
		unsetenv("WATCHDOG_PID");
	}
	return r;
}

int sd_listen_fds(int unset_environment)
{
	uint64_t pid, n;
	int r = 0;

	if (env_u64("LISTEN_PID", &pid) == 0 && pid == (uint64_t)getpid()) {
		int e = env_u64("LISTEN_FDS", &n);
		if (e == -ENOENT)
			r = 0;
		else if (e < 0 || n > (uint64_t)(INT32_MAX - SD_LISTEN_FDS_START))
			r = -EINVAL;
		else {
			for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + (int)n; fd++) {
				int fl = fcntl(fd, F_GETFD);
				if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) {
					r = -errno;
					break;
				}
			}
			if (r == 0)
				r = (int)n;
		}
	}
	if (unset_environment) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	return r;
}

/* ---- the journal's native protocol ---- */

static const char *journal_socket = "/run/systemd/journal/socket";

void libsystemd_test_journal_socket(const char *path)
{
	journal_socket = path;
}

int sd_journal_sendv(const struct iovec *iov, int n)
{
	/* Each field is FIELD=value\n, or, when the value holds a newline, FIELD\n, its length as 64-bit
	 * little-endian, the value and \n. */
	struct iovec out[5 * 64];
	uint8_t lens[64][8];
	size_t k = 0;
	static const char nl = '\n';

	if (n < 0 || n > 64)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		const char *f = iov[i].iov_base, *eq = memchr(f, '=', iov[i].iov_len);
		if (!eq)
			return -EINVAL;
		size_t name = (size_t)(eq - f), vlen = iov[i].iov_len - name - 1;
		if (memchr(eq + 1, '\n', vlen)) {
			uint64_t v = vlen;
			for (int b = 0; b < 8; b++)
				lens[i][b] = (uint8_t)(v >> (8 * b));
			out[k++] = (struct iovec){ (void *)f, name };
			out[k++] = (struct iovec){ (void *)&nl, 1 };
			out[k++] = (struct iovec){ lens[i], 8 };
			out[k++] = (struct iovec){ (void *)(eq + 1), vlen };
		} else {
			out[k++] = iov[i];
		}
		out[k++] = (struct iovec){ (void *)&nl, 1 };
	}
	int r = send_datagram(journal_socket, out, k, -1);
	if (r != -EMSGSIZE && r != -ENOBUFS)
		return r;
	/* Too large for a datagram: the same bytes in a sealed memfd, passed as a descriptor. */
	int fd = memfd_create("journal-message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < k; i++) {
		const char *p = out[i].iov_base;
		for (size_t left = out[i].iov_len; left > 0;) {
			ssize_t w = write(fd, p, left);
			if (w < 0) {
				r = -errno;
				goto done;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	r = send_datagram(journal_socket, NULL, 0, fd);
done:
	close(fd);
	return r;
}

/* ---- sd-bus, from libsystemd.so.0 loaded on first use ---- */

static struct dynlib lib = DYNLIB_INIT("libsystemd.so.0", "D-Bus collectors (systemd, logind) fail");

static void *lib_sym(const char *name)
{
	return dynlib_sym(&lib, name);
}

#define CALL(fail, name, args) DYN_CALL(lib_sym, fail, name, args)
#define CALL_VOID(name, args) DYN_CALL_VOID(lib_sym, name, args)

int sd_bus_new(sd_bus **ret) { CALL(-ENOSYS, sd_bus_new, (ret)); }
int sd_bus_open_system(sd_bus **ret) { CALL(-ENOSYS, sd_bus_open_system, (ret)); }
int sd_bus_set_address(sd_bus *bus, const char *address) { CALL(-ENOSYS, sd_bus_set_address, (bus, address)); }
int sd_bus_set_description(sd_bus *bus, const char *description)
{
	CALL(-ENOSYS, sd_bus_set_description, (bus, description));
}
int sd_bus_set_method_call_timeout(sd_bus *bus, uint64_t usec)
{
	CALL(-ENOSYS, sd_bus_set_method_call_timeout, (bus, usec));
}
int sd_bus_start(sd_bus *bus) { CALL(-ENOSYS, sd_bus_start, (bus)); }
int sd_bus_is_open(sd_bus *bus) { CALL(0, sd_bus_is_open, (bus)); }
void sd_bus_close(sd_bus *bus) { CALL_VOID(sd_bus_close, (bus)); }
sd_bus *sd_bus_unref(sd_bus *bus) { CALL(NULL, sd_bus_unref, (bus)); }
sd_bus *sd_bus_flush_close_unref(sd_bus *bus) { CALL(NULL, sd_bus_flush_close_unref, (bus)); }
int sd_bus_process(sd_bus *bus, sd_bus_message **r) { CALL(-ENOSYS, sd_bus_process, (bus, r)); }
int sd_bus_wait(sd_bus *bus, uint64_t timeout_usec) { CALL(-ENOSYS, sd_bus_wait, (bus, timeout_usec)); }
sd_bus_slot *sd_bus_slot_unref(sd_bus_slot *slot) { CALL(NULL, sd_bus_slot_unref, (slot)); }
int sd_bus_call_async(sd_bus *bus, sd_bus_slot **slot, sd_bus_message *m, sd_bus_message_handler_t callback,
		      void *userdata, uint64_t usec)
{
	CALL(-ENOSYS, sd_bus_call_async, (bus, slot, m, callback, userdata, usec));
}
int sd_bus_message_new_method_call(sd_bus *bus, sd_bus_message **m, const char *destination, const char *path,
				   const char *interface, const char *member)
{
	CALL(-ENOSYS, sd_bus_message_new_method_call, (bus, m, destination, path, interface, member));
}
sd_bus_message *sd_bus_message_ref(sd_bus_message *m) { CALL(NULL, sd_bus_message_ref, (m)); }
sd_bus_message *sd_bus_message_unref(sd_bus_message *m) { CALL(NULL, sd_bus_message_unref, (m)); }
const sd_bus_error *sd_bus_message_get_error(sd_bus_message *m) { CALL(NULL, sd_bus_message_get_error, (m)); }
int sd_bus_message_get_errno(sd_bus_message *m) { CALL(ENOSYS, sd_bus_message_get_errno, (m)); }
int sd_bus_message_enter_container(sd_bus_message *m, char type, const char *contents)
{
	CALL(-ENOSYS, sd_bus_message_enter_container, (m, type, contents));
}
int sd_bus_message_exit_container(sd_bus_message *m) { CALL(-ENOSYS, sd_bus_message_exit_container, (m)); }
int sd_bus_message_read_basic(sd_bus_message *m, char type, void *p)
{
	CALL(-ENOSYS, sd_bus_message_read_basic, (m, type, p));
}
int sd_bus_message_appendv(sd_bus_message *m, const char *types, va_list ap)
{
	CALL(-ENOSYS, sd_bus_message_appendv, (m, types, ap));
}
int sd_bus_message_readv(sd_bus_message *m, const char *types, va_list ap)
{
	CALL(-ENOSYS, sd_bus_message_readv, (m, types, ap));
}
int sd_bus_call_methodv(sd_bus *bus, const char *destination, const char *path, const char *interface,
			const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *types,
			va_list ap)
{
	CALL(-ENOSYS, sd_bus_call_methodv, (bus, destination, path, interface, member, ret_error, reply, types, ap));
}
int sd_bus_get_property_string(sd_bus *bus, const char *destination, const char *path, const char *interface,
			       const char *member, sd_bus_error *ret_error, char **ret)
{
	CALL(-ENOSYS, sd_bus_get_property_string, (bus, destination, path, interface, member, ret_error, ret));
}
int sd_bus_get_property_trivial(sd_bus *bus, const char *destination, const char *path, const char *interface,
				const char *member, sd_bus_error *ret_error, char type, void *ret_ptr)
{
	CALL(-ENOSYS, sd_bus_get_property_trivial,
	     (bus, destination, path, interface, member, ret_error, type, ret_ptr));
}
void sd_bus_error_free(sd_bus_error *e) { CALL_VOID(sd_bus_error_free, (e)); }
int sd_bus_error_has_name(const sd_bus_error *e, const char *name) { CALL(0, sd_bus_error_has_name, (e, name)); }

/* The variadic ones, through their va_list forms. */
int sd_bus_message_append(sd_bus_message *m, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	return r;
}

int sd_bus_message_read(sd_bus_message *m, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = sd_bus_message_readv(m, types, ap);
	va_end(ap);
	return r;
}

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
		       const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = sd_bus_call_methodv(bus, destination, path, interface, member, ret_error, reply, types, ap);
	va_end(ap);
	return r;
}

int sd_bus_error_has_names_sentinel(const sd_bus_error *e, ...)
{
	va_list ap;
	const char *name;
	int r = 0;

	va_start(ap, e);
	while (!r && (name = va_arg(ap, const char *)))
		r = sd_bus_error_has_name(e, name);
	va_end(ap);
	return r;
}
