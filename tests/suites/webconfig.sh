#!/bin/sh
# --web.config.file against real peers: certificates made with openssl, curl and openssl s_client as
# clients, and the Debian node_exporter 1.5.0 as a second server fed the very same files. For each file
# of the matrix below both servers answer the same requests and must agree (TLS versions, cipher suites,
# curves, every client_auth_type, basic auth, headers). Then what only nodex does (rate_limit,
# client_allowed_sans, reload on SIGHUP and on change, certificate rotation, start-up errors) and two
# figures: the time of a wrong password for a known vs an unknown user, and the TLS handshake time. A real
# Prometheus scrapes nodex over TLS with basic auth and a client certificate.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

NE=/usr/bin/prometheus-node-exporter
for tool in openssl curl; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is missing (make test-deps)"; exit 1; }
done

tmp=$(mktemp -d)
trap 'stop_pids; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"
base="--collector.disable-defaults --collector.loadavg --path.procfs=$tmp/proc"

# ---- certificates: a CA, a server and a client it signed, a self-signed "rogue" client ----
cd "$tmp" || exit 1
gen() { openssl "$@" >/dev/null 2>&1 || { echo "FAIL: openssl $*"; exit 1; }; }
gen req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca
sign() { # name subject extensions
	gen req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
	printf '%s\n' "$3" >"$1.ext"
	gen x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out "$1.crt" -extfile "$1.ext"
}
sign server /CN=server "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
sign rotated /CN=rotated "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
sign client /CN=client "subjectAltName=DNS:client.example,email:ops@client.example
extendedKeyUsage=clientAuth"
gen req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key -out rogue.crt -days 2 \
	-subj /CN=rogue -addext "subjectAltName=DNS:client.example"
# An RSA server certificate whose key usage is only "critical, keyEncipherment", as older CA templates
# issue them: TLS needs digitalSignature to sign the handshake, but Go never checks its own certificate.
gen req -newkey rsa:2048 -nodes -keyout ke.key -out ke.csr -subj /CN=ke
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=serverAuth\n' >ke.ext
gen x509 -req -in ke.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out ke.crt -extfile ke.ext
cd - >/dev/null || exit 1

# bcrypt (libxcrypt, cost 10) of "secret" and "newpass".
SECRET='$2b$10$4dH7VQUDu8yONJWtYh9bg.iPA4RdIZ.KILUg5N9G/0Jfq.75hv1FC'
NEWPASS='$2b$10$a9xF2f6Uo/IL3A9IzwKwQeJds7emOCaiOQyarDMSsBcbHw5JYKy4y'

TLS="tls_server_config:
  cert_file: server.crt
  key_file: server.key"
# HTTP/1.1 for the comparisons: nodex serves nothing else, and node_exporter's HTTP/2 has rules of its
# own (see "differences" below).
CURL="curl -s -o /dev/null --max-time 5 --http1.1 --cacert $tmp/ca.crt"
CLIENT="--cert $tmp/client.crt --key $tmp/client.key"
ROGUE="--cert $tmp/rogue.crt --key $tmp/rogue.key"

# wait_listen PORT PID: until the port accepts connections (any TLS outcome) or the process died.
wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$2" 2>/dev/null || return 1
		curl -sk -o /dev/null --max-time 1 "https://127.0.0.1:$1/"
		[ $? -ne 7 ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# serve nodex|ne CONFIG LOG: starts a server on a free port; sets PORT and PID. Returns 1 when it did
# not come up (the log says why).
serve() {
	PORT=$(free_port)
	if [ "$1" = nodex ]; then
		"$NODEX" --web.listen-address="127.0.0.1:$PORT" --web.config.file="$2" $base >>"$3" 2>&1 &
	else
		"$NE" --web.listen-address="127.0.0.1:$PORT" --web.config.file="$2" $base >"$3" 2>&1 &
	fi
	PID=$!
	PIDS="$PIDS $PID"
	wait_listen "$PORT" "$PID"
}

stop() {
	kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
}

# probe PORT ARGS...: the HTTP status of one request to /metrics, or "fail" when there was none (TLS
# refused). probe_path PORT PATH ARGS... for another path.
probe_path() {
	_port=$1
	_path=$2
	shift 2
	_code=$(eval "$CURL -w '%{http_code}' $* https://127.0.0.1:$_port$_path")
	[ "$_code" = 000 ] && _code=fail
	echo "$_code"
}
probe() {
	_p=$1
	shift
	probe_path "$_p" /metrics "$@"
}

# ---- the matrix: one file, requests, and what both servers must answer ----
# Each request line: label|path|curl arguments|expected[|what node_exporter 1.5.0 answers when it differs]
matrix() {
	name=$1
	cfg=$2
	requests=$3
	printf '%s\n' "$cfg" >"$tmp/web.yml"
	if ! serve nodex "$tmp/web.yml" "$tmp/nodex.log"; then
		bad "$name: nodex did not start: $(tail -1 "$tmp/nodex.log")"
		return
	fi
	np=$PORT npid=$PID
	ne_up=yes
	if ! serve ne "$tmp/web.yml" "$tmp/ne.log"; then
		ne_up=no
		bad "$name: node_exporter 1.5.0 did not start: $(tail -1 "$tmp/ne.log")"
	fi
	ep=$PORT epid=$PID
	printf '%s\n' "$requests" >"$tmp/requests"
	while IFS='|' read -r label path args want want_ne; do
		[ -z "$label" ] && continue
		got=$(probe_path "$np" "$path" "$args")
		[ "$got" = "$want" ] && ok "$name: $label -> $got" || bad "$name: $label: nodex answered $got, want $want"
		if [ $ne_up = yes ]; then
			got_ne=$(probe_path "$ep" "$path" "$args")
			if [ -n "$want_ne" ]; then
				[ "$got_ne" = "$want_ne" ] && ok "$name: $label: node_exporter 1.5.0 answers $got_ne (known difference)" ||
					bad "$name: $label: node_exporter 1.5.0 answered $got_ne, want $want_ne"
			else
				[ "$got_ne" = "$got" ] && ok "$name: $label: node_exporter 1.5.0 agrees" ||
					bad "$name: $label: node_exporter 1.5.0 answered $got_ne, nodex $got"
			fi
		fi
	done <"$tmp/requests"
	stop "$npid"
	stop "$epid"
}

BASIC="$TLS
http_server_config:
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=60
basic_auth_users:
  alice: $SECRET
  bob: '$NEWPASS'"
matrix "basic auth" "$BASIC" "right password|/metrics|-u alice:secret|200
second user|/metrics|-u bob:newpass|200
wrong password|/metrics|-u alice:wrong|401
unknown user|/metrics|-u mallory:secret|401
no credentials|/metrics||401
empty password|/metrics|-u alice:|401
bearer token|/metrics|-H 'Authorization: Bearer x'|401
landing page needs auth too|/|-u alice:wrong|401
landing page|/|-u alice:secret|200
404 after auth (1.5.0 serves its landing page on every path; 1.12 answers 404)|/nope|-u alice:secret|404|200
404 needs auth first|/nope||401"

matrix "RequireAndVerifyClientCert" "$TLS
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt" "no client certificate|/metrics||fail
certificate from the CA|/metrics|$CLIENT|200
self-signed certificate|/metrics|$ROGUE|fail
TLS 1.2, certificate from the CA|/metrics|--tls-max 1.2 $CLIENT|200
TLS 1.2, self-signed|/metrics|--tls-max 1.2 $ROGUE|fail"

matrix "RequireAnyClientCert" "$TLS
  client_auth_type: RequireAnyClientCert" "no client certificate|/metrics||fail
self-signed certificate|/metrics|$ROGUE|200
TLS 1.2, no certificate|/metrics|--tls-max 1.2|fail"

matrix "VerifyClientCertIfGiven" "$TLS
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: ca.crt" "no client certificate|/metrics||200
certificate from the CA|/metrics|$CLIENT|200
self-signed certificate|/metrics|$ROGUE|fail"

matrix "RequestClientCert" "$TLS
  client_auth_type: RequestClientCert" "no client certificate|/metrics||200
self-signed certificate|/metrics|$ROGUE|200"

matrix "RequireAndVerifyClientCert without a CA (system roots)" "$TLS
  client_auth_type: RequireAndVerifyClientCert" "certificate from a private CA|/metrics|$CLIENT|fail"

matrix "default versions" "$TLS" "TLS 1.3|/metrics|--tlsv1.3|200
TLS 1.2|/metrics|--tlsv1.2 --tls-max 1.2|200
TLS 1.1 refused|/metrics|--tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0|fail
TLS 1.0 refused|/metrics|--tlsv1.0 --tls-max 1.0 --ciphers DEFAULT@SECLEVEL=0|fail"

matrix "min_version TLS13" "$TLS
  min_version: TLS13" "TLS 1.3|/metrics|--tlsv1.3|200
TLS 1.2 refused|/metrics|--tls-max 1.2|fail"

matrix "min_version TLS10, max_version TLS12" "$TLS
  min_version: TLS10
  max_version: TLS12" "TLS 1.0|/metrics|--tlsv1.0 --tls-max 1.0 --ciphers DEFAULT@SECLEVEL=0|200
TLS 1.1|/metrics|--tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0|200
TLS 1.2|/metrics|--tls-max 1.2|200
TLS 1.3 only refused|/metrics|--tlsv1.3|fail"

# http2: false, or node_exporter refuses to start (Go's HTTP/2 wants an AES-128-GCM suite; see below).
matrix "cipher_suites" "$TLS
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]
http_server_config:
  http2: false" "listed suite|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384|200
other suite refused|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256|fail
ChaCha20 refused|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-CHACHA20-POLY1305|fail
TLS 1.3 is not restricted|/metrics|--tlsv1.3|200"

# Key exchanges x ciphers x MACs make more suites than listed: the handshake check refuses the extra ones.
matrix "cipher_suites beyond GnuTLS priorities" "$TLS
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]" \
	"first listed|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256|200
second listed|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-SHA|200
combination not listed|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA|fail
TLS 1.3 cipher in TLS 1.2 refused|/metrics|--tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384|fail"

matrix "curve_preferences" "$TLS
  curve_preferences: [CurveP384]" "listed curve|/metrics|--curves P-384|200
X25519 refused|/metrics|--curves X25519|fail
TLS 1.2, listed curve (P-256 still named for the certificate)|/metrics|--tls-max 1.2 --curves P-384:P-256|200
TLS 1.2, only P-256 refused|/metrics|--tls-max 1.2 --curves P-256|fail"

# A keyEncipherment-only certificate: node_exporter serves it, and so must nodex (GnuTLS refused every
# handshake with it until told to ignore its own certificate's key usage, as Go does).
matrix "certificate with key usage keyEncipherment only" "tls_server_config:
  cert_file: ke.crt
  key_file: ke.key" "TLS 1.3|/metrics||200
TLS 1.2|/metrics|--tls-max 1.2|200"
printf 'tls_server_config:\n  cert_file: ke.crt\n  key_file: ke.key\n' >"$tmp/ke.yml"
serve nodex "$tmp/ke.yml" "$tmp/ke.log" || bad "nodex (keyEncipherment) did not start"
for v in -tls1_3 -tls1_2; do
	echo | openssl s_client -connect "127.0.0.1:$PORT" $v -CAfile "$tmp/ca.crt" -verify_return_error >"$tmp/s_client" 2>&1
	check "openssl s_client $v completes a verified handshake with the keyEncipherment-only certificate" \
		"grep -q 'Verify return code: 0 (ok)' '$tmp/s_client' && grep -q 'Cipher is [A-Z]' '$tmp/s_client'"
done
check "the missing digitalSignature is logged at start" \
	"grep -q \"level=info msg=\\\"The certificate's key usage lacks digitalSignature; it is served all the same, as node_exporter serves it\\\" cert=$tmp/ke.crt key_usage=keyEncipherment\" '$tmp/ke.log'"
check "no handshake failure logged for them" "! grep -q 'TLS handshake failed' '$tmp/ke.log'"
stop $PID

# prefer_server_cipher_suites. true (the default): the order of cipher_suites wins; false: the client's
# order wins, as exporter-toolkit documents it. Go 1.17 and later ignore both the flag and the order
# (node_exporter 1.5.0 picks AES-128-GCM first either way); its answers are shown, not compared.
for pref in true false; do
	printf '%s\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n  prefer_server_cipher_suites: %s\nhttp_server_config:\n  http2: false\n' \
		"$TLS" "$pref" >"$tmp/pref.yml"
	serve nodex "$tmp/pref.yml" "$tmp/pref.log" || bad "nodex (prefer $pref) did not start"
	np=$PORT npid=$PID
	serve ne "$tmp/pref.yml" "$tmp/ne.log" || bad "node_exporter (prefer $pref) did not start"
	ep=$PORT epid=$PID
	for client in AES128 AES256; do
		if [ $client = AES128 ]; then
			order=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384
		else
			order=ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256
		fi
		got=$(echo | openssl s_client -connect "127.0.0.1:$np" -tls1_2 -cipher "$order" 2>/dev/null | sed -n 's/.*Cipher is //p' | head -1)
		got_ne=$(echo | openssl s_client -connect "127.0.0.1:$ep" -tls1_2 -cipher "$order" 2>/dev/null | sed -n 's/.*Cipher is //p' | head -1)
		if [ $pref = true ]; then want=ECDHE-ECDSA-AES256-GCM-SHA384; else want=${order%%:*}; fi
		check "prefer_server_cipher_suites $pref, client prefers $client: $got (node_exporter 1.5.0: $got_ne)" "[ '$got' = '$want' ]"
	done
	stop "$npid"
	stop "$epid"
done

# Failed handshakes are logged at warn level with the peer's address, one line per 10 s at most, the
# next line counting those left out. (Before, a port whose handshakes all failed logged nothing.)
printf '%s\n' "$TLS" >"$tmp/hs.yml"
serve nodex "$tmp/hs.yml" "$tmp/hs.log" || bad "nodex (handshake log) did not start"
hp=$PORT hpid=$PID
sleep 0.2
: >"$tmp/hs.log"
curl -s -o /dev/null --max-time 5 "https://127.0.0.1:$hp/metrics"                 # does not trust the CA
curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$hp/metrics"                  # plain HTTP
curl -s -o /dev/null --max-time 5 --cacert "$tmp/ca.crt" --tlsv1.1 --tls-max 1.1 \
	--ciphers DEFAULT@SECLEVEL=0 "https://127.0.0.1:$hp/metrics"                # no common version
for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$hp/"; done
sleep 0.3
check "a failed handshake is logged at warn level with the peer's address and why" \
	"grep -q 'level=warn msg=\"TLS handshake failed\" peer=127.0.0.1:[0-9][0-9]* err=\"the client ended the handshake after the server.s certificate (does it trust it?)\"' '$tmp/hs.log'"
check "10 failures in a second: one line" "[ \$(grep -c 'TLS handshake failed' '$tmp/hs.log') = 1 ]"
check "good handshakes are not logged" "[ \$(probe $hp) = 200 ] && [ \$(grep -c 'TLS handshake' '$tmp/hs.log') = 1 ]"
sleep 10
curl -s -o /dev/null --max-time 5 --cacert "$tmp/ca.crt" --tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0 "https://127.0.0.1:$hp/metrics"
sleep 0.3
check "10 s later the next one is logged, counting the 9 left out" \
	"grep -q 'level=warn msg=\"TLS handshake failed\" peer=127.0.0.1:[0-9]* err=\"nothing acceptable in the client.s ClientHello.*\" failures_not_logged_since_last=9' '$tmp/hs.log'"
grep 'TLS handshake' "$tmp/hs.log" | sed 's/^/   log: /'
stop "$hpid"

# ---- plain HTTP on the TLS port; headers; http2 ----
printf '%s\n' "$BASIC" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/nodex.log" || bad "nodex did not start"
np=$PORT npid=$PID
serve ne "$tmp/web.yml" "$tmp/ne.log" || bad "node_exporter did not start"
ep=$PORT epid=$PID
code=$(curl -s -o "$tmp/plain.nodex" --max-time 5 -w '%{http_code}' "http://127.0.0.1:$np/metrics")
code_ne=$(curl -s -o "$tmp/plain.ne" --max-time 5 -w '%{http_code}' "http://127.0.0.1:$ep/metrics")
check "plain HTTP on the TLS port gets node_exporter's 400 and text" \
	"[ '$code' = 400 ] && [ '$code_ne' = 400 ] && cmp -s '$tmp/plain.nodex' '$tmp/plain.ne'"
echo "   plain HTTP on the TLS port: nodex $code, node_exporter 1.5.0 $code_ne: $(cat "$tmp/plain.ne")"
$CURL -D "$tmp/h200" -u alice:secret "https://127.0.0.1:$np/metrics"
$CURL -D "$tmp/h401" -u alice:nope "https://127.0.0.1:$np/metrics"
check "200 carries the configured headers" "grep -qi '^X-Frame-Options: deny' '$tmp/h200' && grep -qi '^Strict-Transport-Security: max-age=60' '$tmp/h200'"
check "401 carries them and WWW-Authenticate: Basic" "grep -qi '^X-Frame-Options: deny' '$tmp/h401' && grep -qi '^WWW-Authenticate: Basic' '$tmp/h401'"
check "metrics behind auth" "curl -s --cacert '$tmp/ca.crt' -u alice:secret https://127.0.0.1:$np/metrics | grep -qx 'node_load1 0.5'"
check "log says TLS is enabled" "grep -q 'msg=\"TLS is enabled.\"' '$tmp/nodex.log'"

# ---- figures: wrong password for a known vs an unknown user; the TLS handshake ----
avg() { awk '{ s += $1; n++ } END { printf "%.1f", s / n * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) * 1000 }'; }
for i in $(seq 1 24); do
	$CURL -w '%{time_appconnect} %{time_connect}\n' "https://127.0.0.1:$np/" >>"$tmp/hs_nodex"
	$CURL -w '%{time_appconnect} %{time_connect}\n' "https://127.0.0.1:$ep/" >>"$tmp/hs_ne"
done
# A new wrong password each time: both servers cache the answer to one they have checked before.
for i in 1 2 3 4 5 6 7 8; do
	$CURL -w '%{time_total}\n' -u "alice:wrong$i" "https://127.0.0.1:$np/metrics" >>"$tmp/t_known"
	$CURL -w '%{time_total}\n' -u "mallory:wrong$i" "https://127.0.0.1:$np/metrics" >>"$tmp/t_unknown"
	$CURL -w '%{time_total}\n' -u alice:secret "https://127.0.0.1:$np/metrics" >>"$tmp/t_cached"
	$CURL -w '%{time_total}\n' -u "alice:wrong$i" "https://127.0.0.1:$ep/metrics" >>"$tmp/t_known_ne"
	$CURL -w '%{time_total}\n' -u "mallory:wrong$i" "https://127.0.0.1:$ep/metrics" >>"$tmp/t_unknown_ne"
done
$CURL -w '%{time_total}\n' -u alice:wrong1 "https://127.0.0.1:$np/metrics" >"$tmp/t_wrong_cached"
known=$(avg <"$tmp/t_known")
unknown=$(avg <"$tmp/t_unknown")
cached=$(avg <"$tmp/t_cached")
hs=$(awk '{ print $1 - $2 }' "$tmp/hs_nodex" | median)
hs_ne=$(awk '{ print $1 - $2 }' "$tmp/hs_ne" | median)
echo "FIGURE: nodex, wrong password (bcrypt cost 10): known user ${known} ms, unknown user ${unknown} ms; cached good password ${cached} ms"
echo "FIGURE: node_exporter 1.5.0, wrong password: known user $(avg <"$tmp/t_known_ne") ms, unknown user $(avg <"$tmp/t_unknown_ne") ms"
echo "FIGURE: TLS 1.3 handshake (ECDSA P-256, curl, median of 24): nodex ${hs} ms, node_exporter 1.5.0 ${hs_ne} ms"
check "unknown and known users cost about the same" "awk 'BEGIN { r = $unknown / $known; exit !(r > 0.7 && r < 1.4) }'"
check "a cached good password skips bcrypt" "awk 'BEGIN { exit !($cached < $known / 2) }'"
wrong_cached=$(avg <"$tmp/t_wrong_cached")
echo "FIGURE: nodex, a wrong password sent before (cached): ${wrong_cached} ms"
check "so does a wrong password checked before" "awk 'BEGIN { exit !($wrong_cached < $known / 2) }'"
stop "$npid"
stop "$epid"

# ---- a real Prometheus scrapes nodex over TLS with basic auth and a client certificate ----
if command -v prometheus >/dev/null; then
	printf '%s\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\nbasic_auth_users:\n  alice: %s\n' \
		"$TLS" "$SECRET" >"$tmp/web.yml"
	serve nodex "$tmp/web.yml" "$tmp/nodex.log" || bad "nodex (prometheus) did not start"
	np=$PORT npid=$PID
	pp=$(free_port)
	tls="tls_config: { ca_file: $tmp/ca.crt, cert_file: $tmp/client.crt, key_file: $tmp/client.key }"
	{
		echo "global: { scrape_interval: 1s, scrape_timeout: 1s }"
		echo "scrape_configs:"
		for job in nodex:secret wrong:nope; do
			echo "  - job_name: ${job%%:*}"
			echo "    scheme: https"
			echo "    basic_auth: { username: alice, password: ${job#*:} }"
			echo "    $tls"
			echo "    static_configs: [ { targets: [\"127.0.0.1:$np\"] } ]"
		done
	} >"$tmp/prom.yml"
	prometheus --config.file="$tmp/prom.yml" --storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$pp" \
		>"$tmp/prom.out" 2>&1 &
	ppid=$!
	PIDS="$PIDS $ppid"
	i=0
	while [ $i -lt 80 ]; do
		curl -s "http://127.0.0.1:$pp/api/v1/query?query=up" >"$tmp/up.json" 2>/dev/null
		grep -q '"job":"wrong"' "$tmp/up.json" && grep -q '"job":"nodex"' "$tmp/up.json" && break
		sleep 0.25
		i=$((i + 1))
	done
	check "Prometheus 2.42 scrapes nodex over TLS with basic auth and a client certificate: up 1" \
		"grep -q '\"job\":\"nodex\"},\"value\":\[[0-9.]*,\"1\"\]' '$tmp/up.json'"
	check "Prometheus with a wrong password: up 0" "grep -q '\"job\":\"wrong\"},\"value\":\[[0-9.]*,\"0\"\]' '$tmp/up.json'"
	curl -s "http://127.0.0.1:$pp/api/v1/query?query=node_load1" >"$tmp/load.json"
	check "Prometheus stored node_load1 from the TLS scrape" "grep -q '\"0.5\"' '$tmp/load.json'"
	stop $ppid
	stop "$npid"
fi

# ---- differences that come from node_exporter's HTTP/2 (nodex serves HTTP/1.1 only) ----
# curl offers h2 by ALPN: node_exporter then applies HTTP/2's rules (TLS 1.2 or newer, no CBC suites) and
# drops the connection; nodex answers in HTTP/1.1.
printf '%s\n  min_version: TLS10\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]\n' "$TLS" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/nodex.log" || bad "nodex (h2) did not start"
np=$PORT npid=$PID
serve ne "$tmp/web.yml" "$tmp/ne.log" || bad "node_exporter (h2) did not start"
ep=$PORT epid=$PID
H2="curl -s -o /dev/null --max-time 5 --cacert $tmp/ca.crt -w %{http_code}"
for c in "--tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-SHA" "--tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0"; do
	a=$($H2 $c "https://127.0.0.1:$np/metrics")
	b=$($H2 $c "https://127.0.0.1:$ep/metrics")
	check "HTTP/2-capable client, $c: nodex 200 (node_exporter 1.5.0: $b)" "[ $a = 200 ]"
done
stop "$npid"
stop "$epid"
printf '%s\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n' "$TLS" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/nodex.log" && ok "cipher list without AES-128-GCM, http2 on: nodex starts" || bad "nodex refused a cipher list"
stop $PID
# node_exporter listens before it fails: give it time to die.
serve ne "$tmp/web.yml" "$tmp/ne.log"
sleep 0.5
if kill -0 $PID 2>/dev/null; then
	echo "   node_exporter 1.5.0 started"
else
	echo "   node_exporter 1.5.0 refuses it: $(grep -o 'err=.*' "$tmp/ne.log" | head -1)"
fi
stop $PID

# ---- nodex only: rate_limit (exporter-toolkit 0.17; node_exporter 1.5.0 refuses the key) ----
printf 'rate_limit:\n  interval: 1h\n  burst: 2\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n' >"$tmp/rl.yml"
start_nodex "$tmp/rl.log" --web.config.file="$tmp/rl.yml" $base || bad "rate-limited nodex did not start"
PIDS="$PIDS $NODEX_PID"
c1=$(curl -s -o /dev/null -w '%{http_code}' "$NODEX_URL/metrics")
c2=$(curl -s -o /dev/null -w '%{http_code}' "$NODEX_URL/metrics")
curl -s -D "$tmp/h429" -o "$tmp/b429" "$NODEX_URL/metrics"
check "rate_limit: burst of 2 (one spent on start-up), then 429" "[ $c1 = 200 ] && [ $c2 = 429 ] && head -1 '$tmp/h429' | grep -q ' 429 ' && grep -qx 'Too Many Requests' '$tmp/b429'"
check "429 is answered before the extra headers, as exporter-toolkit does" "! grep -qi '^X-Frame-Options' '$tmp/h429'"
stop_nodex
"$NE" --web.config.file="$tmp/rl.yml" --web.listen-address=127.0.0.1:0 $base >"$tmp/ne_rl.log" 2>&1 &
p=$!
PIDS="$PIDS $p"
sleep 0.5
echo "   node_exporter 1.5.0 on rate_limit: $(grep -o 'err=.*' "$tmp/ne_rl.log" | head -1)"
stop $p

# ---- nodex only: client_allowed_sans (node_exporter 1.5.0 predates it) ----
printf '%s\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [ops@client.example]\n' "$TLS" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/nodex.log" || bad "nodex (SANs) did not start"
check "client_allowed_sans: allowed e-mail SAN" "[ \$(probe $PORT '$CLIENT') = 200 ]"
stop $PID
printf '%s\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [other.example]\n' "$TLS" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/nodex.log" || bad "nodex (SANs) did not start"
check "client_allowed_sans: no allowed SAN, refused" "[ \$(probe $PORT '$CLIENT') = fail ]"
stop $PID
printf '%s\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n  client_allowed_sans: [client.example]\n' "$TLS" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/nodex.log" || bad "nodex (SANs) did not start"
check "client_allowed_sans with an optional certificate: none given, refused" "[ \$(probe $PORT) = fail ]"
check "client_allowed_sans with an optional certificate: allowed DNS SAN" "[ \$(probe $PORT '$CLIENT') = 200 ]"
stop $PID

# ---- reload: SIGHUP, a change on disk, a broken file, a rotated certificate ----
printf '%s\nbasic_auth_users:\n  alice: %s\n' "$TLS" "$SECRET" >"$tmp/web.yml"
serve nodex "$tmp/web.yml" "$tmp/reload.log" || bad "nodex (reload) did not start"
rp=$PORT rpid=$PID
check "before reload: old password" "[ \$(probe $rp -u alice:secret) = 200 ]"
printf '%s\nbasic_auth_users:\n  alice: %s\n' "$TLS" "$NEWPASS" >"$tmp/web.yml"
kill -HUP $rpid
sleep 0.2
check "SIGHUP: the new password works" "[ \$(probe $rp -u alice:newpass) = 200 ]"
check "SIGHUP: the old password is refused" "[ \$(probe $rp -u alice:secret) = 401 ]"
printf '%s\nbasic_auth_users:\n  alice: %s\n' "$TLS" "$SECRET" >"$tmp/web.yml"
sleep 1.1
check "changed on disk: picked up without a signal" "[ \$(probe $rp -u alice:secret) = 200 ]"
printf '%s\nbasic_auth_users:\n  alice: %s\n  bob: \$2b\$10\$short\n' "$TLS" "$NEWPASS" >"$tmp/web.yml"
kill -HUP $rpid
sleep 0.2
check "broken file: the old configuration stays" "[ \$(probe $rp -u alice:secret) = 200 ] && [ \$(probe $rp -u alice:newpass) = 401 ]"
check "broken file: logged with key, line and column" "grep -q 'level=error msg=\"Unable to reload the web configuration; the previous one stays in force\" err=\".*web.yml: line 6, column 8: basic_auth_users.bob: not a bcrypt hash' '$tmp/reload.log'"
printf '%s\n  cert_fil: x\nbasic_auth_users:\n  alice: %s\n' "$TLS" "$NEWPASS" >"$tmp/web.yml"
sleep 1.1
probe $rp -u alice:secret >/dev/null
sleep 1.1
probe $rp -u alice:secret >/dev/null
check "broken on disk: logged once" "[ \$(grep -c 'unknown key \\\\\"cert_fil\\\\\"' '$tmp/reload.log') = 1 ] && grep -q 'line 4, column 3: tls_server_config: unknown key' '$tmp/reload.log'"
check "broken on disk: still served" "[ \$(probe $rp -u alice:secret) = 200 ]"
printf '%s\nbasic_auth_users:\n  alice: %s\n' "$TLS" "$SECRET" >"$tmp/web.yml"
subject() { echo | openssl s_client -connect "127.0.0.1:$1" -CAfile "$tmp/ca.crt" 2>/dev/null | openssl x509 -noout -subject 2>/dev/null; }
check "certificate before rotation" "subject $rp | grep -q 'CN = server'"
cp "$tmp/rotated.crt" "$tmp/server.crt.new" && cp "$tmp/rotated.key" "$tmp/server.key.new"
mv "$tmp/server.key.new" "$tmp/server.key" && mv "$tmp/server.crt.new" "$tmp/server.crt"
sleep 1.1
check "rotated certificate served to new connections" "subject $rp | grep -q 'CN = rotated'"
check "and requests still answered" "[ \$(probe $rp -u alice:secret) = 200 ]"
grep -E 'level=(error|warn)' "$tmp/reload.log" | sed 's/^/   log: /'
stop $rpid

# ---- start-up errors: exit status 1 and the key, line and column ----
printf 'tls_server_config:\n  cert_file: server.crt\n  key_fil: server.key\n' >"$tmp/bad.yml"
"$NODEX" --web.listen-address=127.0.0.1:0 --web.config.file="$tmp/bad.yml" $base >"$tmp/bad.log" 2>&1
st=$?
check "broken file at start-up: exit 1" "[ $st = 1 ]"
check "broken file at start-up: key, line and column" "grep -q 'bad.yml: line 3, column 3: tls_server_config: unknown key' '$tmp/bad.log'"
"$NODEX" --web.listen-address=127.0.0.1:0 --web.config.file="$tmp/nonexistent.yml" $base >"$tmp/bad.log" 2>&1
check "missing file at start-up: exit 1" "[ $? = 1 ] && grep -q 'nonexistent.yml: No such file' '$tmp/bad.log'"
printf 'tls_server_config:\n  cert_file: nonexistent.crt\n  key_file: server.key\n' >"$tmp/bad.yml"
"$NODEX" --web.listen-address=127.0.0.1:0 --web.config.file="$tmp/bad.yml" $base >"$tmp/bad.log" 2>&1
check "unreadable certificate at start-up: exit 1" "[ $? = 1 ] && grep -q 'line 2, column 3: tls_server_config.cert_file: failed to read cert_file' '$tmp/bad.log'"
printf 'http_server_config:\n  http2: true\n' >"$tmp/h2.yml"
start_nodex "$tmp/h2.log" --web.config.file="$tmp/h2.yml" $base || bad "nodex (http2) did not start"
PIDS="$PIDS $NODEX_PID"
check "http2 accepted, logged as ignored" "grep -q 'http2 is ignored' '$tmp/h2.log'"
stop_nodex

# Under ASan/UBSan (NODEX=build-sanitize/nodex), every run must have been clean, exits included.
check "no sanitizer report in any nodex log" "! grep -l 'Sanitizer\|runtime error' '$tmp'/*.log"

echo "$fail failed"
[ "$fail" -eq 0 ]
