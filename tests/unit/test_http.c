/* Content negotiation (http_negotiate) against the Content-Type Debian's node_exporter 1.5.0 answers to
 * each Accept value (taken from it; tests/suites/protobuf.sh asks both servers live). */
#include "harness.h"
#include "http.h"

#define PB "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"

static void test_negotiate(void)
{
	static const struct {
		const char *accept;
		enum expo_format want;
	} t[] = {
		{ NULL, EXPO_TEXT },
		{ "", EXPO_TEXT },
		{ PB, EXPO_PROTO },
		/* Prometheus 2 with native histograms, and without. */
		{ PB ",application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;"
		     "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		  EXPO_PROTO },
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
		  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		  EXPO_TEXT },
		/* Prometheus 3: text 1.0.0 and OpenMetrics are not served, so text 0.0.4. */
		{ "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;"
		  "version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,"
		  "*/*;q=0.1",
		  EXPO_TEXT },
		{ PB ";escaping=allow-utf-8;q=0.6,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3", EXPO_PROTO },
		{ "text/plain;version=1.0.0;escaping=underscores," PB, EXPO_PROTO },
		/* Ties keep the header's order; * sorts after a concrete type at the same q or not. */
		{ "text/plain;version=0.0.4;q=0.3," PB ";q=0.3", EXPO_TEXT },
		{ PB ";q=0.3,text/plain;q=0.3", EXPO_PROTO },
		{ "*/*;q=0.9," PB ";q=0.3", EXPO_PROTO },
		/* q as Go's ParseFloat(s, 32): " 0.9" is refused (0), 1e99 overflows to +Inf, hex is fine. */
		{ PB ";q= 0.9,text/plain;q=0.5", EXPO_TEXT },
		{ PB ";q=1e99,text/plain;q=2", EXPO_PROTO },
		{ PB ";q=0x1p-1,text/plain;q=0.4", EXPO_PROTO },
		{ PB ";q=0", EXPO_PROTO }, /* q=0 is not excluded */
		/* Spaces around parameters are trimmed; case and quotes are not understood. */
		{ "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", EXPO_PROTO },
		{ "Application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", EXPO_TEXT },
		{ "application/vnd.google.protobuf;proto=\"io.prometheus.client.MetricFamily\";encoding=delimited",
		  EXPO_TEXT },
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily", EXPO_TEXT },
		{ "text/plain/x," PB, EXPO_PROTO },
		{ ",,;;," PB ";;q;=;q=0.5", EXPO_PROTO },
		{ "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", EXPO_TEXT },
		{ "*/*", EXPO_TEXT },
		/* protobuf's text formats, and encodings nobody serves. */
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
		  EXPO_PROTO_TEXT },
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text;q=0.5,"
		  "text/plain;q=0.4",
		  EXPO_PROTO_COMPACT },
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=json," PB, EXPO_PROTO },
		{ "text/plain;version=0.0.3,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
		  "encoding=json",
		  EXPO_TEXT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		enum expo_format f = http_negotiate(t[i].accept);
		if (f != t[i].want)
			fprintf(stderr, "Accept: %s\n", t[i].accept ? t[i].accept : "(none)");
		CHECK_INT(f, t[i].want);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	test_negotiate();
	return test_summary(argv[0]);
}
