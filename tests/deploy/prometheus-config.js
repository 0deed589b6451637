#!/usr/bin/env node
// Writes the Prometheus configuration of a deploy test from the shipped bare-host configuration
// (deploy/prometheus/prometheus.yml): same jobs, relabelling and rule files, with the targets on
// loopback, 1s intervals, and no Alertmanager (nothing may leave the machine).
//
//   prometheus-config.js e2e OUT RULE_GLOB... -- NODEX PHOENIX PROMETHEUS K8S_NODEX KUBELET
//       The shipped jobs (node-exporter -> NODEX, phoenix -> PHOENIX, prometheus -> PROMETHEUS),
//       plus two jobs shaped as kube-prometheus-stack's operator generates them for nodex's
//       ServiceMonitor (honor_labels, job from the Service's jobLabel, the target's namespace/pod/
//       container/service/endpoint labels, instance and node from the node name) and for the
//       kubelet's cAdvisor endpoint (job="kubelet", metrics_path="/metrics/cadvisor").
//   prometheus-config.js fleet OUT RULE_GLOB... -- PROMETHEUS NODEX...
//       The node-exporter job with one target per nodex, each with its own instance name.
'use strict';
const fs = require('fs');
const YAML = require('yaml');
const path = require('path');

const [mode, out, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const rules = rest.slice(0, sep);
const addrs = rest.slice(sep + 1);
const shipped = YAML.parse(fs.readFileSync(path.resolve(__dirname, '../../deploy/prometheus/prometheus.yml'), 'utf8'));
const job = (name) => {
	const j = shipped.scrape_configs.find((s) => s.job_name === name);
	if (!j) throw new Error(`shipped config has no job ${name}`);
	return JSON.parse(JSON.stringify(j));
};

const cfg = {
	global: { ...shipped.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
	rule_files: rules,
	scrape_configs: [],
};

if (mode === 'e2e') {
	const [nodex, phoenix, prom, k8s, kubelet] = addrs;
	const ne = job('node-exporter');
	ne.static_configs = [{ targets: [nodex], labels: { instance: 'e2e-host' } }];
	const ph = job('phoenix');
	ph.scrape_interval = '1s';
	ph.static_configs = [{ targets: [phoenix] }];
	const pr = job('prometheus');
	pr.static_configs = [{ targets: [prom] }];
	const set = (target_label, replacement) => ({ target_label, replacement });
	cfg.scrape_configs.push(ne, ph, pr, {
		job_name: 'serviceMonitor/monitoring/nodex/0',
		honor_labels: true,
		static_configs: [{ targets: [k8s] }],
		relabel_configs: [set('job', 'node-exporter'), set('namespace', 'monitoring'), set('pod', 'nodex-abcde'), set('container', 'nodex'),
			set('service', 'nodex'), set('endpoint', 'http-metrics'), set('instance', 'node1'), set('node', 'node1')],
	}, {
		job_name: 'serviceMonitor/monitoring/prometheus-kube-prometheus-kubelet/1',
		honor_labels: true,
		static_configs: [{ targets: [kubelet] }],
		relabel_configs: [set('job', 'kubelet'), set('metrics_path', '/metrics/cadvisor'), set('instance', '10.0.0.1:10250'), set('node', 'node1'),
			set('service', 'prometheus-kube-prometheus-kubelet'), set('endpoint', 'https-metrics')],
	});
} else if (mode === 'fleet') {
	const [prom, ...nodexes] = addrs;
	const ne = job('node-exporter');
	ne.static_configs = nodexes.map((a, i) => ({ targets: [a], labels: { instance: `host${String(i + 1).padStart(3, '0')}` } }));
	const pr = job('prometheus');
	pr.static_configs = [{ targets: [prom] }];
	cfg.scrape_configs.push(ne, pr);
} else {
	throw new Error(`unknown mode ${mode}`);
}
fs.writeFileSync(out, YAML.stringify(cfg, { lineWidth: 0 }));
