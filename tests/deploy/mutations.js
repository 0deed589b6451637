#!/usr/bin/env node
// Mutation check of the Phoenix/nodex rule tests: the promtool unit tests must FAIL on each of these
// broken variants of the shipped rules, otherwise they do not guard what they claim to. The first
// variants are the Phoenix alerts as the issue states them (what the operators ran); the others undo
// one real-data fix each.
//
//   node mutations.js WORKDIR
// writes WORKDIR/<n>/{phoenix.rules.yml,nodex.rules.yml,phoenix.test.yml} for each mutation and
// prints "<n> <name>" lines; tests/suites/deploy-rules.sh runs promtool on each directory.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '../..');
const rulesDir = path.join(root, 'deploy/prometheus/rules');
const testFile = path.join(__dirname, 'rules/phoenix.test.yml');

// Each mutation: a name and a function (files) -> void that edits the rule texts in place.
function setExpr(files, file, alert, expr) {
	const doc = YAML.parseDocument(files[file]);
	let hit = 0;
	for (const g of doc.get('groups').items) {
		for (const r of g.get('rules').items) {
			if (r.get('alert') === alert) {
				r.set('expr', expr);
				hit++;
			}
		}
	}
	if (hit === 0) throw new Error(`no alert ${alert} in ${file}`);
	files[file] = doc.toString({ lineWidth: 0 });
}

function replaceAll(files, file, re, to) {
	const before = files[file];
	files[file] = before.replace(re, to);
	if (files[file] === before) throw new Error(`mutation pattern ${re} matched nothing in ${file}`);
}

const P = 'phoenix.rules.yml';
const N = 'nodex.rules.yml';
const mutations = [
	['issue PhoenixDown: up == 0 only (silent without targets)', (f) => setExpr(f, P, 'PhoenixDown', 'up{job="phoenix"} == 0')],
	['issue PhoenixHighCPU: per-series rate > 0.8', (f) => setExpr(f, P, 'PhoenixHighCPU', 'rate(container_cpu_usage_seconds_total{namespace="phoenix"}[5m]) > 0.8')],
	['issue PhoenixHighMemory: per-series ratio > 0.9', (f) => setExpr(f, P, 'PhoenixHighMemory',
		'container_memory_working_set_bytes{namespace="phoenix"} / container_spec_memory_limit_bytes{namespace="phoenix"} > 0.9')],
	['issue PhoenixAuthFailures: per-pod rate over 1m', (f) => setExpr(f, P, 'PhoenixAuthFailures', 'rate(phoenix_auth_failures_total[1m]) > 5')],
	['issue CrashApp: increase() > 2', (f) => setExpr(f, P, 'CrashApp', 'increase(kube_pod_container_status_restarts_total[5m]) > 2')],
	['NodexDown: up == 0 only', (f) => setExpr(f, N, 'NodexDown', 'up{job="node-exporter"} == 0')],
	['pause container and pod cgroup not excluded', (f) => replaceAll(f, P, /container!="", container!="POD", /g, '')],
	['limit 0 (unlimited) kept in the memory ratio', (f) => replaceAll(f, P, /(container_spec_memory_limit_bytes\{[^}]*\}) > 0/g, '$1')],
	['kubelet cAdvisor series counted beside nodex', (f) => replaceAll(f, P, /job="node-exporter", /g, '')],
	['CPU threshold applied per branch (limit ignored when above 1 CPU)', (f) => replaceAll(f, P, /\n(\s*)or on \(namespace, pod, container\)\n/, '\n$1> 0.8 or on (namespace, pod, container)\n')],
	['CPU quota not parenthesised (quota > 0 / period)', (f) => replaceAll(f, P, /\(\s*(container_spec_cpu_quota\{[^}]*\}) > 0\)\s*\/\s*\(\s*(container_spec_cpu_period\{[^}]*\}) > 0\)/, '$1 > 0 / $2')],
	['CrashApp summed over kube-state-metrics replicas', (f) => replaceAll(f, P, /max by \(namespace, pod, container\) \(\n(\s*)max_over_time/, 'sum by (namespace, pod, container) (\n$1max_over_time')],
	['auth failures not summed over pods', (f) => replaceAll(f, P, /sum by \(namespace, job\) \(\n\s*(rate\(phoenix_auth_failures_total\{job="phoenix"\}\[2m\]\))\n\s*\)/, '$1')],
];

const work = process.argv[2];
if (!work) {
	process.stderr.write('usage: mutations.js WORKDIR\n');
	process.exit(2);
}
const testDoc = YAML.parse(fs.readFileSync(testFile, 'utf8'));
testDoc.rule_files = [P, N];
const testText = YAML.stringify(testDoc, { lineWidth: 0 });
mutations.forEach(([name, apply], i) => {
	const files = { [P]: fs.readFileSync(path.join(rulesDir, P), 'utf8'), [N]: fs.readFileSync(path.join(rulesDir, N), 'utf8') };
	apply(files);
	const dir = path.join(work, String(i));
	fs.mkdirSync(dir, { recursive: true });
	for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
	fs.writeFileSync(path.join(dir, 'phoenix.test.yml'), testText);
	process.stdout.write(`${i} ${name}\n`);
});
