/* logind: node_logind_sessions {class,remote,seat,type}, sessions registered in systemd-logind, asked
 * over the system D-Bus (org.freedesktop.login1) with sd-bus, as node_exporter's logind collector does
 * with godbus: ListSeats, ListSessions, then each session's Remote, Type and Class properties.
 *
 * Every combination of remote (true, false), type (other, unspecified, tty, x11, wayland, mir, web), class
 * (other, user, greeter, lock-screen, background) and seat (each seat, plus "" for seatless sessions such
 * as SSH) is emitted, zeros included; values logind adds later count as "other". A session whose
 * properties cannot be read is left out. */
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "collector.h"

#define LOGIND_DEST "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define LOGIND_SESSION "org.freedesktop.login1.Session"

/* Each D-Bus call gets this long; the scrape's deadline bounds the whole run as well. */
#define LOGIND_CALL_TIMEOUT_USEC (10 * 1000000ULL)

METRIC(sessions_desc, GAUGE, "node_logind_sessions", "Number of sessions registered in logind.", "seat", "remote",
       "type", "class");

static const char *const remote_values[] = { "true", "false" };
static const char *const type_values[] = { "other", "unspecified", "tty", "x11", "wayland", "mir", "web" };
static const char *const class_values[] = { "other", "user", "greeter", "lock-screen", "background" };
#define N_REMOTE ARRAY_SIZE(remote_values)
#define N_TYPE ARRAY_SIZE(type_values)
#define N_CLASS ARRAY_SIZE(class_values)

static size_t known_or_other(const char *v, const char *const *known, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v, known[i]))
			return i;
	return 0; /* "other" */
}

struct seat_counts {
	const char *seat;
	double n[N_REMOTE][N_TYPE][N_CLASS];
};

struct logind_data {
	struct seat_counts *seats; /* the listed seats, then "" */
	size_t n_seats;
	size_t cap;
};

static struct seat_counts *add_seat(struct logind_data *d, struct arena *a, const char *name)
{
	void *grown = arena_grow(a, d->seats, d->n_seats, &d->cap, sizeof(*d->seats));
	if (!grown)
		return NULL;
	d->seats = grown;
	struct seat_counts *s = &d->seats[d->n_seats++];
	memset(s, 0, sizeof(*s));
	s->seat = arena_strdup(a, name);
	return s->seat ? s : NULL;
}

static int list_seats(sd_bus *bus, struct arena *a, struct logind_data *d, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const char *id, *path;
	int r;

	r = sd_bus_call_method(bus, LOGIND_DEST, LOGIND_PATH, LOGIND_MANAGER, "ListSeats", e, &reply, "");
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "(so)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(so)", &id, &path)) > 0) {
		if (!add_seat(d, a, id)) {
			r = -ENOMEM;
			break;
		}
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	sd_bus_message_unref(reply);
	if (r < 0)
		return r;
	/* The empty seat, used by remote sessions like SSH, is always there. */
	return add_seat(d, a, "") ? 0 : -ENOMEM;
}

/* Reads one session's properties. Returns 0, or a negative errno (the session is then left out). */
static int session_props(sd_bus *bus, const char *path, int *remote, char **type, char **class)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	r = sd_bus_get_property_trivial(bus, LOGIND_DEST, path, LOGIND_SESSION, "Remote", &e, 'b', remote);
	if (r >= 0)
		r = sd_bus_get_property_string(bus, LOGIND_DEST, path, LOGIND_SESSION, "Type", &e, type);
	if (r >= 0) {
		r = sd_bus_get_property_string(bus, LOGIND_DEST, path, LOGIND_SESSION, "Class", &e, class);
		if (r < 0) {
			free(*type);
			*type = NULL;
		}
	}
	sd_bus_error_free(&e);
	return r;
}

static int count_sessions(sd_bus *bus, struct logind_data *d, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const char *id, *user, *seat, *path;
	uint32_t uid;
	int r;

	r = sd_bus_call_method(bus, LOGIND_DEST, LOGIND_PATH, LOGIND_MANAGER, "ListSessions", e, &reply, "");
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "(susso)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(susso)", &id, &uid, &user, &seat, &path)) > 0) {
		int remote = 0;
		char *type = NULL, *class = NULL;
		if (session_props(bus, path, &remote, &type, &class) < 0) {
			log_debug("cannot read logind session properties", "session", id);
			continue;
		}
		size_t ri = remote ? 0 : 1;
		size_t ti = known_or_other(type, type_values, N_TYPE);
		size_t ci = known_or_other(class, class_values, N_CLASS);
		free(type);
		free(class);
		/* A session on a seat that ListSeats did not return is counted nowhere, as in node_exporter. */
		for (size_t s = 0; s < d->n_seats; s++)
			if (streq(d->seats[s].seat, seat)) {
				d->seats[s].n[ri][ti][ci]++;
				break;
			}
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	sd_bus_message_unref(reply);
	return r;
}

static int logind_collect(struct collect_ctx *c)
{
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct logind_data d = { 0 };
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0)
		return ctx_fail(c, r, "unable to connect to dbus: %s", strerror(-r));
	sd_bus_set_method_call_timeout(bus, LOGIND_CALL_TIMEOUT_USEC);
	r = list_seats(bus, &c->ms->arena, &d, &e);
	if (r < 0) {
		ctx_fail(c, r, "unable to get seats: %s", e.message ? e.message : strerror(-r));
		goto out;
	}
	r = count_sessions(bus, &d, &e);
	if (r < 0) {
		ctx_fail(c, r, "unable to get sessions: %s", e.message ? e.message : strerror(-r));
		goto out;
	}
	struct family *f = metric_family(c->ms, &sessions_desc);
	for (size_t s = 0; s < d.n_seats; s++)
		for (size_t ri = 0; ri < N_REMOTE; ri++)
			for (size_t ti = 0; ti < N_TYPE; ti++)
				for (size_t ci = 0; ci < N_CLASS; ci++)
					metric_add(f, d.seats[s].n[ri][ti][ci], d.seats[s].seat, remote_values[ri],
						   type_values[ti], class_values[ci]);
	r = 0;
out:
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
	return r;
}

COLLECTOR(logind, .default_on = false, .opts = COLLECTOR_MAY_BLOCK);
