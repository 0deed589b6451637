/* logind: the collector against a fake org.freedesktop.login1 (an sd-bus service in a child process) on a
 * private dbus-daemon, reached through DBUS_SYSTEM_BUS_ADDRESS as node_exporter's godbus would be. Skipped
 * when dbus-daemon is not installed. Also: no bus at all is a failed run. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>

#include "harness.h"

extern const struct collector collector_logind;

struct fake_session {
	const char *id, *seat, *path, *type, *class;
	int remote;
	bool broken; /* its properties cannot be read */
};

static const struct fake_session sessions[] = {
	{ "1", "seat0", "/org/freedesktop/login1/session/_31", "x11", "user", 0, false },
	{ "2", "", "/org/freedesktop/login1/session/_32", "tty", "user", 1, false },
	{ "3", "", "/org/freedesktop/login1/session/_33", "tty", "user", 1, false },
	{ "4", "", "/org/freedesktop/login1/session/_34", "something-new", "manager", 1, false },
	{ "5", "seat9", "/org/freedesktop/login1/session/_35", "tty", "user", 0, false }, /* unlisted seat */
	{ "6", "seat0", "/org/freedesktop/login1/session/_36", "tty", "user", 0, true },
};

static int list_seats(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	(void)ud;
	(void)e;
	sd_bus_message_new_method_return(m, &reply);
	sd_bus_message_append(reply, "a(so)", 1, "seat0", "/org/freedesktop/login1/seat/seat0");
	int r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int list_sessions(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	(void)ud;
	(void)e;
	sd_bus_message_new_method_return(m, &reply);
	sd_bus_message_open_container(reply, 'a', "(susso)");
	for (size_t i = 0; i < ARRAY_SIZE(sessions); i++)
		sd_bus_message_append(reply, "(susso)", sessions[i].id, 1000u, "user", sessions[i].seat, sessions[i].path);
	sd_bus_message_close_container(reply);
	int r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static const struct fake_session *session_of(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(sessions); i++)
		if (streq(sessions[i].path, path))
			return &sessions[i];
	return NULL;
}

static int prop(sd_bus *bus, const char *path, const char *iface, const char *property, sd_bus_message *reply,
		void *ud, sd_bus_error *e)
{
	const struct fake_session *s = session_of(path);
	(void)bus;
	(void)iface;
	(void)ud;
	if (!s || s->broken)
		return sd_bus_error_set(e, "org.freedesktop.DBus.Error.Failed", "gone");
	if (streq(property, "Remote"))
		return sd_bus_message_append(reply, "b", s->remote);
	if (streq(property, "Type"))
		return sd_bus_message_append(reply, "s", s->type);
	return sd_bus_message_append(reply, "s", s->class);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("ListSeats", "", "a(so)", list_seats, 0),
	SD_BUS_METHOD("ListSessions", "", "a(susso)", list_sessions, 0),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable session_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Remote", "b", prop, 0, 0),
	SD_BUS_PROPERTY("Type", "s", prop, 0, 0),
	SD_BUS_PROPERTY("Class", "s", prop, 0, 0),
	SD_BUS_VTABLE_END,
};

static int session_find(sd_bus *bus, const char *path, const char *iface, void *ud, void **found, sd_bus_error *e)
{
	(void)bus;
	(void)iface;
	(void)ud;
	(void)e;
	*found = NULL;
	return session_of(path) ? 1 : 0;
}

/* The fake logind: serves until killed. */
static void serve(void)
{
	sd_bus *bus = NULL;

	if (sd_bus_open_system(&bus) < 0 ||
	    sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
				     manager_vtable, NULL) < 0 ||
	    sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/login1/session", "org.freedesktop.login1.Session",
				       session_vtable, session_find, NULL) < 0 ||
	    sd_bus_request_name(bus, "org.freedesktop.login1", 0) < 0)
		_exit(1);
	for (;;) {
		int r = sd_bus_process(bus, NULL);
		if (r < 0)
			_exit(1);
		if (r == 0)
			sd_bus_wait(bus, UINT64_MAX);
	}
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		/* dbus-daemon complains about fd limits it cannot raise; keep test output clean. */
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static int count_lines(const char *s, const char *prefix)
{
	int n = 0;
	for (const char *p = s; p && *p;) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	char dir[] = "/tmp/nodex-logind.XXXXXX", conf[256], sock[256], addr[300];
	pid_t daemon = -1, service = -1;
	(void)argc;

	/* No bus at all: the run fails. */
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
	CHECK(test_run_collector(&collector_logind, &out) < 0);
	CHECK(strstr(test_last_error, "unable to connect to dbus") != NULL);

	if (system("command -v dbus-daemon >/dev/null 2>&1") != 0) {
		printf("test_logind: no dbus-daemon, live bus test skipped\n");
		return test_summary(argv[0]);
	}
	CHECK(mkdtemp(dir) != NULL);
	snprintf(conf, sizeof(conf), "%s/bus.conf", dir);
	snprintf(sock, sizeof(sock), "%s/bus", dir);
	snprintf(addr, sizeof(addr), "unix:path=%s", sock);
	FILE *f = fopen(conf, "w");
	CHECK(f != NULL);
	if (!f)
		return test_summary(argv[0]);
	fprintf(f, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
		   "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		   "<busconfig><type>system</type><listen>%s</listen><auth>EXTERNAL</auth>"
		   "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/><allow send_destination=\"*\"/>"
		   "<allow receive_sender=\"*\"/></policy></busconfig>\n",
		addr);
	fclose(f);
	char cfg_arg[300];
	snprintf(cfg_arg, sizeof(cfg_arg), "--config-file=%s", conf);
	char *dargv[] = { "dbus-daemon", cfg_arg, "--nofork", "--nopidfile", NULL };
	daemon = spawn(dargv);
	for (int i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		usleep(20000);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	service = fork();
	if (service == 0)
		serve();

	/* Wait for the fake logind to own its name: the collector succeeds once it does. */
	int r = -1;
	for (int i = 0; i < 100 && r < 0; i++) {
		r = test_run_collector(&collector_logind, &out);
		if (r < 0)
			usleep(20000);
	}
	CHECK_INT(r, 0);
	if (r == 0) {
		/* Two seats ("" and seat0) times 2 x 7 x 5 combinations. */
		CHECK_INT(count_lines(out.p, "node_logind_sessions{"), 140);
		CHECK(strstr(out.p, "node_logind_sessions{class=\"user\",remote=\"false\",seat=\"seat0\",type=\"x11\"} 1\n"));
		CHECK(strstr(out.p, "node_logind_sessions{class=\"user\",remote=\"true\",seat=\"\",type=\"tty\"} 2\n"));
		CHECK(strstr(out.p, "node_logind_sessions{class=\"other\",remote=\"true\",seat=\"\",type=\"other\"} 1\n"));
		CHECK(strstr(out.p, "node_logind_sessions{class=\"background\",remote=\"false\",seat=\"seat0\",type=\"web\"} 0\n"));
		CHECK(strstr(out.p, "seat9") == NULL);
		/* Nothing else is non-zero: sessions 5 (unlisted seat) and 6 (unreadable) are not counted. */
		int nonzero = 0;
		for (const char *p = out.p; (p = strstr(p, "} ")); p += 2)
			if (p[2] != '0')
				nonzero++;
		CHECK_INT(nonzero, 3);
		CHECK(strstr(out.p, "# HELP node_logind_sessions Number of sessions registered in logind.\n"
				    "# TYPE node_logind_sessions gauge\n") != NULL);
	}
	/* For a side-by-side run with node_exporter: keep the fake bus up until interrupted. */
	if (getenv("NODEX_TEST_LOGIND_HOLD")) {
		printf("DBUS_SYSTEM_BUS_ADDRESS=%s\n", addr);
		fflush(stdout);
		sigset_t set;
		int sig;
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
	}
	/* The service gone: listing fails, the run fails. */
	stop(service);
	service = -1;
	CHECK(test_run_collector(&collector_logind, &out) < 0);

	stop(service);
	stop(daemon);
	unlink(conf);
	unlink(sock);
	rmdir(dir);
	sb_free(&out);
	return test_summary(argv[0]);
}
