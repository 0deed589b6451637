#!/bin/sh
# The protobuf exposition and content negotiation, against real peers:
#  - for each Accept header of a table (Prometheus 2 and 3, browsers, odd ones), nodex answers the
#    Content-Type Debian's node_exporter 1.5.0 answers;
#  - the delimited protobuf body, decoded by Google's protobuf runtime (python3-protobuf), carries the
#    same families, HELP, TYPE, series and values as the text body parsed by the Prometheus Python
#    client, for every metric type (a textfile with counters, gauges, untyped, summaries and histograms,
#    label escapes, UTF-8, NaN and +-Inf), gzip included;
#  - for the same textfile and /proc fixture, nodex's MetricFamily messages are byte for byte
#    node_exporter 1.5.0's, and so are its answers in protobuf's text formats (encoding=text and
#    compact-text);
#  - a real Prometheus with --enable-feature=native-histograms scrapes nodex over protobuf (a recording
#    proxy in between shows the Content-Type) with up 1 and the same samples per scrape as a Prometheus
#    scraping text.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

NE=/usr/bin/prometheus-node-exporter
PY=/usr/bin/python3 # Debian's, with python3-protobuf and python3-prometheus-client
$PY -c 'import google.protobuf, prometheus_client' 2>/dev/null ||
	{ echo "FAIL: python3-protobuf or python3-prometheus-client is missing (make test-deps)"; exit 1; }

tmp=$(mktemp -d)
trap 'stop_pids; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc" "$tmp/tf"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"
printf 'MemTotal: 1000 kB\nMemFree: 500 kB\n' >"$tmp/proc/meminfo"
cat >"$tmp/tf/all.prom" <<'EOF'
# HELP tf_counter_total A counter with "quotes", a \\ backslash and a\nnewline in its help.
# TYPE tf_counter_total counter
tf_counter_total{path="C:\\dir\\file",quote="say \"hi\"",nl="line1\nline2"} 42
tf_counter_total{path="",quote="",nl=""} 0
# HELP tf_gauge Gauges with special values.
# TYPE tf_gauge gauge
tf_gauge{v="nan"} NaN
tf_gauge{v="pinf"} +Inf
tf_gauge{v="ninf"} -Inf
tf_gauge{v="tiny"} 1.305e-06
tf_gauge{v="big"} 4.186624e+06
tf_gauge{v="neg"} -0.5
tf_gauge{v="ünïcødé ✓"} 2
# TYPE tf_untyped untyped
tf_untyped 3.14
# HELP tf_summary A summary.
# TYPE tf_summary summary
tf_summary{a="x",quantile="0.5"} 1.5
tf_summary{a="x",quantile="0.99"} NaN
tf_summary_sum{a="x"} 17.25
tf_summary_count{a="x"} 12
tf_summary_sum{a="y"} 0
tf_summary_count{a="y"} 0
# HELP tf_hist A histogram.
# TYPE tf_hist histogram
tf_hist_bucket{le="0.1"} 1
tf_hist_bucket{le="1"} 5
tf_hist_bucket{le="+Inf"} 9
tf_hist_sum 12.5
tf_hist_count 9
# HELP tf_hist_noinf A histogram without its +Inf bucket.
# TYPE tf_hist_noinf histogram
tf_hist_noinf_bucket{l="a",le="5"} 2
tf_hist_noinf_bucket{l="a",le="10"} 3
tf_hist_noinf_sum{l="a"} 30
tf_hist_noinf_count{l="a"} 4
tf_hist_noinf_bucket{l="b",le="5"} 1e+19
tf_hist_noinf_sum{l="b"} -Inf
tf_hist_noinf_count{l="b"} 1e+19
EOF
args="--collector.disable-defaults --collector.loadavg --collector.meminfo --collector.textfile
	--collector.textfile.directory=$tmp/tf --path.procfs=$tmp/proc"

PROTO='application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'
CT_PROTO='application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'
CT_TEXT='text/plain; version=0.0.4; charset=utf-8'

start_nodex "$tmp/nodex.log" $args || exit 1
PIDS="$PIDS $NODEX_PID"
np=$(free_port)
$NE --web.listen-address="127.0.0.1:$np" $args >"$tmp/ne.log" 2>&1 &
PIDS="$PIDS $!"
wait_http "http://127.0.0.1:$np/" || bad "node_exporter 1.5.0 did not start"

# ---- negotiation: nodex answers what node_exporter 1.5.0 answers ----
cat >"$tmp/accept" <<EOF
$PROTO;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1
$PROTO,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1
application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1
application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1
$PROTO;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1
text/plain;version=1.0.0;escaping=allow-utf-8
text/plain;version=1.0.0;escaping=underscores,$PROTO
text/plain;version=0.0.4;q=0.3,$PROTO;q=0.3
$PROTO;q=0.3,text/plain;q=0.3
*/*;q=0.9,$PROTO;q=0.3
$PROTO;q= 0.9,text/plain;q=0.5
application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited
Application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited
application/vnd.google.protobuf;proto="io.prometheus.client.MetricFamily";encoding=delimited
$PROTO;q=0
application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily
application/json
*/*
text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8
$PROTO;q=1e99,text/plain;q=2
$PROTO;q=0x1p-1,text/plain;q=0.4
text/plain;version=0.0.4;q=0.5 ,$PROTO;q=0.4
text/plain/x,$PROTO
,,;;,$PROTO;;q;=;q=0.5
application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text
application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text;q=0.5,text/plain;q=0.4
text/plain;version=0.0.3,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=json
EOF
n=0
agree=0
while IFS= read -r a; do
	n=$((n + 1))
	x=$(curl -s -o /dev/null -w '%{content_type}' -H "Accept: $a" "$NODEX_URL/metrics")
	y=$(curl -s -o /dev/null -w '%{content_type}' -H "Accept: $a" "http://127.0.0.1:$np/metrics")
	if [ "$x" = "$y" ]; then
		agree=$((agree + 1))
	else
		echo "   Accept: $a"
		echo "     nodex $x, node_exporter 1.5.0 $y"
	fi
done <"$tmp/accept"
check "Content-Type as node_exporter 1.5.0 for $agree of $n Accept headers" "[ $agree -eq $n ]"
x=$(curl -s -o /dev/null -w '%{content_type}' "$NODEX_URL/metrics")
check "no Accept header: text" "[ '$x' = '$CT_TEXT' ]"
x=$(curl -s -o /dev/null -w '%{content_type}' -H "Accept: $PROTO" "$NODEX_URL/metrics")
check "protobuf when asked: $x" "[ '$x' = '$CT_PROTO' ]"

# ---- the bodies: protobuf decoded by Google's runtime = text parsed by the Prometheus client ----
curl -s -H "Accept: $PROTO" -o "$tmp/body.pb" "$NODEX_URL/metrics"
curl -s -o "$tmp/body.txt" "$NODEX_URL/metrics"
curl -s -H "Accept: $PROTO" -H 'Accept-Encoding: gzip' -D "$tmp/gz.h" -o "$tmp/body.pb.gz" "$NODEX_URL/metrics"
# Families whose values change from one scrape to the next are left out of the comparison.
volatile='^(family )?(process_|promhttp_|node_scrape_collector_duration_seconds)'
$PY tests/tools/promproto.py proto "$tmp/body.pb" >"$tmp/p.all" 2>"$tmp/p.err"
check "the protobuf body decodes" "[ -s '$tmp/p.all' ] && [ ! -s '$tmp/p.err' ] || { cat '$tmp/p.err'; false; }"
$PY tests/tools/promproto.py text "$tmp/body.txt" >"$tmp/t.all" 2>"$tmp/t.err"
check "the text body parses" "[ -s '$tmp/t.all' ] && [ ! -s '$tmp/t.err' ] || { cat '$tmp/t.err'; false; }"
grep -Ev "$volatile" "$tmp/p.all" >"$tmp/p.cmp"
grep -Ev "$volatile" "$tmp/t.all" >"$tmp/t.cmp"
check "protobuf and text carry the same families, HELP, TYPE, series and values ($(grep -c '^family' "$tmp/p.all") families, $(grep -vc '^family' "$tmp/p.all") samples)" \
	"diff '$tmp/t.cmp' '$tmp/p.cmp'"
check "every family of the text is in the protobuf, volatile ones too" \
	"[ \"\$(grep '^family' '$tmp/p.all' | cut -d' ' -f2-3)\" = \"\$(grep '^family' '$tmp/t.all' | cut -d' ' -f2-3)\" ]"
for t in counter gauge untyped summary histogram; do
	check "a $t family is compared" "grep -q '^family tf_[a-z_]* $t ' '$tmp/p.cmp'"
done
has() { grep -qF -- "$1" "$tmp/p.cmp"; }
esc1='path="C:\\dir\\file"'
esc2='nl="line1\nline2"'
esc3='quote="say \"hi\""'
check "label escapes, UTF-8, NaN and +-Inf are compared" \
	'has "$esc1" && has "$esc2" && has "$esc3" && has "ünïcødé ✓" && has " nan" && has " -inf" && has "} inf"'
check "gzip of the protobuf body" "grep -qi '^Content-Encoding: gzip' '$tmp/gz.h' && grep -qi '^Content-Type: $CT_PROTO' '$tmp/gz.h'"
gzip -dc <"$tmp/body.pb.gz" >"$tmp/body2.pb"
$PY tests/tools/promproto.py proto "$tmp/body2.pb" | grep -Ev "$volatile" >"$tmp/p2.cmp"
check "the gzipped protobuf body decodes to the same" "diff '$tmp/p.cmp' '$tmp/p2.cmp'"
curl -s -I -H "Accept: $PROTO" -o "$tmp/head.h" "$NODEX_URL/metrics"
check "HEAD negotiates too" "grep -qi '^Content-Type: $CT_PROTO' '$tmp/head.h'"

# ---- the same messages as node_exporter 1.5.0, byte for byte ----
curl -s -H "Accept: $PROTO" -o "$tmp/ne.pb" "http://127.0.0.1:$np/metrics"
cat >"$tmp/split.py" <<'EOF'
import sys
def messages(path):
    d, p, out = open(path, "rb").read(), 0, {}
    while p < len(d):
        n = s = 0
        while True:
            b = d[p]; p += 1; n |= (b & 0x7F) << s; s += 7
            if b < 0x80:
                break
        m = d[p:p + n]; p += n
        out[m[2:2 + m[1]].decode()] = m  # field 1, the name, comes first (names are < 128 bytes here)
    return out
a, b = messages(sys.argv[1]), messages(sys.argv[2])
names = [k for k in sorted(a) if k.startswith(("tf_", "node_load", "node_memory_", "node_textfile_"))]
for k in names:
    print("%s %s" % (k, "same" if a[k] == b.get(k) else "differs" if k in b else "missing"))
EOF
$PY "$tmp/split.py" "$tmp/body.pb" "$tmp/ne.pb" >"$tmp/bytes"
sed 's/^/   /' "$tmp/bytes"
check "textfile, loadavg and meminfo families: MetricFamily bytes identical to node_exporter 1.5.0's ($(wc -l <"$tmp/bytes") families)" \
	"[ \$(wc -l <'$tmp/bytes') -eq 13 ] && ! grep -qv ' same$' '$tmp/bytes'"

# ---- protobuf's text formats (encoding=text and compact-text), byte for byte as node_exporter ----
for enc in text compact-text; do
	a="application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=$enc"
	curl -s -H "Accept: $a" -o "$tmp/nodex.$enc" "$NODEX_URL/metrics"
	curl -s -H "Accept: $a" -o "$tmp/ne.$enc" "http://127.0.0.1:$np/metrics"
done
cat >"$tmp/split_text.py" <<'EOF'
import re, sys
def families(path, compact):
    data = open(path, "rb").read()
    parts = data.split(b"\n") if compact else data.split(b"\n\n")
    pat = rb'name:"([^"]*)"' if compact else rb'name: "([^"]*)"'
    return {re.match(pat, p).group(1).decode(): p for p in parts if p.strip()}
compact = sys.argv[3] == "compact-text"
a, b = families(sys.argv[1], compact), families(sys.argv[2], compact)
for k in sorted(a):
    if k.startswith(("tf_", "node_load", "node_memory_", "node_textfile_")):
        print("%s %s" % (k, "same" if a[k] == b.get(k) else "differs" if k in b else "missing"))
EOF
for enc in text compact-text; do
	$PY "$tmp/split_text.py" "$tmp/nodex.$enc" "$tmp/ne.$enc" $enc >"$tmp/same.$enc"
	check "encoding=$enc: the textfile, loadavg and meminfo families as node_exporter 1.5.0 prints them ($(wc -l <"$tmp/same.$enc") families)" \
		"[ \$(wc -l <'$tmp/same.$enc') -eq 13 ] && ! grep -qv ' same$' '$tmp/same.$enc' || { grep -v ' same$' '$tmp/same.$enc'; false; }"
done

# ---- a real Prometheus over protobuf, another over text: up 1, the same samples per scrape ----
cat >"$tmp/proxy.py" <<'EOF'
# Forwards each scrape to nodex and records the Content-Type of the answer.
import http.server, sys, urllib.request
port, target, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        req = urllib.request.Request(target + self.path)
        for h in ("Accept", "Accept-Encoding", "X-Prometheus-Scrape-Timeout-Seconds"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        with urllib.request.urlopen(req) as r:
            body = r.read()
            self.send_response(r.status)
            for h in ("Content-Type", "Content-Encoding"):
                if r.headers.get(h):
                    self.send_header(h, r.headers[h])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with open(log, "a") as f:
                f.write(r.headers.get("Content-Type", "") + "\n")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
if command -v prometheus >/dev/null; then
	for mode in proto text; do
		xp=$(free_port)
		$PY "$tmp/proxy.py" "$xp" "$NODEX_URL" "$tmp/served.$mode" &
		PIDS="$PIDS $!"
		pp=$(free_port)
		eval "pp_$mode=$pp"
		printf 'global: { scrape_interval: 1s, scrape_timeout: 1s }\nscrape_configs:\n  - job_name: nodex\n    static_configs: [ { targets: ["127.0.0.1:%s"] } ]\n' \
			"$xp" >"$tmp/prom.$mode.yml"
		flag=""
		[ $mode = proto ] && flag=--enable-feature=native-histograms
		prometheus --config.file="$tmp/prom.$mode.yml" --storage.tsdb.path="$tmp/tsdb.$mode" \
			--web.listen-address="127.0.0.1:$pp" $flag >"$tmp/prom.$mode.log" 2>&1 &
		PIDS="$PIDS $!"
	done
	q() { curl -s "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" | sed -n 's/.*"value":\[[0-9.]*,"\([^"]*\)"\].*/\1/p'; }
	i=0
	while [ $i -lt 120 ]; do
		a=$(q "$pp_proto" 'count_over_time(up[1m])')
		b=$(q "$pp_text" 'count_over_time(up[1m])')
		[ "${a:-0}" -ge 3 ] 2>/dev/null && [ "${b:-0}" -ge 3 ] 2>/dev/null && break
		sleep 0.25
		i=$((i + 1))
	done
	check "Prometheus with native histograms got protobuf from nodex" \
		"[ -s '$tmp/served.proto' ] && ! grep -qv '^$CT_PROTO\$' '$tmp/served.proto'"
	check "Prometheus without got text" "[ -s '$tmp/served.text' ] && ! grep -qv '^$CT_TEXT\$' '$tmp/served.text'"
	up=$(q "$pp_proto" 'min_over_time(up[1m])')
	check "Prometheus 2.42 over protobuf: up 1 on every scrape" "[ '$up' = 1 ]"
	sp=$(q "$pp_proto" 'max_over_time(scrape_samples_scraped[1m])')
	st=$(q "$pp_text" 'max_over_time(scrape_samples_scraped[1m])')
	sp_min=$(q "$pp_proto" 'min_over_time(scrape_samples_scraped[1m])')
	st_min=$(q "$pp_text" 'min_over_time(scrape_samples_scraped[1m])')
	check "the same samples per scrape over protobuf and text: $sp_min..$sp and $st_min..$st" \
		"[ -n '$sp' ] && [ '$sp' = '$st' ] && [ '$sp_min' = '$st_min' ] && [ '$sp' = '$sp_min' ]"
	check "Prometheus stored the histogram's buckets from protobuf, +Inf included" \
		"[ \"\$(q $pp_proto 'count(tf_hist_noinf_bucket)')\" = 5 ] && [ \"\$(q $pp_proto 'tf_hist_noinf_bucket{l=\"a\",le=\"+Inf\"}')\" = 4 ]"
	check "and the summary's quantiles" "[ \"\$(q $pp_proto 'tf_summary{quantile=\"0.5\"}')\" = 1.5 ]"
	check "the same series stored either way" \
		"[ \"\$(q $pp_proto 'count({job=\"nodex\"})')\" = \"\$(q $pp_text 'count({job=\"nodex\"})')\" ]"
	grep -i 'level=\(error\|warn\)' "$tmp"/prom.*.log | grep -v 'TSDB\|lock\|memlock' | sed 's/^/   /' | head -5
fi

check "no sanitizer report in the nodex log" "! grep -q 'Sanitizer\|runtime error' '$tmp/nodex.log'"
echo "$fail failed"
[ "$fail" -eq 0 ]
