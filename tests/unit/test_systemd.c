/* The systemd collector against a real dbus-daemon (a private bus in a temporary directory) and
 * tests/tools/fake-systemd answering as org.freedesktop.systemd1 from a state file each case writes. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "exposition.h"
#include "harness.h"

extern const struct collector collector_systemd;

static char dir[64];
static char fake_path[1100];
static pid_t bus_pid = -1, fake_pid = -1;

/* ---- the bus and the fake systemd ---- */

static void write_file(const char *name, const char *content)
{
	char tmp[256], path[256];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(tmp, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

/* Starts argv with its stdout on a pipe, killed if this test dies. Returns the pid; *out is the pipe. */
static pid_t spawn(char *const argv[], int *out)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_WRONLY);
		dup2(p[1], 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/* Reads one line from fd within ms milliseconds. */
static bool read_line(int fd, char *buf, size_t n, int ms)
{
	size_t len = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (len + 1 < n) {
		if (poll(&pfd, 1, ms) <= 0)
			return false;
		if (read(fd, buf + len, 1) != 1)
			return false;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return true;
}

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}

static bool start_bus(void)
{
	char conf[256], addr[512], line[512];
	int fd;

	snprintf(conf, sizeof(conf), "--config-file=%s/bus.conf", dir);
	char *bus_argv[] = { "dbus-daemon", conf, "--nofork", "--print-address=1", NULL };
	bus_pid = spawn(bus_argv, &fd);
	bool ok = bus_pid > 0 && read_line(fd, addr, sizeof(addr), 5000);
	close(fd);
	if (!ok) {
		fprintf(stderr, "dbus-daemon did not start (is the dbus package installed?)\n");
		return false;
	}
	snprintf(line, sizeof(line), "unix:path=%s/bus", dir);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", line, 1);

	snprintf(line, sizeof(line), "%s/state", dir);
	char *fake_argv[] = { fake_path, line, NULL };
	fake_pid = spawn(fake_argv, &fd);
	ok = fake_pid > 0 && read_line(fd, addr, sizeof(addr), 5000) && streq(addr, "ready");
	close(fd);
	if (!ok)
		fprintf(stderr, "%s did not start\n", fake_path);
	return ok;
}

static void stop_bus(void)
{
	stop(&fake_pid);
	stop(&bus_pid);
}

static void cleanup(void)
{
	char path[128];

	stop_bus();
	const char *names[] = { "bus", "bus.conf", "state" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- running the collector ---- */

static bool set_args(const char *const *args)
{
	char err[512];

	flags_set_defaults(collector_systemd.flags);
	for (size_t a = 0; args && args[a]; a++) {
		const char *arg = args[a] + 2;
		const char *eq = strchr(arg, '=');
		char name[200];
		snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
		struct flag *sets[1] = { collector_systemd.flags };
		struct flag *f = flag_find(sets, 1, name);
		if (!f || flag_set(f, eq ? eq + 1 : "true", FLAG_SRC_CMDLINE, err, sizeof(err)) < 0) {
			fprintf(stderr, "bad arg %s\n", args[a]);
			return false;
		}
	}
	return true;
}

/* One collector run on a context kept by the caller (the connection survives between runs until fini).
 * Renders the samples (full: with HELP and TYPE) into out and returns the collector's result. */
static int collect_once(struct strbuf *out, bool full)
{
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct expo e = { 0 };
	struct metric_set *sets[1] = { &ms };
	int r = collector_systemd.collect(&ctx);

	if (r >= 0 && ms.error)
		r = ms.error;
	snprintf(test_last_error, sizeof(test_last_error), "%s", ctx.err);
	sb_reset(out);
	expo_render(&e, out, sets, 1);
	if (!full && out->p) {
		size_t o = 0;
		for (char *p = out->p; *p;) {
			char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
			if (p[0] != '#') {
				memmove(out->p + o, p, len);
				o += len;
			}
			p += len;
		}
		out->len = o;
		out->p[o] = '\0';
	}
	expo_free(&e);
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	return r;
}

struct sd_case {
	const char *name;
	const char *state;
	const char *args[TEST_MAX_ARGS];
	const char *expect;
	int expect_fail;   /* 1: the run fails; 2: init refuses the flags */
	bool full;
};

static void run_case(const struct sd_case *k)
{
	struct strbuf out = { 0 };
	char err[512] = "";
	int r;

	write_file("state", k->state ? k->state : "");
	if (!set_args(k->args)) {
		CHECK(false);
		return;
	}
	r = collector_systemd.init(err, sizeof(err));
	if (r < 0) {
		test_checks++;
		if (k->expect_fail != 2) {
			test_failures++;
			fprintf(stderr, "case '%s': init failed: %s\n", k->name, err);
		}
		flags_set_defaults(collector_systemd.flags);
		return;
	}
	if (k->expect_fail == 2) {
		test_checks++;
		test_failures++;
		fprintf(stderr, "case '%s': init accepted the flags\n", k->name);
	}
	r = collect_once(&out, k->full);
	collector_systemd.fini();
	test_checks++;
	if ((r < 0) != (k->expect_fail == 1) || !streq(out.p ? out.p : "", k->expect ? k->expect : "")) {
		test_failures++;
		fprintf(stderr, "case '%s' failed (rc %d, want %s; collector said: %s)\n--- got:\n%s--- want:\n%s---\n",
			k->name, r, k->expect_fail ? "failure" : "success", test_last_error, out.p ? out.p : "",
			k->expect ? k->expect : "");
	}
	sb_free(&out);
	flags_set_defaults(collector_systemd.flags);
}

#define MANAGER "manager Version=252.22-1~deb12u1 Virtualization=kvm SystemState=running\n"

/* A host with one unit of each kind the collector treats apart, and units the default filters drop. */
static const char host[] =
	MANAGER
	"unit -.mount loaded active mounted Type=ext4 ActiveEnterTimestamp=1700000000000000\n"
	"unit apt-daily.timer loaded active waiting LastTriggerUSec=1700000500000000 ActiveEnterTimestamp=1700000001000000\n"
	"unit bluetooth.service masked inactive dead Type=dbus\n"
	"unit cron.service loaded failed failed Type=simple NRestarts=3 TasksCurrent=18446744073709551615 "
	"TasksMax=18446744073709551615 ActiveEnterTimestamp=1699999000000000\n"
	"unit dbus.socket loaded active running NAccepted=12 NConnections=1 NRefused=4 "
	"ActiveEnterTimestamp=1700000000500000\n"
	"unit dev-sda1.device loaded active plugged\n"
	"unit getty@tty1.service loaded active running Type=idle NRestarts=0 TasksCurrent=1 TasksMax=4915 "
	"ActiveEnterTimestamp=1700000002123456\n"
	"unit init.scope loaded active running\n"
	"unit multi-user.target loaded active active ActiveEnterTimestamp=1700000003000000\n"
	"unit nfs-server.service not-found inactive dead\n"
	"unit proc-sys-fs-binfmt_misc.automount loaded active waiting\n"
	"unit rsyslog.service loaded deactivating stop-sigterm Type=notify NRestarts=0 TasksCurrent=4 TasksMax=4915\n"
	"unit run-docker.mount loaded active mounted Type=overlay\n"
	"unit ssh.service loaded reloading reload Type=notify-reload NRestarts=1 TasksCurrent=2 TasksMax=18446744073709551615 "
	"ActiveEnterTimestamp=1700000004000000\n"
	"unit system.slice loaded active active\n"
	"unit systemd-fsck@dev-disk-by\\x2duuid-1234.service loaded inactive dead Type=oneshot\n"
	"unit user@1000.service loaded activating start Type=notify TasksCurrent=7 TasksMax=10813\n";

static const struct sd_case cases[] = {
	{ "defaults", host, {},
	  "# HELP node_systemd_socket_accepted_connections_total Total number of accepted socket connections\n"
	  "# TYPE node_systemd_socket_accepted_connections_total counter\n"
	  "node_systemd_socket_accepted_connections_total{name=\"dbus.socket\"} 12\n"
	  "# HELP node_systemd_socket_current_connections Current number of socket connections\n"
	  "# TYPE node_systemd_socket_current_connections gauge\n"
	  "node_systemd_socket_current_connections{name=\"dbus.socket\"} 1\n"
	  "# HELP node_systemd_socket_refused_connections_total Total number of refused socket connections\n"
	  "# TYPE node_systemd_socket_refused_connections_total gauge\n"
	  "node_systemd_socket_refused_connections_total{name=\"dbus.socket\"} 4\n"
	  "# HELP node_systemd_system_running Whether the system is operational (see 'systemctl is-system-running')\n"
	  "# TYPE node_systemd_system_running gauge\n"
	  "node_systemd_system_running 1\n"
	  "# HELP node_systemd_timer_last_trigger_seconds Seconds since epoch of last trigger.\n"
	  "# TYPE node_systemd_timer_last_trigger_seconds gauge\n"
	  "node_systemd_timer_last_trigger_seconds{name=\"apt-daily.timer\"} 1.7000005e+09\n"
	  "# HELP node_systemd_unit_state Systemd unit\n"
	  "# TYPE node_systemd_unit_state gauge\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"activating\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"active\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"deactivating\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"failed\",type=\"simple\"} 1\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"inactive\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"activating\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"active\",type=\"idle\"} 1\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"deactivating\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"failed\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"inactive\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"activating\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"active\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"deactivating\",type=\"notify\"} 1\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"failed\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"inactive\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"activating\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"active\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"deactivating\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"failed\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"inactive\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"activating\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"active\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"deactivating\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"failed\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"inactive\",type=\"oneshot\"} 1\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"activating\",type=\"notify\"} 1\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"active\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"deactivating\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"failed\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"inactive\",type=\"notify\"} 0\n"
	  "# HELP node_systemd_units Summary of systemd unit states\n"
	  "# TYPE node_systemd_units gauge\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "# HELP node_systemd_version Detected systemd version\n"
	  "# TYPE node_systemd_version gauge\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "# HELP node_systemd_virtualization_info Detected virtualization technology\n"
	  "# TYPE node_systemd_virtualization_info gauge\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n", 0, true },
	{ "opt-in metrics", host,
	  { "--collector.systemd.enable-restarts-metrics", "--collector.systemd.enable-start-time-metrics",
	    "--collector.systemd.enable-task-metrics" },
	  
	  "node_systemd_service_restart_total{name=\"cron.service\"} 3\n"
	  "node_systemd_service_restart_total{name=\"getty@tty1.service\"} 0\n"
	  "node_systemd_service_restart_total{name=\"rsyslog.service\"} 0\n"
	  "node_systemd_service_restart_total{name=\"ssh.service\"} 1\n"
	  "node_systemd_socket_accepted_connections_total{name=\"dbus.socket\"} 12\n"
	  "node_systemd_socket_current_connections{name=\"dbus.socket\"} 1\n"
	  "node_systemd_socket_refused_connections_total{name=\"dbus.socket\"} 4\n"
	  "node_systemd_system_running 1\n"
	  "node_systemd_timer_last_trigger_seconds{name=\"apt-daily.timer\"} 1.7000005e+09\n"
	  "node_systemd_unit_start_time_seconds{name=\"apt-daily.timer\"} 1.700000001e+09\n"
	  "node_systemd_unit_start_time_seconds{name=\"cron.service\"} 0\n"
	  "node_systemd_unit_start_time_seconds{name=\"dbus.socket\"} 1.7000000005e+09\n"
	  "node_systemd_unit_start_time_seconds{name=\"getty@tty1.service\"} 1.700000002123456e+09\n"
	  "node_systemd_unit_start_time_seconds{name=\"multi-user.target\"} 1.700000003e+09\n"
	  "node_systemd_unit_start_time_seconds{name=\"rsyslog.service\"} 0\n"
	  "node_systemd_unit_start_time_seconds{name=\"ssh.service\"} 0\n"
	  "node_systemd_unit_start_time_seconds{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\"} 0\n"
	  "node_systemd_unit_start_time_seconds{name=\"user@1000.service\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"activating\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"active\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"deactivating\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"failed\",type=\"simple\"} 1\n"
	  "node_systemd_unit_state{name=\"cron.service\",state=\"inactive\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"activating\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"active\",type=\"idle\"} 1\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"deactivating\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"failed\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"getty@tty1.service\",state=\"inactive\",type=\"idle\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"multi-user.target\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"activating\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"active\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"deactivating\",type=\"notify\"} 1\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"failed\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"rsyslog.service\",state=\"inactive\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"activating\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"active\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"deactivating\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"failed\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"inactive\",type=\"notify-reload\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"activating\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"active\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"deactivating\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"failed\",type=\"oneshot\"} 0\n"
	  "node_systemd_unit_state{name=\"systemd-fsck@dev-disk-by\\\\x2duuid-1234.service\",state=\"inactive\",type=\"oneshot\"} 1\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"activating\",type=\"notify\"} 1\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"active\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"deactivating\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"failed\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"user@1000.service\",state=\"inactive\",type=\"notify\"} 0\n"
	  "node_systemd_unit_tasks_current{name=\"getty@tty1.service\"} 1\n"
	  "node_systemd_unit_tasks_current{name=\"rsyslog.service\"} 4\n"
	  "node_systemd_unit_tasks_current{name=\"ssh.service\"} 2\n"
	  "node_systemd_unit_tasks_current{name=\"user@1000.service\"} 7\n"
	  "node_systemd_unit_tasks_max{name=\"getty@tty1.service\"} 4915\n"
	  "node_systemd_unit_tasks_max{name=\"rsyslog.service\"} 4915\n"
	  "node_systemd_unit_tasks_max{name=\"user@1000.service\"} 10813\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "include and exclude, mount types", host,
	  { "--collector.systemd.unit-include=.+\\.(mount|socket)", "--collector.systemd.unit-exclude=run-.+" }, 
	  "node_systemd_socket_accepted_connections_total{name=\"dbus.socket\"} 12\n"
	  "node_systemd_socket_current_connections{name=\"dbus.socket\"} 1\n"
	  "node_systemd_socket_refused_connections_total{name=\"dbus.socket\"} 4\n"
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"activating\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"active\",type=\"ext4\"} 1\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"deactivating\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"failed\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"inactive\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "filters are anchored", host,
	  { "--collector.systemd.unit-include=ssh", "--collector.systemd.unit-exclude=" }, 
	  "node_systemd_system_running 1\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "empty exclude excludes nothing", host,
	  { "--collector.systemd.unit-include=.+\\.(automount|device|mount|scope|slice)", "--collector.systemd.unit-exclude=" },
	  
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"activating\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"active\",type=\"ext4\"} 1\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"deactivating\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"failed\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"inactive\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"init.scope\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"init.scope\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"init.scope\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"init.scope\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"init.scope\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"proc-sys-fs-binfmt_misc.automount\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"proc-sys-fs-binfmt_misc.automount\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"proc-sys-fs-binfmt_misc.automount\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"proc-sys-fs-binfmt_misc.automount\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"proc-sys-fs-binfmt_misc.automount\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"activating\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"active\",type=\"overlay\"} 1\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"deactivating\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"failed\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"inactive\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"system.slice\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"system.slice\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"system.slice\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"system.slice\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"system.slice\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "deprecated whitelist", host, { "--collector.systemd.unit-whitelist=.+\\.socket" }, 
	  "node_systemd_socket_accepted_connections_total{name=\"dbus.socket\"} 12\n"
	  "node_systemd_socket_current_connections{name=\"dbus.socket\"} 1\n"
	  "node_systemd_socket_refused_connections_total{name=\"dbus.socket\"} 4\n"
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dbus.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "deprecated blacklist replaces the default exclude", host,
	  { "--collector.systemd.unit-include=.+\\.(mount|device|service)", "--collector.systemd.unit-blacklist=.+\\.service" },
	  
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"activating\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"active\",type=\"ext4\"} 1\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"deactivating\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"failed\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"-.mount\",state=\"inactive\",type=\"ext4\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"dev-sda1.device\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"activating\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"active\",type=\"overlay\"} 1\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"deactivating\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"failed\",type=\"overlay\"} 0\n"
	  "node_systemd_unit_state{name=\"run-docker.mount\",state=\"inactive\",type=\"overlay\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 1\n"
	  "node_systemd_units{state=\"active\"} 10\n"
	  "node_systemd_units{state=\"deactivating\"} 1\n"
	  "node_systemd_units{state=\"failed\"} 1\n"
	  "node_systemd_units{state=\"inactive\"} 3\n"
	  "node_systemd_units{state=\"reloading\"} 1\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "whitelist with include", host,
	  { "--collector.systemd.unit-whitelist=a", "--collector.systemd.unit-include=b" }, NULL, 2 },
	{ "blacklist with exclude", host,
	  { "--collector.systemd.unit-blacklist=a", "--collector.systemd.unit-exclude=.+" }, NULL, 2 },
	{ "bad include regex", host, { "--collector.systemd.unit-include=(" }, NULL, 2 },
	{ "bad exclude regex", host, { "--collector.systemd.unit-exclude=[a" }, NULL, 2 },
	{ "systemd 211: no timers, no system_running",
	  "manager Version=211 Virtualization=kvm SystemState=running\n"
	  "unit apt-daily.timer loaded active waiting LastTriggerUSec=1700000500000000\n", {}, 
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 1\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"211\"} 211\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "no Version, no Virtualization",
	  "manager SystemState=running\n"
	  "unit apt-daily.timer loaded active waiting LastTriggerUSec=1700000500000000\n", {}, 
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"apt-daily.timer\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 1\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"\"} 0\n"
	  "node_systemd_virtualization_info{virtualization_type=\"unknown\"} 1\n" },
	{ "version without three digits", "manager Version=v12.3 Virtualization= SystemState=running\n", {}, 
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 0\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"\"} 0\n"
	  "node_systemd_virtualization_info{virtualization_type=\"none\"} 1\n" },
	{ "version picked out of a longer string",
	  "manager Version=v12.3456.7-rc1 Virtualization=none SystemState=degraded\n", {}, 
	  "node_systemd_system_running 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 0\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"v12.3456.7-rc1\"} 3456.7\n"
	  "node_systemd_virtualization_info{virtualization_type=\"none\"} 1\n" },
	{ "bare metal, degraded", "manager Version=257 Virtualization= SystemState=degraded\n", {}, 
	  "node_systemd_system_running 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 0\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"257\"} 257\n"
	  "node_systemd_virtualization_info{virtualization_type=\"none\"} 1\n" },
	{ "no SystemState fails after the rest",
	  "manager Version=252 Virtualization=kvm\n"
	  "unit ssh.service loaded active running Type=notify\n", {}, 
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"activating\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"active\",type=\"notify\"} 1\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"deactivating\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"failed\",type=\"notify\"} 0\n"
	  "node_systemd_unit_state{name=\"ssh.service\",state=\"inactive\",type=\"notify\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 1\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"252\"} 252\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n", 1 },
	{ "ListUnits refused fails after version and virtualization",
	  MANAGER "fail ListUnits\nunit ssh.service loaded active running Type=notify\n", {}, 
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n", 1 },
	{ "old sockets: no NRefused, no NAccepted, no NConnections",
	  MANAGER
	  "unit a.socket loaded active listening NAccepted=5 NConnections=0\n"
	  "unit b.socket loaded active listening NConnections=1 NRefused=2\n"
	  "unit c.socket loaded active listening NAccepted=7 NRefused=2\n", {}, 
	  "node_systemd_socket_accepted_connections_total{name=\"a.socket\"} 5\n"
	  "node_systemd_socket_accepted_connections_total{name=\"c.socket\"} 7\n"
	  "node_systemd_socket_current_connections{name=\"a.socket\"} 0\n"
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"a.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"a.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"b.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 3\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "properties of unexpected types are skipped",
	  MANAGER
	  "unit a.service loaded active running Type:u=5 NRestarts:s=many TasksCurrent:u=3 TasksMax=4294967296 "
	  "ActiveEnterTimestamp:s=yesterday\n"
	  "unit b.timer loaded active waiting LastTriggerUSec:u=17\n"
	  "unit c.socket loaded active listening NAccepted:t=5 NConnections=0 NRefused=0\n",
	  { "--collector.systemd.enable-restarts-metrics", "--collector.systemd.enable-start-time-metrics",
	    "--collector.systemd.enable-task-metrics" },
	  
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_tasks_max{name=\"a.service\"} 4.294967296e+09\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 3\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "missing Type, service without properties",
	  MANAGER "unit a.service loaded active running\nunit b.mount loaded active mounted\n",
	  { "--collector.systemd.unit-exclude=", "--collector.systemd.enable-restarts-metrics",
	    "--collector.systemd.enable-start-time-metrics", "--collector.systemd.enable-task-metrics" },
	  
	  "node_systemd_system_running 1\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.mount\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.mount\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"b.mount\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.mount\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.mount\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 2\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "no units", MANAGER, {}, 
	  "node_systemd_system_running 1\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 0\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
	{ "huge values",
	  MANAGER
	  "unit a.service loaded active running Type=simple NRestarts=4294967295 TasksCurrent=18446744073709551614 "
	  "TasksMax=9007199254740993 ActiveEnterTimestamp=18446744073709551615\n"
	  "unit b.timer loaded active waiting LastTriggerUSec=18446744073709551615\n"
	  "unit c.socket loaded active listening NAccepted=4294967295 NConnections=4294967295 NRefused=4294967295\n",
	  { "--collector.systemd.enable-restarts-metrics", "--collector.systemd.enable-start-time-metrics",
	    "--collector.systemd.enable-task-metrics" },
	  
	  "node_systemd_service_restart_total{name=\"a.service\"} 4.294967295e+09\n"
	  "node_systemd_socket_accepted_connections_total{name=\"c.socket\"} 4.294967295e+09\n"
	  "node_systemd_socket_current_connections{name=\"c.socket\"} 4.294967295e+09\n"
	  "node_systemd_socket_refused_connections_total{name=\"c.socket\"} 4.294967295e+09\n"
	  "node_systemd_system_running 1\n"
	  "node_systemd_timer_last_trigger_seconds{name=\"b.timer\"} 1.844674407370955e+13\n"
	  "node_systemd_unit_start_time_seconds{name=\"a.service\"} 1.844674407370955e+13\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"activating\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"active\",type=\"simple\"} 1\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"deactivating\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"failed\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"a.service\",state=\"inactive\",type=\"simple\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"b.timer\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"activating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"active\",type=\"\"} 1\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"deactivating\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"failed\",type=\"\"} 0\n"
	  "node_systemd_unit_state{name=\"c.socket\",state=\"inactive\",type=\"\"} 0\n"
	  "node_systemd_unit_tasks_current{name=\"a.service\"} 1.8446744073709552e+19\n"
	  "node_systemd_unit_tasks_max{name=\"a.service\"} 9.007199254740992e+15\n"
	  "node_systemd_units{state=\"activating\"} 0\n"
	  "node_systemd_units{state=\"active\"} 3\n"
	  "node_systemd_units{state=\"deactivating\"} 0\n"
	  "node_systemd_units{state=\"failed\"} 0\n"
	  "node_systemd_units{state=\"inactive\"} 0\n"
	  "node_systemd_version{version=\"252.22-1~deb12u1\"} 252.22\n"
	  "node_systemd_virtualization_info{virtualization_type=\"kvm\"} 1\n" },
};

static bool contains(const struct strbuf *b, const char *s)
{
	return b->p && strstr(b->p, s);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One connection serves several scrapes, sees a unit change state, survives a restart of the bus, and
 * reports a bus without systemd or no bus at all as a failure, quickly. */
static void test_connection(void)
{
	struct strbuf out = { 0 };
	char err[256];

	set_args(NULL);
	CHECK(collector_systemd.init(err, sizeof(err)) == 0);
	write_file("state", MANAGER "unit cron.service loaded active running Type=simple\n");
	CHECK_INT(collect_once(&out, false), 0);
	CHECK(contains(&out, "node_systemd_unit_state{name=\"cron.service\",state=\"active\",type=\"simple\"} 1\n"));
	CHECK(contains(&out, "node_systemd_unit_state{name=\"cron.service\",state=\"failed\",type=\"simple\"} 0\n"));

	write_file("state", MANAGER "unit cron.service loaded failed failed Type=simple\n");
	CHECK_INT(collect_once(&out, false), 0);
	CHECK(contains(&out, "node_systemd_unit_state{name=\"cron.service\",state=\"active\",type=\"simple\"} 0\n"));
	CHECK(contains(&out, "node_systemd_unit_state{name=\"cron.service\",state=\"failed\",type=\"simple\"} 1\n"));
	CHECK(contains(&out, "node_systemd_units{state=\"failed\"} 1\n"));

	/* dbus-daemon restarts between two scrapes: the dead connection is noticed and made anew. */
	stop_bus();
	CHECK(start_bus());
	CHECK_INT(collect_once(&out, false), 0);
	CHECK(contains(&out, "state=\"failed\",type=\"simple\"} 1\n"));

	/* systemd is not on the bus: no version, and ListUnits fails. */
	stop(&fake_pid);
	CHECK(collect_once(&out, false) < 0);
	CHECK_STR(out.p, "node_systemd_version{version=\"\"} 0\n"
			 "node_systemd_virtualization_info{virtualization_type=\"unknown\"} 1\n");
	CHECK(strstr(test_last_error, "couldn't get units: org.freedesktop.DBus.Error.ServiceUnknown") != NULL);
	collector_systemd.fini();

	/* No bus at all: fails at once. */
	stop_bus();
	CHECK(collector_systemd.init(err, sizeof(err)) == 0);
	double t0 = now();
	CHECK(collect_once(&out, false) < 0);
	CHECK(now() - t0 < 1);
	CHECK_STR(out.p, "");
	CHECK(strstr(test_last_error, "couldn't get dbus connection") != NULL);
	collector_systemd.fini();
	CHECK(start_bus());
	sb_free(&out);
}

/* More calls than dbus-daemon lets one connection have waiting (128), five per unit: the collector keeps
 * at most its window in flight and still gets every answer. */
static void test_many_units(void)
{
	struct strbuf state = { 0 }, out = { 0 };
	char err[256], line[128];

	sb_puts(&state, MANAGER);
	for (int i = 0; i < 400; i++)
		sb_printf(&state, "unit svc%03d.service loaded active running Type=forking NRestarts=%d TasksCurrent=%d "
				  "TasksMax=100 ActiveEnterTimestamp=%d000000\n", i, i, i + 1, 1700000000 + i);
	write_file("state", state.p);
	const char *args[] = { "--collector.systemd.enable-restarts-metrics", "--collector.systemd.enable-task-metrics",
			       "--collector.systemd.enable-start-time-metrics", NULL };
	set_args(args);
	CHECK(collector_systemd.init(err, sizeof(err)) == 0);
	CHECK_INT(collect_once(&out, false), 0);
	collector_systemd.fini();
	CHECK(contains(&out, "node_systemd_units{state=\"active\"} 400\n"));
	int n_type = 0, n_restarts = 0, n_tasks = 0;
	for (const char *p = out.p; p && (p = strstr(p, "type=\"forking\"")); p++)
		n_type++;
	for (const char *p = out.p; p && (p = strstr(p, "node_systemd_service_restart_total{")); p++)
		n_restarts++;
	for (const char *p = out.p; p && (p = strstr(p, "node_systemd_unit_tasks_current{")); p++)
		n_tasks++;
	CHECK_INT(n_type, 400 * 5);
	CHECK_INT(n_restarts, 400);
	CHECK_INT(n_tasks, 400);
	snprintf(line, sizeof(line), "node_systemd_service_restart_total{name=\"svc399.service\"} 399\n");
	CHECK(contains(&out, line));
	CHECK(contains(&out, "node_systemd_unit_tasks_current{name=\"svc000.service\"} 1\n"));
	CHECK(contains(&out, "node_systemd_unit_tasks_max{name=\"svc399.service\"} 100\n"));
	CHECK(contains(&out, "node_systemd_unit_start_time_seconds{name=\"svc399.service\"} 1.700000399e+09\n"));
	flags_set_defaults(collector_systemd.flags);
	sb_free(&state);
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	char bin[1024];
	snprintf(bin, sizeof(bin), "%s", argv[0]);
	char *slash = strrchr(bin, '/');
	if (slash)
		*slash = '\0';
	snprintf(fake_path, sizeof(fake_path), "%s/../tools/fake-systemd", slash ? bin : ".");
	if (access(fake_path, X_OK) < 0) {
		fprintf(stderr, "%s missing: build it with make units\n", fake_path);
		return 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/nodex-systemd.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	atexit(cleanup);
	char conf[1024];
	snprintf(conf, sizeof(conf),
		 "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
		 " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		 "<busconfig>\n"
		 "  <type>session</type>\n"
		 "  <listen>unix:path=%s/bus</listen>\n"
		 "  <auth>EXTERNAL</auth>\n"
		 "  <policy context=\"default\">\n"
		 "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
		 "    <allow eavesdrop=\"true\"/>\n"
		 "    <allow own=\"*\"/>\n"
		 "  </policy>\n"
		 "  <!-- as on the system bus: at most 128 calls waiting for a reply per connection -->\n"
		 "  <limit name=\"max_replies_per_connection\">128</limit>\n"
		 "</busconfig>\n",
		 dir);
	write_file("bus.conf", conf);
	write_file("state", host);
	if (!start_bus()) {
		CHECK(false);
		return test_summary(argv[0]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	test_many_units();
	test_connection();
	return test_summary(argv[0]);
}
