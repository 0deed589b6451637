/* The connection half of the HTTP front end (see include/http_internal.h): listeners and their
 * libmicrohttpd daemons, each connection from its accept to its close, the per-listener connection limit
 * that evicts the connection waiting longest for a request, and the reaper that closes connections whose
 * request does not arrive within --web.connection-timeout. */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "auth.h"
#include "http_internal.h"
#include "log.h"
#include "nodex.h"
#include "webconfig.h"

#define MAX_LISTENERS 16
/* libmicrohttpd may hold this many connections beyond --web.max-connections: those we have just shut down
 * and it has not closed yet. */
#define EVICT_SLACK 64
/* Descriptors kept out of the connections' share for everything else (listeners, epoll, logs, textfiles). */
#define FD_RESERVE 64

struct listener {
	int fd;
	struct MHD_Daemon *daemon;
	char name[300];
	long limit; /* --web.max-connections, lowered to fit RLIMIT_NOFILE */
	long open;  /* connections counted against limit (conn_mu) */
};

/* One accepted connection. It waits for a request from its opening, and again after each response; a
 * request whose line and headers have not all arrived within --web.connection-timeout of the start of the
 * wait is cut off (libmicrohttpd's own timeout counts idle time only, so a client sending one byte every
 * few seconds would hold the connection forever). While a request is being served the connection is
 * busy and is never cut off here. */
struct conn {
	struct conn *prev, *next; /* in the waiting list, oldest first */
	struct listener *l;
	int fd;
	double since;    /* CLOCK_MONOTONIC seconds when the wait began */
	bool waiting;
	bool dropped;    /* shut down by us; no longer counted in l->open */
	void *tls;       /* the web configuration this TLS session is bound to */
};

static pthread_mutex_t conn_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conn_cv;
static struct conn *wait_head, *wait_tail;
static pthread_t reaper;
static bool reaper_running, reaper_stop;
static double evict_warned; /* when the last warning about the limit was logged */
static unsigned long evicted_since_warning;

static struct http_config cfg;
static struct listener listeners[MAX_LISTENERS];
static size_t n_listeners;

/* ---- connection limits and deadlines ---- */

/* Called with conn_mu held. */
static void wait_unlink(struct conn *c)
{
	if (!c->waiting)
		return;
	*(c->prev ? &c->prev->next : &wait_head) = c->next;
	*(c->next ? &c->next->prev : &wait_tail) = c->prev;
	c->prev = c->next = NULL;
	c->waiting = false;
}

/* Starts a wait for the next request. Called with conn_mu held. */
static void wait_append(struct conn *c)
{
	bool was_empty = !wait_head;

	c->since = now_monotonic();
	c->waiting = true;
	c->next = NULL;
	c->prev = wait_tail;
	*(wait_tail ? &wait_tail->next : &wait_head) = c;
	wait_tail = c;
	if (was_empty)
		pthread_cond_signal(&conn_cv);
}

/* Shuts the connection's socket down: libmicrohttpd reads the end of the stream on its next round and
 * closes the connection. Only the socket is touched, never libmicrohttpd's state, so this is safe from any
 * thread; the descriptor stays open until its NOTIFY_CLOSED, which needs conn_mu. Called with it held. */
static void conn_drop(struct conn *c)
{
	shutdown(c->fd, SHUT_RDWR);
	wait_unlink(c);
	c->dropped = true;
	c->l->open--;
}

static struct conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

bool http_conn_busy(struct MHD_Connection *conn)
{
	struct conn *c = conn_of(conn);
	bool dropped;

	if (!c)
		return true;
	pthread_mutex_lock(&conn_mu);
	dropped = c->dropped;
	wait_unlink(c);
	pthread_mutex_unlock(&conn_mu);
	return !dropped;
}

void http_conn_idle(struct MHD_Connection *conn, enum MHD_RequestTerminationCode toe)
{
	struct conn *c = conn_of(conn);

	if (!c || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		return;
	pthread_mutex_lock(&conn_mu);
	if (!c->dropped && !c->waiting)
		wait_append(c);
	pthread_mutex_unlock(&conn_mu);
}

void http_peer(struct MHD_Connection *conn, char *buf, size_t size, bool port)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char host[INET6_ADDRSTRLEN];
	const void *addr;
	unsigned p;
	bool v6 = false;

	snprintf(buf, size, "?");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		addr = &s4->sin_addr;
		p = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		addr = &s6->sin6_addr;
		p = ntohs(s6->sin6_port);
		/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; Go prints them as IPv4. */
		v6 = !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
		if (!v6)
			addr = (const unsigned char *)addr + 12;
	} else {
		return;
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, host, sizeof(host)))
		return;
	if (!port)
		snprintf(buf, size, "%s", host);
	else
		snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", host, p);
}

/* Closes the connections whose wait for a request has passed --web.connection-timeout. */
static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&conn_mu);
	while (!reaper_stop) {
		double now = now_monotonic();
		while (wait_head && wait_head->since + cfg.connection_timeout <= now) {
			log_debug("closing a connection that sent no complete request in time", "listener",
				  wait_head->l->name);
			conn_drop(wait_head);
		}
		if (!wait_head) {
			pthread_cond_wait(&conn_cv, &conn_mu);
			continue;
		}
		double at = wait_head->since + cfg.connection_timeout;
		struct timespec ts = { .tv_sec = (time_t)at, .tv_nsec = (long)((at - floor(at)) * 1e9) };
		pthread_cond_timedwait(&conn_cv, &conn_mu, &ts);
	}
	pthread_mutex_unlock(&conn_mu);
	return NULL;
}

/* A new connection over the listener's limit closes the one that has waited longest for a request, so
 * idle or slow clients cannot keep a real scrape out: a scraper sends its request at once and is then
 * busy, and busy connections are never chosen. When every connection is busy the new one is closed.
 * Called with conn_mu held. */
static void conn_evict(struct conn *fresh)
{
	struct listener *l = fresh->l;
	struct conn *victim = wait_head;

	while (victim && (victim->l != l || victim == fresh))
		victim = victim->next;
	conn_drop(victim ? victim : fresh);
	evicted_since_warning++;
	double now = now_monotonic();
	if (evict_warned == 0 || now - evict_warned >= 60) {
		char n[32], limit[32];
		snprintf(n, sizeof(n), "%lu", evicted_since_warning);
		snprintf(limit, sizeof(limit), "%ld", l->limit);
		log_warn("Connection limit reached; closed the connections waiting longest for a request", "listener",
			 l->name, "limit", limit, "closed", n);
		evict_warned = now;
		evicted_since_warning = 0;
	}
}

/* Tracks each connection from its opening to its end; for TLS connections, also binds the session to the
 * web configuration in force before its handshake, and lets it go when the connection closes. Runs on the
 * listener's thread. */
static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct listener *l = cls;
	struct conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (!c) {
			if (fd)
				shutdown(fd->connect_fd, SHUT_RDWR);
			*socket_context = NULL;
			return;
		}
		c->l = l;
		c->fd = fd ? fd->connect_fd : -1;
		if (webconfig_tls()) {
			const union MHD_ConnectionInfo *ci =
				MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
			char peer[HTTP_PEER_MAX];
			http_peer(conn, peer, sizeof(peer), true);
			c->tls = ci && ci->tls_session ? webconfig_tls_session_start(ci->tls_session, peer) : NULL;
		}
		pthread_mutex_lock(&conn_mu);
		l->open++;
		wait_append(c);
		if (l->open > l->limit)
			conn_evict(c);
		pthread_mutex_unlock(&conn_mu);
		*socket_context = c;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		c = *socket_context;
		if (!c)
			return;
		pthread_mutex_lock(&conn_mu);
		wait_unlink(c);
		if (!c->dropped)
			l->open--;
		pthread_mutex_unlock(&conn_mu);
		if (c->tls)
			webconfig_tls_session_end(c->tls);
		free(c);
		*socket_context = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (size_t n = strlen(msg); n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'); n--)
		msg[n - 1] = '\0';
	log_debug("http server", "err", msg);
}

int http_split_address(const char *addr, char *host, char *port)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':' || (size_t)(close - addr - 1) >= 256)
			return -EINVAL;
		memcpy(host, addr + 1, (size_t)(close - addr - 1));
		host[close - addr - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= 256)
			return -EINVAL;
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		if (strchr(host, ':'))
			return -EINVAL; /* an IPv6 address needs brackets */
	}
	if (!colon[1] || strlen(colon + 1) >= 16)
		return -EINVAL;
	for (const char *p = colon + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return -EINVAL;
	strcpy(port, colon + 1);
	return 0;
}

static int bind_one(int family, const struct sockaddr *sa, socklen_t len, bool dual)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, zero = 0;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof(int));
	if (bind(fd, sa, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Opens a listening socket for addr. ":port" listens on every IPv6 and IPv4 address, as Go does. */
static int open_listener(const char *addr, char *err, size_t err_size)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res = NULL;
	int fd = -EADDRNOTAVAIL, gai;

	if (http_split_address(addr, host, port) < 0) {
		snprintf(err, err_size, "listen tcp %s: address %s: missing port in address", addr, addr);
		return -EINVAL;
	}
	if (!host[0]) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
		char *end;
		unsigned long p = strtoul(port, &end, 10);
		if (*end || p > 65535) {
			snprintf(err, err_size, "listen tcp %s: unknown port", addr);
			return -EINVAL;
		}
		s6.sin6_port = htons((uint16_t)p);
		s4.sin_port = htons((uint16_t)p);
		fd = bind_one(AF_INET6, (struct sockaddr *)&s6, sizeof(s6), true);
		if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
			fd = bind_one(AF_INET, (struct sockaddr *)&s4, sizeof(s4), false);
	} else {
		gai = getaddrinfo(host, port, &hints, &res);
		if (gai != 0) {
			snprintf(err, err_size, "listen tcp %s: %s", addr, gai_strerror(gai));
			return -EINVAL;
		}
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			fd = bind_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, false);
			if (fd >= 0)
				break;
		}
		freeaddrinfo(res);
	}
	if (fd < 0)
		snprintf(err, err_size, "listen tcp %s: bind: %s", addr, strerror(-fd));
	return fd;
}

static int start_daemon(struct listener *l, char *err, size_t err_size)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls_opts[2] = { { MHD_OPTION_END, 0, NULL } };

	if (webconfig_tls()) {
		/* The certificate comes from the web configuration in force at each handshake. */
		flags |= MHD_USE_TLS;
		tls_opts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_CERT_CALLBACK, 0,
						       (void *)webconfig_tls_retrieve_cert };
	}
	/* libmicrohttpd's own limit leaves room for the connections conn_evict shut down and it has not closed
	 * yet; its idle timeout (whole seconds, 0 = none) covers a client that stops reading a response. */
	l->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, http_request_handle, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, l->fd, MHD_OPTION_NOTIFY_COMPLETED, http_request_completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, notify_connection, l, MHD_OPTION_URI_LOG_CALLBACK, http_request_uri_seen,
		NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)ceil(cfg.connection_timeout > 0 ? cfg.connection_timeout : 0), MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)(l->limit + EVICT_SLACK), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)cfg.request_memory_limit, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	if (!l->daemon) {
		snprintf(err, err_size, "cannot start the HTTP server on %s", l->name);
		return -EIO;
	}
	log_info("Listening on", "address", l->name);
	log_info(webconfig_tls() ? "TLS is enabled." : "TLS is disabled.", "http2", "false", "address", l->name);
	return 0;
}

/* Gives each of n listeners --web.max-connections, or less when the descriptors would not suffice: the file
 * descriptor cache may hold half of RLIMIT_NOFILE, 512 at most (src/fileio.c), and a collector that cannot
 * open its files because connections took every descriptor would fail the very scrape the limit is meant
 * to protect. */
static void set_limits(size_t n)
{
	struct rlimit rl;
	long limit = cfg.connection_limit;

	if (n == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		long cache = (long)(rl.rlim_cur / 2) < 512 ? (long)(rl.rlim_cur / 2) : 512;
		long budget = (long)rl.rlim_cur - cache - FD_RESERVE;
		long fit = budget / (long)n - EVICT_SLACK;
		if (fit < 16)
			fit = 16;
		if (limit > fit) {
			char want[32], got[32], nofile[32];
			snprintf(want, sizeof(want), "%ld", limit);
			snprintf(got, sizeof(got), "%ld", fit);
			snprintf(nofile, sizeof(nofile), "%llu", (unsigned long long)rl.rlim_cur);
			log_warn("--web.max-connections lowered to fit the open file limit", "configured", want,
				 "per_listener", got, "nofile", nofile);
			limit = fit;
		}
	}
	for (size_t i = 0; i < MAX_LISTENERS; i++)
		listeners[i].limit = limit;
}

static int start_reaper(char *err, size_t err_size)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&conn_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (cfg.connection_timeout <= 0)
		return 0;
	reaper_stop = false;
	if (pthread_create(&reaper, NULL, reaper_main, NULL) != 0) {
		snprintf(err, err_size, "cannot start the connection timeout thread");
		return -EAGAIN;
	}
	reaper_running = true;
	return 0;
}

int http_start(const struct http_config *c, char *err, size_t err_size)
{
	cfg = *c;
	if (cfg.connection_limit <= 0)
		cfg.connection_limit = 1024;
	if (cfg.request_memory_limit <= 0)
		cfg.request_memory_limit = 32 * 1024;
	if (http_request_setup(&cfg) < 0) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (start_reaper(err, err_size) < 0)
		return -EAGAIN;
	if (cfg.systemd_socket) {
		int n = sd_listen_fds(1);
		if (n <= 0) {
			snprintf(err, err_size, "--web.systemd-socket given, but systemd passed no socket");
			return -EINVAL;
		}
		set_limits(n > MAX_LISTENERS ? MAX_LISTENERS : n);
		for (int i = 0; i < n && n_listeners < MAX_LISTENERS; i++) {
			struct listener *l = &listeners[n_listeners];
			l->fd = SD_LISTEN_FDS_START + i;
			snprintf(l->name, sizeof(l->name), "systemd socket %d", l->fd);
			if (start_daemon(l, err, err_size) < 0)
				return -EIO;
			n_listeners++;
		}
		return 0;
	}
	set_limits(cfg.listen.n);
	for (size_t i = 0; i < cfg.listen.n; i++) {
		struct listener *l = &listeners[n_listeners];
		if (n_listeners == MAX_LISTENERS) {
			snprintf(err, err_size, "too many listen addresses (at most %d)", MAX_LISTENERS);
			return -EINVAL;
		}
		l->fd = open_listener(cfg.listen.v[i], err, err_size);
		if (l->fd < 0)
			return l->fd;
		snprintf(l->name, sizeof(l->name), "%s", cfg.listen.v[i]);
		if (start_daemon(l, err, err_size) < 0) {
			close(l->fd);
			return -EIO;
		}
		n_listeners++;
	}
	return 0;
}

void http_quiesce(void)
{
	/* New connections are refused from here on; requests on open connections still get an answer. */
	for (size_t i = 0; i < n_listeners; i++)
		MHD_quiesce_daemon(listeners[i].daemon);
}

void http_stop(void)
{
	/* scrape_stop() has answered every job, but a resumed connection is still counted as suspended by
	 * libmicrohttpd until its own thread has queued the answer. */
	http_request_drain();
	/* Requests waiting for a bcrypt check are answered first: MHD cannot stop with suspended ones. */
	auth_stop();
	if (reaper_running) {
		pthread_mutex_lock(&conn_mu);
		reaper_stop = true;
		pthread_cond_signal(&conn_cv);
		pthread_mutex_unlock(&conn_mu);
		pthread_join(reaper, NULL);
		reaper_running = false;
	}
	for (size_t i = 0; i < n_listeners; i++) {
		MHD_stop_daemon(listeners[i].daemon);
		close(listeners[i].fd);
	}
	n_listeners = 0;
	webconfig_fini();
}