#!/usr/bin/env node
// Rule-file helpers for the deploy test suites (tests/suites/deploy-*.sh). Each subcommand reads
// shipped files and writes a derived file for one test; nothing here is shipped.
//
//   strip-annotations IN OUT
//       The rule file IN without annotations (promtool unit tests then compare labels only).
//   test-copy OUT FOR RULEFILE:ALERT... 
//       A rule file with one group "e2e-shortened" holding copies of the named alerts with `for:`
//       set to FOR. Used by the end-to-end test, which cannot wait 15 minutes; the shipped files are
//       loaded unchanged beside it.
//   dashboard-rules DASHBOARD.json OUT
//       Every PromQL expression of a Grafana dashboard (panel targets and label_values() variable
//       queries), with Grafana's variables replaced by plain values, as recording rules, so that
//       `promtool check rules OUT` parses each one. Prints the number of expressions.
//   dashboard-exprs DASHBOARD.json
//       The same expressions (Grafana's variables replaced), one JSON object {where, expr} per line.
//   metrics FILE...
//       Every metric an expression of the rule files and dashboards FILE... selects, one line each:
//       "<metric> <job or -> <where>", where job is the selector's job="..." matcher ("-" for none,
//       and for a bare metric name).
'use strict';
const fs = require('fs');
const YAML = require('yaml');

function die(msg) {
	process.stderr.write(`rules-tool: ${msg}\n`);
	process.exit(2);
}

function readYaml(path) {
	return YAML.parse(fs.readFileSync(path, 'utf8'));
}

function writeYaml(path, doc) {
	fs.writeFileSync(path, YAML.stringify(doc, { lineWidth: 0 }));
}

function stripAnnotations(inPath, outPath) {
	const doc = readYaml(inPath);
	for (const g of doc.groups) for (const r of g.rules) delete r.annotations;
	writeYaml(outPath, doc);
}

function testCopy(outPath, forValue, specs) {
	const rules = [];
	for (const spec of specs) {
		const i = spec.lastIndexOf(':');
		if (i < 0) die(`expected RULEFILE:ALERT, got ${spec}`);
		const [file, alert] = [spec.slice(0, i), spec.slice(i + 1)];
		const found = readYaml(file).groups.flatMap((g) => g.rules).filter((r) => r.alert === alert);
		if (found.length === 0) die(`no alert ${alert} in ${file}`);
		for (const r of found) rules.push({ ...r, for: forValue });
	}
	writeYaml(outPath, { groups: [{ name: 'e2e-shortened', rules }] });
}

// Grafana variables in the dashboard, replaced by values that keep the query valid PromQL.
const GRAFANA_VARS = [
	[/\$__rate_interval|\$\{__rate_interval\}/g, '5m'],
	[/\$__interval|\$\{__interval\}/g, '1m'],
	[/\$__range|\$\{__range\}/g, '1h'],
	[/\$\{?(instance|namespace|pod|container|node)(:[a-z]+)?\}?/g, '.+'],
];

function substitute(expr) {
	let e = expr;
	for (const [re, v] of GRAFANA_VARS) e = e.replace(re, v);
	if (/\$/.test(e)) die(`unknown Grafana variable left in: ${e}`);
	return e;
}

function dashboardExprs(dashPath) {
	const dash = JSON.parse(fs.readFileSync(dashPath, 'utf8'));
	const exprs = [];
	const walk = (panels) => {
		for (const p of panels || []) {
			for (const t of p.targets || []) {
				if (typeof t.expr !== 'string' || t.expr.trim() === '') die(`panel "${p.title}" has a target without expr`);
				exprs.push({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr });
			}
			walk(p.panels);
		}
	};
	walk(dash.panels);
	for (const v of (dash.templating && dash.templating.list) || []) {
		if (v.type !== 'query') continue;
		const q = typeof v.query === 'string' ? v.query : v.query && v.query.query;
		const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec((q || '').trim());
		if (!m) die(`variable ${v.name}: only label_values(selector, label) queries are expected, got ${q}`);
		exprs.push({ where: `variable ${v.name}`, expr: m[1] });
	}
	return exprs.map((e) => ({ where: e.where, expr: substitute(e.expr) }));
}

function dashboardRules(dashPath, outPath) {
	const exprs = dashboardExprs(dashPath);
	const rules = exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: e.expr, labels: { where: e.where } }));
	writeYaml(outPath, { groups: [{ name: 'dashboard-expressions', rules }] });
	process.stdout.write(`${rules.length}\n`);
}

// The metrics a PromQL expression selects: each name{matchers} or bare name, with its job="..."
// matcher. Strings, durations, grouping label lists, keywords and function names are not metrics.
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left',
	'group_right', 'inf', 'nan', 'Inf', 'NaN']);
function selectedMetrics(expr) {
	const out = [];
	let e = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (m) => `"${out.push(m) - 1}"`);
	const strings = out.splice(0);
	const unquote = (m) => JSON.parse(strings[Number(m.slice(1, -1))].replace(/^'|'$/g, '"'));
	e = e.replace(/\[[^\]]*\]/g, ' ');
	e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
	const found = [];
	const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\}|\()?/g;
	let m;
	while ((m = re.exec(e)) !== null) {
		const [, name, tail, matchers] = m;
		if (tail && tail.startsWith('(')) continue; // a function
		if (/^[0-9]/.test(name) || PROMQL_WORDS.has(name)) continue;
		const job = /(?:^|,)\s*job\s*=\s*("\d+")/.exec(matchers || '');
		found.push({ name, job: job ? unquote(job[1]) : '-' });
	}
	return found;
}

function metrics(files) {
	for (const f of files) {
		let exprs;
		if (f.endsWith('.json')) exprs = dashboardExprs(f);
		else exprs = readYaml(f).groups.flatMap((g) => g.rules.map((r) => ({ where: `${g.name}/${r.alert || r.record}`, expr: r.expr })));
		for (const { where, expr } of exprs) {
			let found;
			try {
				found = selectedMetrics(expr);
			} catch (err) {
				die(`${f}: ${where}: ${err.message}`);
			}
			for (const x of found) process.stdout.write(`${x.name} ${x.job} ${f}:${where.replace(/\s+/g, '_')}\n`);
		}
	}
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
	case 'strip-annotations':
		if (args.length !== 2) die('usage: strip-annotations IN OUT');
		stripAnnotations(args[0], args[1]);
		break;
	case 'test-copy':
		if (args.length < 3) die('usage: test-copy OUT FOR RULEFILE:ALERT...');
		testCopy(args[0], args[1], args.slice(2));
		break;
	case 'dashboard-exprs':
		if (args.length !== 1) die('usage: dashboard-exprs DASHBOARD.json');
		for (const e of dashboardExprs(args[0])) process.stdout.write(`${JSON.stringify(e)}\n`);
		break;
	case 'metrics':
		if (args.length < 1) die('usage: metrics FILE...');
		metrics(args);
		break;
	case 'dashboard-rules':
		if (args.length !== 2) die('usage: dashboard-rules DASHBOARD.json OUT');
		dashboardRules(args[0], args[1]);
		break;
	default:
		die(`unknown command ${cmd}`);
}
