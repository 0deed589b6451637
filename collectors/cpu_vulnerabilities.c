/* cpu_vulnerabilities: /sys/devices/system/cpu/vulnerabilities/<name>, as node_exporter's cpu_vulnerabilities
 * collector (collector/cpu_vulnerabilities_linux.go over procfs' CPUVulnerabilities). Disabled by
 * default. The state is the lower-cased leading word (not affected, vulnerable, mitigation, unknown);
 * the mitigation label is the text after the first word, blanks collapsed. Text that fits none of the
 * states is reported whole, with state "unknown". */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "collector.h"
#include "gocompat.h"

METRIC(vuln_desc, GAUGE, "node_cpu_vulnerabilities_info",
       "Details of each CPU vulnerability reported by sysfs. The value of the series is an int encoded state of the vulnerability. The same state is stored as a string in the label",
       "codename", "state", "mitigation");

static bool has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* strings.Join(strings.Fields(s)[1:], " ") into the arena. */
static const char *after_first_word(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;
	const char *p = s;

	if (!out)
		return NULL;
	while (*p && !isspace((unsigned char)*p))
		p++;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (o != out)
			*o++ = ' ';
		while (*p && !isspace((unsigned char)*p))
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static int cpu_vulnerabilities_collect(struct collect_ctx *c)
{
	const char *dir;
	char **names;
	/* a glob over a missing directory finds nothing */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, &dir, &names, ROOT_SYS, "devices/system/cpu/vulnerabilities");

	if (n < 0)
		return (int)n;
	for (ssize_t i = 0; i < n; i++) {
		const char *state, *mitigation, *text;
		ssize_t r = ctx_read(c, ROOT_NONE, "%s/%s", dir, names[i]);

		if (r < 0)
			return ctx_fail(c, (int)r, "failed to get vulnerabilities: %s: %s", c->path.p, strerror((int)-r));
		if (!(text = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, go_trim_space(c->buf.p)))))
			return -ENOMEM;
		if (has_prefix_ci(text, "not affected")) {
			state = "not affected";
			mitigation = "";
		} else if (has_prefix_ci(text, "vulnerable") || has_prefix_ci(text, "mitigation") ||
			   has_prefix_ci(text, "unknown")) {
			state = has_prefix_ci(text, "vulnerable") ? "vulnerable"
				: has_prefix_ci(text, "mitigation") ? "mitigation"
								    : "unknown";
			if (!(mitigation = after_first_word(&c->ms->arena, text)))
				return -ENOMEM;
		} else {
			state = "unknown";
			mitigation = text;
		}
		metric_add(metric_family(c->ms, &vuln_desc), 1, names[i], state, mitigation);
	}
	return 0;
}

COLLECTOR(cpu_vulnerabilities, .default_on = false);
