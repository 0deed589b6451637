/* systemd: unit states, timers, sockets and the manager's version, virtualization and system state, asked
 * of systemd over D-Bus with sd-bus, as node_exporter's systemd collector (off by default).
 *
 * One scrape is: the Version, Virtualization and SystemState properties and ListUnits, sent together;
 * then, for the units that pass the filters (loaded, ^(?:include)$ and not ^(?:exclude)$), one
 * org.freedesktop.DBus.Properties.Get per value wanted (Service or Mount Type, NRestarts, TasksCurrent,
 * TasksMax, ActiveEnterTimestamp, LastTriggerUSec, NAccepted, NConnections, NRefused). The calls are
 * pipelined: up to WINDOW of them are on the wire at once and the replies are taken as they come, so a
 * scrape costs a few round trips instead of one per call. The window stays below dbus-daemon's default
 * max_replies_per_connection (128), beyond which the bus refuses calls.
 *
 * The connection (the system bus, or /run/systemd/private with --collector.systemd.private) is kept
 * across scrapes and made again when it broke or a call timed out. Every call shares one deadline per run
 * (RUN_TIMEOUT_USEC): a hung bus or a stuck systemd fails the run (success 0) instead of hanging it.
 *
 * node_exporter's semantics kept: a property that cannot be read drops only its series (node_exporter
 * logs it at debug); no Version gives node_systemd_version{version=""} 0 and, as for systemd < 212, no
 * timer and system_running series; no Virtualization gives "unknown", an empty one "none"; a failed
 * ListUnits or SystemState fails the collector after what was already emitted. node_systemd_units counts
 * every unit listed, before filtering, by ActiveState (states beyond the five usual ones included).
 * Where node_exporter would panic (a property of an unexpected D-Bus type) the value is skipped. */
#include <systemd/sd-bus.h>
#include <time.h>

#include "collector.h"

#define WINDOW 64
#define RUN_TIMEOUT_USEC (10ULL * 1000 * 1000)
/* The first systemd with the SystemState manager property and the timers' LastTriggerUSec. */
#define MIN_VERSION_SYSTEM_STATE 212
#define PRIVATE_ADDRESS "unix:path=/run/systemd/private"

METRIC(unit_state_desc, GAUGE, "node_systemd_unit_state", "Systemd unit", "name", "state", "type");
METRIC(start_time_desc, GAUGE, "node_systemd_unit_start_time_seconds",
       "Start time of the unit since unix epoch in seconds.", "name");
METRIC(tasks_current_desc, GAUGE, "node_systemd_unit_tasks_current", "Current number of tasks per Systemd unit",
       "name");
METRIC(tasks_max_desc, GAUGE, "node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit", "name");
METRIC(system_running_desc, GAUGE, "node_systemd_system_running",
       "Whether the system is operational (see 'systemctl is-system-running')");
METRIC(units_desc, GAUGE, "node_systemd_units", "Summary of systemd unit states", "state");
METRIC(restarts_desc, COUNTER, "node_systemd_service_restart_total", "Service unit count of Restart triggers", "name");
METRIC(timer_desc, GAUGE, "node_systemd_timer_last_trigger_seconds", "Seconds since epoch of last trigger.", "name");
METRIC(accepted_desc, COUNTER, "node_systemd_socket_accepted_connections_total",
       "Total number of accepted socket connections", "name");
METRIC(current_desc, GAUGE, "node_systemd_socket_current_connections", "Current number of socket connections", "name");
/* A gauge despite its name, as in node_exporter. */
METRIC(refused_desc, GAUGE, "node_systemd_socket_refused_connections_total",
       "Total number of refused socket connections", "name");
METRIC(version_desc, GAUGE, "node_systemd_version", "Detected systemd version", "version");
METRIC(virt_desc, GAUGE, "node_systemd_virtualization_info", "Detected virtualization technology",
       "virtualization_type");

static const char *const unit_states[] = { "active", "activating", "deactivating", "inactive", "failed" };

static const char *opt_include, *opt_exclude, *opt_whitelist, *opt_blacklist;
static bool opt_private, opt_tasks, opt_restarts, opt_start_time;

enum { F_INCLUDE, F_WHITELIST, F_EXCLUDE, F_BLACKLIST };
static struct flag systemd_flags[] = {
	[F_INCLUDE] = { "collector.systemd.unit-include", FLAG_STRING, ".+",
			"Regexp of systemd units to include. Units must both match include and not match exclude to be "
			"included.",
			&opt_include },
	[F_WHITELIST] = { "collector.systemd.unit-whitelist", FLAG_STRING, NULL,
			  "DEPRECATED: Use --collector.systemd.unit-include", &opt_whitelist, .hidden = true },
	[F_EXCLUDE] = { "collector.systemd.unit-exclude", FLAG_STRING, ".+\\.(automount|device|mount|scope|slice)",
			"Regexp of systemd units to exclude. Units must both match include and not match exclude to be "
			"included.",
			&opt_exclude },
	[F_BLACKLIST] = { "collector.systemd.unit-blacklist", FLAG_STRING, NULL,
			  "DEPRECATED: Use collector.systemd.unit-exclude", &opt_blacklist, .hidden = true },
	{ "collector.systemd.private", FLAG_BOOL, "false",
	  "Establish a private, direct connection to systemd without dbus (Strongly discouraged since it requires "
	  "root. For testing purposes only).",
	  &opt_private, .hidden = true },
	{ "collector.systemd.enable-task-metrics", FLAG_BOOL, "false",
	  "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max", &opt_tasks },
	{ "collector.systemd.enable-restarts-metrics", FLAG_BOOL, "false",
	  "Enables service unit metric service_restart_total", &opt_restarts },
	{ "collector.systemd.enable-start-time-metrics", FLAG_BOOL, "false",
	  "Enables service unit metric unit_start_time_seconds", &opt_start_time },
	{ NULL },
};

static struct name_filter unit_filter;
/* The connection, kept across scrapes (collect never runs twice at once). */
static sd_bus *bus;

/* What one call asks for. */
enum kind {
	K_VERSION,
	K_VIRT,
	K_STATE,
	K_LIST,
	K_TYPE,
	K_RESTARTS,
	K_TASKS_CURRENT,
	K_TASKS_MAX,
	K_START,
	K_TRIGGER,
	K_ACCEPTED,
	K_CONNECTIONS,
	K_REFUSED,
	K_COUNT,
};

static const struct {
	const char *iface; /* suffix of org.freedesktop.systemd1.; NULL for K_TYPE (Service or Mount) */
	const char *member;
	char sig;
} props[K_COUNT] = {
	[K_VERSION] = { "Manager", "Version", 's' },
	[K_VIRT] = { "Manager", "Virtualization", 's' },
	[K_STATE] = { "Manager", "SystemState", 's' },
	[K_LIST] = { "Manager", "ListUnits", 0 },
	[K_TYPE] = { NULL, "Type", 's' },
	[K_RESTARTS] = { "Service", "NRestarts", 'u' },
	[K_TASKS_CURRENT] = { "Service", "TasksCurrent", 't' },
	[K_TASKS_MAX] = { "Service", "TasksMax", 't' },
	[K_START] = { "Unit", "ActiveEnterTimestamp", 't' },
	[K_TRIGGER] = { "Timer", "LastTriggerUSec", 't' },
	[K_ACCEPTED] = { "Socket", "NAccepted", 'u' },
	[K_CONNECTIONS] = { "Socket", "NConnections", 'u' },
	[K_REFUSED] = { "Socket", "NRefused", 'u' },
};

enum unit_kind { U_OTHER, U_SERVICE, U_MOUNT, U_SOCKET, U_TIMER };

struct unit {
	const char *name, *path, *active; /* point into the ListUnits reply */
	const char *type;                 /* the Service's or Mount's Type, "" when unknown */
	enum unit_kind kind;
	uint32_t have;                    /* bit (1 << kind) for each value read into val */
	uint64_t val[K_COUNT];
};

struct run;

struct call {
	struct run *run;
	struct unit *unit; /* NULL for the manager's */
	enum kind kind;
	sd_bus_slot *slot;
};

#define ERR_MAX 256

/* At most: a service's Type, NRestarts, TasksCurrent, TasksMax and ActiveEnterTimestamp. */
#define MAX_CALLS_PER_UNIT 5

struct run {
	struct collect_ctx *c;
	struct call *calls;
	size_t n_calls, cap_calls, next, inflight;
	uint64_t deadline; /* CLOCK_MONOTONIC, usec */
	int err;           /* a transport failure: the run fails and the connection is dropped */
	char errmsg[ERR_MAX];
	/* The manager's answers. */
	const char *str[K_STATE + 1]; /* Version, Virtualization, SystemState; NULL when not read */
	sd_bus_message *list;         /* the ListUnits reply */
	char list_err[ERR_MAX];       /* why ListUnits failed */
	char state_err[ERR_MAX];      /* why SystemState could not be read */
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static enum unit_kind unit_kind(const char *name)
{
	if (endswith(name, ".service"))
		return U_SERVICE;
	if (endswith(name, ".mount"))
		return U_MOUNT;
	if (endswith(name, ".socket"))
		return U_SOCKET;
	if (endswith(name, ".timer"))
		return U_TIMER;
	return U_OTHER;
}

static const char *call_iface(const struct call *k)
{
	if (k->kind == K_TYPE)
		return k->unit->kind == U_MOUNT ? "org.freedesktop.systemd1.Mount" : "org.freedesktop.systemd1.Service";
	switch (k->kind) {
	case K_VERSION:
	case K_VIRT:
	case K_STATE:
	case K_LIST:
		return "org.freedesktop.systemd1.Manager";
	case K_RESTARTS:
	case K_TASKS_CURRENT:
	case K_TASKS_MAX:
		return "org.freedesktop.systemd1.Service";
	case K_START:
		return "org.freedesktop.systemd1.Unit";
	case K_TRIGGER:
		return "org.freedesktop.systemd1.Timer";
	default:
		return "org.freedesktop.systemd1.Socket";
	}
}

/* Errors that say the bus or systemd did not answer (as opposed to an answer that is an error): they fail
 * the run and the connection is made anew on the next scrape. */
static bool transport_error(const sd_bus_error *e)
{
	return sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT,
				      SD_BUS_ERROR_DISCONNECTED, SD_BUS_ERROR_LIMITS_EXCEEDED, SD_BUS_ERROR_NO_MEMORY,
				      SD_BUS_ERROR_IO_ERROR);
}

static void run_fail(struct run *r, int err, const char *what, const char *why)
{
	if (r->err)
		return;
	r->err = err < 0 ? err : -EIO;
	snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", what, why);
}

/* Reads the variant of a Properties.Get reply as sig ('s', 'u' or 't'). Returns 0, or a negative errno
 * when the reply holds another type. */
static int read_variant(sd_bus_message *m, char sig, const char **s, uint64_t *v)
{
	char t[2] = { sig, 0 };
	int r = sd_bus_message_enter_container(m, 'v', t);

	if (r <= 0)
		return r < 0 ? r : -ENXIO;
	if (sig == 's') {
		r = sd_bus_message_read_basic(m, 's', s);
	} else if (sig == 'u') {
		uint32_t u;
		r = sd_bus_message_read_basic(m, 'u', &u);
		*v = u;
	} else {
		r = sd_bus_message_read_basic(m, 't', v);
	}
	if (r <= 0)
		return r < 0 ? r : -ENXIO;
	return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct call *k = userdata;
	struct run *r = k->run;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *s = NULL;
	uint64_t v = 0;

	(void)ret_error;
	r->inflight--;
	if (e) {
		char what[160];
		snprintf(what, sizeof(what), "D-Bus call %s%s%s", props[k->kind].member, k->unit ? " of " : "",
			 k->unit ? k->unit->name : "");
		if (transport_error(e)) {
			run_fail(r, -sd_bus_message_get_errno(m), what, e->message ? e->message : e->name);
		} else if (k->kind == K_LIST || k->kind == K_STATE) {
			char *buf = k->kind == K_LIST ? r->list_err : r->state_err;
			snprintf(buf, ERR_MAX, "%s: %s", e->name, e->message ? e->message : "");
		} else {
			log_debug("couldn't get property", "collector", "systemd", "property", props[k->kind].member,
				  "unit", k->unit ? k->unit->name : "", "err", e->message ? e->message : e->name);
		}
		return 0;
	}
	if (k->kind == K_LIST) {
		r->list = sd_bus_message_ref(m);
		return 0;
	}
	if (read_variant(m, props[k->kind].sig, &s, &v) < 0) {
		if (k->kind == K_STATE)
			snprintf(r->state_err, sizeof(r->state_err), "not a string");
		log_debug("property of unexpected type", "collector", "systemd", "property", props[k->kind].member,
			  "unit", k->unit ? k->unit->name : "");
		return 0;
	}
	if (!k->unit) {
		r->str[k->kind] = arena_strdup(&r->c->ms->arena, s);
		if (!r->str[k->kind])
			r->c->ms->error = -ENOMEM;
	} else if (k->kind == K_TYPE) {
		const char *t = arena_strdup(&r->c->ms->arena, s);
		if (t)
			k->unit->type = t;
		else
			r->c->ms->error = -ENOMEM;
	} else {
		k->unit->val[k->kind] = v;
		k->unit->have |= 1u << k->kind;
	}
	return 0;
}

static int send_call(struct run *r, struct call *k)
{
	sd_bus_message *m = NULL;
	const char *path = k->unit ? k->unit->path : "/org/freedesktop/systemd1";
	uint64_t now = now_usec();
	int e;

	if (k->kind == K_LIST) {
		e = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", path, call_iface(k),
						   "ListUnits");
	} else {
		e = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", path,
						   "org.freedesktop.DBus.Properties", "Get");
		if (e >= 0)
			e = sd_bus_message_append(m, "ss", call_iface(k), props[k->kind].member);
	}
	if (e >= 0)
		e = sd_bus_call_async(bus, &k->slot, m, on_reply, k, now < r->deadline ? r->deadline - now : 1);
	sd_bus_message_unref(m);
	if (e < 0) {
		run_fail(r, e, "sending a D-Bus call", strerror(-e));
		return e;
	}
	r->inflight++;
	return 0;
}

/* Sends the calls not sent yet, at most WINDOW at a time, and processes replies until all are in, the
 * deadline passes or the connection fails (r->err). */
static void run_calls(struct run *r)
{
	for (;;) {
		while (!r->err && r->inflight < WINDOW && r->next < r->n_calls)
			if (send_call(r, &r->calls[r->next++]) < 0)
				return;
		if (r->err || (r->inflight == 0 && r->next == r->n_calls))
			return;
		int e = sd_bus_process(bus, NULL);
		if (e < 0) {
			run_fail(r, e, "processing D-Bus messages", strerror(-e));
			return;
		}
		if (e > 0)
			continue;
		uint64_t now = now_usec();
		if (now >= r->deadline) {
			run_fail(r, -ETIMEDOUT, "D-Bus calls to systemd", "timed out");
			return;
		}
		e = sd_bus_wait(bus, r->deadline - now);
		if (e < 0 && e != -EINTR) {
			run_fail(r, e, "waiting for D-Bus messages", strerror(-e));
			return;
		}
	}
}

/* Cancels what is still pending: a reply that comes later finds no callback and is dropped. */
static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->next; i++)
		r->calls[i].slot = sd_bus_slot_unref(r->calls[i].slot);
}

static void bus_drop(void)
{
	if (bus) {
		sd_bus_close(bus);
		bus = sd_bus_unref(bus);
	}
}

static int bus_connect(char *err, size_t err_size)
{
	int e;

	if (bus) {
		/* Take in what came since the last scrape (late replies, NameAcquired, or the end of the
		 * connection when dbus-daemon restarted): a broken connection is made anew here instead of
		 * failing this scrape. */
		while ((e = sd_bus_process(bus, NULL)) > 0)
			;
		if (e == 0 && sd_bus_is_open(bus) > 0)
			return 0;
		bus_drop();
	}
	if (opt_private) {
		e = sd_bus_new(&bus);
		if (e >= 0)
			e = sd_bus_set_address(bus, PRIVATE_ADDRESS);
		if (e >= 0)
			e = sd_bus_start(bus);
	} else {
		e = sd_bus_open_system(&bus);
	}
	if (e < 0) {
		snprintf(err, err_size, "%s", strerror(-e));
		bus = sd_bus_unref(bus);
		return e;
	}
	(void)sd_bus_set_description(bus, "nodex-systemd"); /* shown by busctl; not needed */
	return 0;
}

/* node_exporter's version number: the first match of [0-9]{3,}(\.[0-9]+)? in the Version property, as
 * a float ("252.22-1~deb12u1" gives 252.22). Returns false when there is none. */
static bool version_number(const char *s, double *out)
{
	for (const char *p = s; *p;) {
		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q - p >= 3) {
			char buf[64];
			if (*q == '.' && q[1] >= '0' && q[1] <= '9')
				for (q++; *q >= '0' && *q <= '9'; q++)
					;
			if ((size_t)(q - p) >= sizeof(buf))
				return false;
			memcpy(buf, p, (size_t)(q - p));
			buf[q - p] = '\0';
			return parse_double(buf, NULL, out) == 0;
		}
		p = q;
	}
	return false;
}

/* Counts ActiveState over all units into node_systemd_units: the five usual states always, others as
 * they come. */
static void emit_summary(struct collect_ctx *c, struct unit *all, size_t n)
{
	const char *names[32];
	double counts[32];
	size_t n_names = ARRAY_SIZE(unit_states);
	struct family *f = metric_family(c->ms, &units_desc);

	for (size_t i = 0; i < n_names; i++) {
		names[i] = unit_states[i];
		counts[i] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < n_names && !streq(names[j], all[i].active))
			j++;
		if (j == n_names) {
			if (n_names == ARRAY_SIZE(names)) {
				log_debug("too many unit states", "collector", "systemd", "state", all[i].active);
				continue;
			}
			names[n_names] = all[i].active;
			counts[n_names++] = 0;
		}
		counts[j]++;
	}
	for (size_t i = 0; i < n_names; i++)
		metric_add(f, counts[i], names[i]);
}

/* Reads the ListUnits reply into units (all of them, for the summary). Returns the count or a negative
 * errno. */
static ssize_t read_units(struct run *r, struct unit **out)
{
	sd_bus_message *m = r->list;
	size_t n = 0, cap = 0;
	struct unit *u = NULL;
	int e;

	e = sd_bus_message_enter_container(m, 'a', "(ssssssouso)");
	if (e <= 0)
		return e < 0 ? e : -EBADMSG;
	for (;;) {
		const char *name, *desc, *load, *active, *sub, *followed, *path, *job_type, *job_path;
		uint32_t job_id;
		e = sd_bus_message_read(m, "(ssssssouso)", &name, &desc, &load, &active, &sub, &followed, &path,
					&job_id, &job_type, &job_path);
		if (e < 0)
			return e;
		if (e == 0)
			break;
		if (!(u = arena_grow(&r->c->ms->arena, u, n, &cap, sizeof(*u))))
			return -ENOMEM;
		u[n] = (struct unit){ .name = name, .path = path, .active = active, .type = "",
				      .kind = unit_kind(name) };
		/* Only loaded units pass the filter; remember the others by a NULL path. */
		if (!streq(load, "loaded"))
			u[n].path = NULL;
		n++;
	}
	*out = u;
	return (ssize_t)n;
}

static void add_call(struct run *r, struct unit *u, enum kind kind)
{
	if (r->n_calls < r->cap_calls)
		r->calls[r->n_calls++] = (struct call){ .run = r, .unit = u, .kind = kind };
}

static void emit_units(struct collect_ctx *c, struct unit **kept, size_t n, bool timers)
{
	struct family *fs = metric_family(c->ms, &unit_state_desc);
	struct family *fr = opt_restarts ? metric_family(c->ms, &restarts_desc) : NULL;
	struct family *fst = opt_start_time ? metric_family(c->ms, &start_time_desc) : NULL;
	struct family *ftc = NULL, *ftm = NULL, *ft = NULL, *fa = NULL, *fc = NULL, *ff = NULL;

	for (size_t i = 0; i < n; i++) {
		struct unit *u = kept[i];
		for (size_t s = 0; s < ARRAY_SIZE(unit_states); s++)
			metric_add(fs, streq(u->active, unit_states[s]) ? 1 : 0, u->name, unit_states[s], u->type);
		if (fr && u->kind == U_SERVICE && (u->have & (1u << K_RESTARTS)))
			metric_add(fr, (double)u->val[K_RESTARTS], u->name);
		if (fst) {
			if (!streq(u->active, "active"))
				metric_add(fst, 0, u->name);
			else if (u->have & (1u << K_START))
				metric_add(fst, (double)u->val[K_START] / 1e6, u->name);
		}
		if (opt_tasks && u->kind == U_SERVICE) {
			if ((u->have & (1u << K_TASKS_CURRENT)) && u->val[K_TASKS_CURRENT] != UINT64_MAX) {
				if (!ftc)
					ftc = metric_family(c->ms, &tasks_current_desc);
				metric_add(ftc, (double)u->val[K_TASKS_CURRENT], u->name);
			}
			if ((u->have & (1u << K_TASKS_MAX)) && u->val[K_TASKS_MAX] != UINT64_MAX) {
				if (!ftm)
					ftm = metric_family(c->ms, &tasks_max_desc);
				metric_add(ftm, (double)u->val[K_TASKS_MAX], u->name);
			}
		}
		if (timers && u->kind == U_TIMER && (u->have & (1u << K_TRIGGER))) {
			if (!ft)
				ft = metric_family(c->ms, &timer_desc);
			metric_add(ft, (double)u->val[K_TRIGGER] / 1e6, u->name);
		}
		/* As node_exporter: no NAccepted, nothing for the socket; no NConnections, no NRefused. */
		if (u->kind == U_SOCKET && (u->have & (1u << K_ACCEPTED))) {
			if (!fa) {
				fa = metric_family(c->ms, &accepted_desc);
				fc = metric_family(c->ms, &current_desc);
				ff = metric_family(c->ms, &refused_desc);
			}
			metric_add(fa, (double)u->val[K_ACCEPTED], u->name);
			if (u->have & (1u << K_CONNECTIONS)) {
				metric_add(fc, (double)u->val[K_CONNECTIONS], u->name);
				if (u->have & (1u << K_REFUSED))
					metric_add(ff, (double)u->val[K_REFUSED], u->name);
			}
		}
	}
}

static int systemd_collect(struct collect_ctx *c)
{
	struct run r = { .c = c, .deadline = now_usec() + RUN_TIMEOUT_USEC };
	struct call manager[4];
	struct unit *all = NULL, **kept;
	size_t n_kept = 0;
	ssize_t n_all;
	double version = 0;
	const char *version_label = "";
	char err[128];
	int ret = 0;

	if (bus_connect(err, sizeof(err)) < 0)
		return ctx_fail(c, -ECONNREFUSED, "couldn't get dbus connection: %s", err);

	/* Round 1: the manager's properties and the unit list. */
	r.calls = manager;
	r.cap_calls = ARRAY_SIZE(manager);
	add_call(&r, NULL, K_VERSION);
	add_call(&r, NULL, K_VIRT);
	add_call(&r, NULL, K_STATE);
	add_call(&r, NULL, K_LIST);
	run_calls(&r);
	run_release(&r);
	if (r.err)
		goto out;

	if (r.str[K_VERSION] && version_number(r.str[K_VERSION], &version))
		version_label = r.str[K_VERSION];
	else
		version = 0;
	if (version < MIN_VERSION_SYSTEM_STATE)
		log_debug("Detected systemd version is lower than minimum, some systemd state and timer metrics will "
			  "not be available", "collector", "systemd", "version", r.str[K_VERSION] ? r.str[K_VERSION] : "");
	metric_emit(c->ms, &version_desc, version, version_label);
	metric_emit(c->ms, &virt_desc, 1,
		    !r.str[K_VIRT] ? "unknown" : r.str[K_VIRT][0] ? r.str[K_VIRT] : "none");

	if (!r.list) {
		ret = ctx_fail(c, -EIO, "couldn't get units: %s", r.list_err);
		goto out;
	}
	n_all = read_units(&r, &all);
	if (n_all < 0) {
		ret = ctx_fail(c, (int)n_all, "couldn't get units: reading the ListUnits reply: %s",
			       strerror((int)-n_all));
		goto out;
	}
	emit_summary(c, all, (size_t)n_all);

	/* Round 2: the per-unit properties of the units kept. */
	bool timers = version >= MIN_VERSION_SYSTEM_STATE;
	kept = arena_alloc(&c->ms->arena, ((size_t)n_all + 1) * sizeof(*kept));
	r.cap_calls = (size_t)n_all * MAX_CALLS_PER_UNIT;
	r.calls = arena_alloc(&c->ms->arena, (r.cap_calls + 1) * sizeof(*r.calls));
	if (!kept || !r.calls) {
		ret = ctx_fail(c, -ENOMEM, "out of memory");
		goto out;
	}
	r.n_calls = r.next = 0;
	for (ssize_t i = 0; i < n_all; i++) {
		struct unit *u = &all[i];
		if (!u->path || name_filter_ignored(&unit_filter, u->name))
			continue;
		kept[n_kept++] = u;
		switch (u->kind) {
		case U_SERVICE:
			add_call(&r, u, K_TYPE);
			if (opt_restarts)
				add_call(&r, u, K_RESTARTS);
			if (opt_tasks) {
				add_call(&r, u, K_TASKS_CURRENT);
				add_call(&r, u, K_TASKS_MAX);
			}
			break;
		case U_MOUNT:
			add_call(&r, u, K_TYPE);
			break;
		case U_SOCKET:
			add_call(&r, u, K_ACCEPTED);
			add_call(&r, u, K_CONNECTIONS);
			add_call(&r, u, K_REFUSED);
			break;
		case U_TIMER:
			if (timers)
				add_call(&r, u, K_TRIGGER);
			break;
		case U_OTHER:
			break;
		}
		if (opt_start_time && streq(u->active, "active"))
			add_call(&r, u, K_START);
	}
	run_calls(&r);
	run_release(&r);
	if (r.err)
		goto out;
	emit_units(c, kept, n_kept, timers);

	if (timers) {
		if (!r.str[K_STATE])
			ret = ctx_fail(c, -EIO, "couldn't get system state: %s", r.state_err);
		else
			metric_emit(c->ms, &system_running_desc, streq(r.str[K_STATE], "running") ? 1 : 0);
	}
out:
	if (r.err) {
		ret = ctx_fail(c, r.err, "%s", r.errmsg);
		bus_drop();
	}
	r.list = sd_bus_message_unref(r.list);
	return ret;
}

static int systemd_init(char *err, size_t err_size)
{
	/* The deprecated names stand in for the new ones, but not both at once (node_exporter refuses);
	 * include and exclude may both be set, and match whole unit names. */
	const struct name_filter_flags ff = {
		.include = &systemd_flags[F_INCLUDE],
		.exclude = &systemd_flags[F_EXCLUDE],
		.alias = { { &systemd_flags[F_BLACKLIST], &systemd_flags[F_EXCLUDE] },
			   { &systemd_flags[F_WHITELIST], &systemd_flags[F_INCLUDE] } },
		.anchored = true,
	};

	return name_filter_from_flags(&unit_filter, &ff, err, err_size);
}

static void systemd_fini(void)
{
	name_filter_free(&unit_filter);
	bus_drop();
}

COLLECTOR(systemd, .default_on = false, .flags = systemd_flags, .init = systemd_init, .fini = systemd_fini,
	  .opts = COLLECTOR_MAY_BLOCK);
