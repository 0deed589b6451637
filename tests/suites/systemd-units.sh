#!/bin/sh
# The shipped systemd units: they verify, the service's exposure score is <= 2.0, `make install` puts
# every file where the units expect it, and the man page renders.
set -u
cd "$(dirname "$0")/../.." || exit 1
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s install DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "make install"; }
for f in usr/bin/nodex usr/share/man/man8/nodex.8 lib/systemd/system/nodex.service \
	lib/systemd/system/nodex.socket etc/nodex/nodex.yml; do
	[ -e "$tmp/root/$f" ] && ok "installed $f" || bad "missing $f"
done
grep -q '^ExecStart=/usr/bin/nodex --config.file=/etc/nodex/nodex.yml' "$tmp/root/lib/systemd/system/nodex.service" &&
	ok "ExecStart follows PREFIX" || bad "ExecStart not rewritten"

# systemd-analyze verify checks the ExecStart binary exists: point a copy at the built one.
mkdir -p "$tmp/units"
sed "s#/usr/local/bin/nodex#$(pwd)/nodex#g" systemd/nodex.service >"$tmp/units/nodex.service"
cp systemd/nodex.socket "$tmp/units/"
if systemd-analyze verify --man=no "$tmp/units/nodex.service" "$tmp/units/nodex.socket" >"$tmp/verify" 2>&1 &&
	! grep -v 'Failed to put bus name\|Failed to connect to bus' "$tmp/verify" | grep -q .; then
	ok "systemd-analyze verify"
else
	cat "$tmp/verify"
	bad "systemd-analyze verify"
fi
score=$(systemd-analyze security --offline=yes "$tmp/units/nodex.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for nodex.service: \([0-9.]*\).*/\1/p')
echo "exposure score: $score"
awk "BEGIN{exit !(\"$score\" != \"\" && $score <= 2.0)}" && ok "exposure score <= 2.0" || bad "exposure score $score"

if MANWIDTH=80 man -l systemd/nodex.8 >"$tmp/man.txt" 2>"$tmp/man.err" && grep -q 'CONFIGURATION FILE' "$tmp/man.txt" &&
	! grep -q 'warning' "$tmp/man.err"; then
	ok "man page renders"
else
	cat "$tmp/man.err"
	bad "man page"
fi
./nodex --check-config --config.file=systemd/nodex.yml >"$tmp/check" 2>&1 && ok "shipped nodex.yml is valid" ||
	{ cat "$tmp/check"; bad "shipped nodex.yml"; }
echo "$fail failed"
[ "$fail" -eq 0 ]
