/* fake-systemd: answers on a D-Bus bus as org.freedesktop.systemd1 does, for the systemd collector's
 * tests, from a small text file that the test may rewrite between scrapes.
 *
 *   fake-systemd STATEFILE
 *
 * Connects to the bus named by DBUS_SYSTEM_BUS_ADDRESS, takes the name org.freedesktop.systemd1, prints
 * "ready" on stdout and serves until killed. It answers:
 *   /org/freedesktop/systemd1  org.freedesktop.systemd1.Manager.ListUnits  a(ssssssouso)
 *                              org.freedesktop.DBus.Properties.Get/GetAll of the Manager's properties
 *   /org/freedesktop/systemd1/unit/<escaped name>
 *                              org.freedesktop.DBus.Properties.Get/GetAll of org.freedesktop.systemd1.Unit
 *                              and of the unit type's interface (.Service, .Socket, .Timer, .Mount, ...)
 * The file is read again whenever it changed (write a new one and rename it over the old). Its lines:
 *   # a comment
 *   manager Version=252.22-1~deb12u1 Virtualization=kvm SystemState=running
 *   fail ListUnits                  answer ListUnits with an error
 *   unit NAME LOAD ACTIVE SUB [PROP[:SIG]=VALUE]...
 * A property left out does not exist (Get answers UnknownProperty), as on an older systemd. SIG is the
 * D-Bus type (s, u, t, i, x, b); the default is the real property's type for the properties the collector
 * reads (NRestarts u, TasksCurrent t, ...) and s otherwise. Unit-interface properties (Id, LoadState,
 * ActiveState, SubState, Description, *Timestamp) belong to org.freedesktop.systemd1.Unit, all others to
 * the interface named after the unit's suffix. Values hold no blanks. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>

struct prop {
	const char *name;
	const char *value;
	char sig;
	bool unit_iface;
};

struct unit {
	const char *name, *load, *active, *sub;
	char *path;
	char iface[64]; /* org.freedesktop.systemd1.Service, ... */
	struct prop *props;
	size_t n_props;
};

static const char *state_path;
static char *text;
static struct unit *units;
static size_t n_units;
static struct prop *manager;
static size_t n_manager;
static bool fail_list;
static struct stat last_st;

static const struct {
	const char *name;
	char sig;
} known[] = {
	{ "NRestarts", 'u' },    { "TasksCurrent", 't' }, { "TasksMax", 't' },     { "ActiveEnterTimestamp", 't' },
	{ "LastTriggerUSec", 't' }, { "NAccepted", 'u' },  { "NConnections", 'u' }, { "NRefused", 'u' },
};

static bool is_unit_iface_prop(const char *name)
{
	return !strcmp(name, "Id") || !strcmp(name, "LoadState") || !strcmp(name, "ActiveState") ||
	       !strcmp(name, "SubState") || !strcmp(name, "Description") || strstr(name, "Timestamp") != NULL;
}

static void free_state(void)
{
	for (size_t i = 0; i < n_units; i++) {
		free(units[i].path);
		free(units[i].props);
	}
	free(units);
	free(manager);
	free(text);
	units = NULL;
	manager = NULL;
	text = NULL;
	n_units = n_manager = 0;
	fail_list = false;
}

/* Parses "NAME[:SIG]=VALUE" in place. Returns false when malformed. */
static bool parse_prop(char *tok, struct prop *p)
{
	char *eq = strchr(tok, '=');
	char *colon;

	if (!eq)
		return false;
	*eq = '\0';
	p->value = eq + 1;
	p->sig = 's';
	colon = strchr(tok, ':');
	if (colon) {
		*colon = '\0';
		p->sig = colon[1];
	} else {
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(known[i].name, tok))
				p->sig = known[i].sig;
	}
	p->name = tok;
	p->unit_iface = is_unit_iface_prop(tok);
	return true;
}

static int load_state(void)
{
	struct stat st;
	FILE *f;
	long len;

	if (stat(state_path, &st) < 0)
		return -errno;
	if (text && st.st_ino == last_st.st_ino && st.st_size == last_st.st_size &&
	    st.st_mtim.tv_sec == last_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == last_st.st_mtim.tv_nsec)
		return 0;
	free_state();
	f = fopen(state_path, "re");
	if (!f)
		return -errno;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	last_st = st;

	size_t n_lines = 1;
	for (char *p = text; *p; p++)
		n_lines += *p == '\n';
	units = calloc(n_lines, sizeof(*units));
	if (!units)
		return -ENOMEM;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fields[256], *s2 = NULL;
		size_t nf = 0;
		for (char *t = strtok_r(line, " \t", &s2); t && nf < 256; t = strtok_r(NULL, " \t", &s2))
			fields[nf++] = t;
		if (nf == 0 || fields[0][0] == '#')
			continue;
		if (!strcmp(fields[0], "manager")) {
			manager = calloc(nf, sizeof(*manager));
			if (!manager)
				return -ENOMEM;
			for (size_t i = 1; i < nf; i++)
				if (parse_prop(fields[i], &manager[n_manager]))
					n_manager++;
		} else if (!strcmp(fields[0], "fail") && nf > 1 && !strcmp(fields[1], "ListUnits")) {
			fail_list = true;
		} else if (!strcmp(fields[0], "unit") && nf >= 5) {
			struct unit *u = &units[n_units];
			const char *dot = strrchr(fields[1], '.');
			u->name = fields[1];
			u->load = fields[2];
			u->active = fields[3];
			u->sub = fields[4];
			snprintf(u->iface, sizeof(u->iface), "org.freedesktop.systemd1.%c%s",
				 dot && dot[1] ? dot[1] - 'a' + 'A' : 'X', dot && dot[1] ? dot + 2 : "");
			if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", u->name, &u->path) < 0)
				return -ENOMEM;
			u->props = calloc(nf, sizeof(*u->props));
			if (!u->props)
				return -ENOMEM;
			for (size_t i = 5; i < nf; i++)
				if (parse_prop(fields[i], &u->props[u->n_props]))
					u->n_props++;
			n_units++;
		} else {
			fprintf(stderr, "fake-systemd: ignoring line starting with %s\n", fields[0]);
		}
	}
	return 0;
}

static int append_value(sd_bus_message *m, const struct prop *p)
{
	char sig[2] = { p->sig, 0 };
	int r = sd_bus_message_open_container(m, 'v', sig);

	if (r < 0)
		return r;
	switch (p->sig) {
	case 'u': r = sd_bus_message_append(m, "u", (uint32_t)strtoul(p->value, NULL, 0)); break;
	case 't': r = sd_bus_message_append(m, "t", (uint64_t)strtoull(p->value, NULL, 0)); break;
	case 'i': r = sd_bus_message_append(m, "i", (int32_t)strtol(p->value, NULL, 0)); break;
	case 'x': r = sd_bus_message_append(m, "x", (int64_t)strtoll(p->value, NULL, 0)); break;
	case 'b': r = sd_bus_message_append(m, "b", (int)!strcmp(p->value, "true")); break;
	default: r = sd_bus_message_append(m, "s", p->value); break;
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* The properties of one object and interface: the implicit Unit ones first, then the file's. */
static int collect_props(const struct unit *u, const char *iface, struct prop *out, size_t max)
{
	size_t n = 0;

	if (!u) {
		if (strcmp(iface, "org.freedesktop.systemd1.Manager"))
			return -1;
		for (size_t i = 0; i < n_manager && n < max; i++)
			out[n++] = manager[i];
		return (int)n;
	}
	bool unit_iface = !strcmp(iface, "org.freedesktop.systemd1.Unit");
	if (!unit_iface && strcmp(iface, u->iface))
		return -1;
	if (unit_iface) {
		out[n++] = (struct prop){ "Id", u->name, 's', true };
		out[n++] = (struct prop){ "LoadState", u->load, 's', true };
		out[n++] = (struct prop){ "ActiveState", u->active, 's', true };
		out[n++] = (struct prop){ "SubState", u->sub, 's', true };
	}
	for (size_t i = 0; i < u->n_props && n < max; i++)
		if (u->props[i].unit_iface == unit_iface)
			out[n++] = u->props[i];
	return (int)n;
}

static int reply_list(sd_bus_message *call)
{
	sd_bus_message *m = NULL;
	int r;

	if (fail_list)
		return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_ACCESS_DENIED, "ListUnits refused by the test");
	r = sd_bus_message_new_method_return(call, &m);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(ssssssouso)");
	for (size_t i = 0; r >= 0 && i < n_units; i++) {
		const struct unit *u = &units[i];
		r = sd_bus_message_append(m, "(ssssssouso)", u->name, "fake unit", u->load, u->active, u->sub, "",
					  u->path, (uint32_t)0, "", "/");
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_send(NULL, m, NULL);
	sd_bus_message_unref(m);
	return r;
}

static int reply_props(sd_bus_message *call, const struct unit *u, bool all)
{
	const char *iface, *name = NULL;
	struct prop list[300];
	sd_bus_message *m = NULL;
	int n, r;

	r = all ? sd_bus_message_read(call, "s", &iface) : sd_bus_message_read(call, "ss", &iface, &name);
	if (r < 0)
		return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_INVALID_ARGS, "bad arguments");
	n = collect_props(u, iface, list, sizeof(list) / sizeof(list[0]));
	if (n < 0)
		return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_UNKNOWN_INTERFACE, "Unknown interface %s.", iface);
	r = sd_bus_message_new_method_return(call, &m);
	if (r < 0)
		return r;
	if (all) {
		r = sd_bus_message_open_container(m, 'a', "{sv}");
		for (int i = 0; r >= 0 && i < n; i++) {
			r = sd_bus_message_open_container(m, 'e', "sv");
			if (r >= 0)
				r = sd_bus_message_append(m, "s", list[i].name);
			if (r >= 0)
				r = append_value(m, &list[i]);
			if (r >= 0)
				r = sd_bus_message_close_container(m);
		}
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	} else {
		int i = 0;
		while (i < n && strcmp(list[i].name, name))
			i++;
		if (i == n) {
			sd_bus_message_unref(m);
			return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_UNKNOWN_PROPERTY,
							  "Unknown property or interface.");
		}
		r = append_value(m, &list[i]);
	}
	if (r >= 0)
		r = sd_bus_send(NULL, m, NULL);
	sd_bus_message_unref(m);
	return r;
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const char *path = sd_bus_message_get_path(m);
	const struct unit *u = NULL;
	char *name = NULL;
	int r;

	(void)userdata;
	(void)ret_error;
	uint8_t type = 0;

	if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL || !path)
		return 0;
	r = load_state();
	if (r < 0) {
		fprintf(stderr, "fake-systemd: reading %s: %s\n", state_path, strerror(-r));
		return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_FAILED, "state file unreadable");
	}
	if (!strcmp(path, "/org/freedesktop/systemd1")) {
		if (sd_bus_message_is_method_call(m, "org.freedesktop.systemd1.Manager", "ListUnits"))
			return reply_list(m) < 0 ? -1 : 1;
	} else if (sd_bus_path_decode(path, "/org/freedesktop/systemd1/unit", &name) > 0) {
		for (size_t i = 0; i < n_units && !u; i++)
			if (!strcmp(units[i].name, name))
				u = &units[i];
		if (!u) {
			r = sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_OBJECT, "Unit %s not loaded.", name);
			free(name);
			return r < 0 ? r : 1;
		}
		free(name);
	} else {
		return 0;
	}
	if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Get"))
		return reply_props(m, u, false) < 0 ? -1 : 1;
	if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll"))
		return reply_props(m, u, true) < 0 ? -1 : 1;
	return 0;
}

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s STATEFILE\n", argv[0]);
		return 2;
	}
	state_path = argv[1];
	r = load_state();
	if (r < 0) {
		fprintf(stderr, "fake-systemd: reading %s: %s\n", state_path, strerror(-r));
		return 1;
	}
	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_filter(bus, NULL, on_message, NULL);
	if (r >= 0)
		r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
	if (r < 0) {
		fprintf(stderr, "fake-systemd: connecting to the bus: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			fprintf(stderr, "fake-systemd: %s\n", strerror(-r));
			return 1;
		}
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "fake-systemd: %s\n", strerror(-r));
			return 1;
		}
	}
}
