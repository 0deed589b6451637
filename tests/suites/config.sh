#!/bin/sh
# --config.file and --check-config with the real binary: the file sets flags, flags win over the file, a
# misspelt key is refused with its line and column, SIGHUP reloads, and a broken file on reload is logged
# while the previous configuration stays in force.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
tmp=$(mktemp -d)
trap 'stop_nodex; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc"
printf '0.5 0.25 0.125 1/100 42\n' >"$tmp/proc/loadavg"
printf 'MemTotal: 1000 kB\n' >"$tmp/proc/meminfo"

cat >"$tmp/good.yml" <<YAML
# nodex configuration
collector:
  disable-defaults: true
  loadavg:
    enabled: true
path:
  procfs: $tmp/proc
web:
  telemetry-path: /m
YAML
./nodex --config.file="$tmp/good.yml" --check-config >"$tmp/o" 2>&1
check "--check-config accepts a good file" "[ $? -eq 0 ] && grep -q 'configuration is valid' '$tmp/o'"

cat >"$tmp/bad.yml" <<YAML
collector:
  loadavg:
    enabeld: true
YAML
./nodex --config.file="$tmp/bad.yml" --check-config >"$tmp/o" 2>&1
rc=$?
check "a misspelt key is refused with its location" "[ $rc -ne 0 ] && grep -q 'bad.yml:3:5: unknown key collector.loadavg.enabeld' '$tmp/o'"
printf 'collector:\n  cpu:\n    info.flags-include: "(unclosed"\n' >"$tmp/badre.yml"
./nodex --config.file="$tmp/badre.yml" --check-config --collector.disable-defaults --collector.cpu >"$tmp/o" 2>&1
check "--check-config runs collector set-up (bad regex)" "[ $? -ne 0 ] && grep -qi 'regular expression' '$tmp/o'"
./nodex --config.file="$tmp/nonexistent.yml" --check-config >"$tmp/o" 2>&1
check "a missing file is an error" "[ $? -ne 0 ] && grep -q 'No such file' '$tmp/o'"

start_nodex "$tmp/log" --config.file="$tmp/good.yml" --web.telemetry-path=/metrics || exit 1
curl -s "$NODEX_URL/metrics" >"$tmp/s1"
check "file sets collectors and paths" "grep -qx 'node_load1 0.5' '$tmp/s1' && ! grep -q '^node_memory' '$tmp/s1'"
check "flags win over the file" "[ -s '$tmp/s1' ] && [ \$(curl -s -o /dev/null -w '%{http_code}' '$NODEX_URL/m') = 404 ]"

# Reload: enable meminfo.
cat >"$tmp/good.yml" <<YAML
collector:
  disable-defaults: true
  loadavg:
    enabled: true
  meminfo:
    enabled: true
path:
  procfs: $tmp/proc
YAML
kill -HUP "$NODEX_PID"
sleep 0.5
curl -s "$NODEX_URL/metrics" >"$tmp/s2"
check "SIGHUP reloads the file" "grep -q '^node_memory_MemTotal_bytes 1.024e+06' '$tmp/s2' && grep -q 'Configuration reloaded' '$tmp/log'"

# Broken reload: the old configuration stays.
printf 'collector:\n  meminfo:\n    enabled: perhaps\n' >"$tmp/good.yml"
kill -HUP "$NODEX_PID"
sleep 0.5
curl -s "$NODEX_URL/metrics" >"$tmp/s3"
check "broken reload is logged with its location" "grep -q 'good.yml:3:14' '$tmp/log'"
check "previous configuration stays in force" "grep -q '^node_memory_MemTotal_bytes' '$tmp/s3' && grep -qx 'node_load1 0.5' '$tmp/s3'"
stop_nodex
echo "$fail failed"
[ "$fail" -eq 0 ]
