#!/usr/bin/env node
// Validates nodex's Kubernetes deployment offline (tests/suites/deploy-manifests.sh):
//  1. renders deploy/kubernetes and deploy/kubernetes-standalone the way `kubectl apply -k` does
//     (resources, namespace, images, configMapGenerator, secretGenerator), and compares the result
//     with `kubectl kustomize` when kubectl is installed;
//  2. validates every object against the Kubernetes (kubernetes-models, k8s 1.33 OpenAPI) and
//     prometheus-operator (@kubernetes-models/prometheus-operator, v0.65.1 CRDs) schemas. Those
//     schemas allow unknown fields, which the API server would drop (or reject with strict field
//     validation), so each object is also validated through a Proxy that records which fields the
//     schema looked at: any field it never read is not in the schema and fails the test;
//  3. checks what the schemas cannot: the wiring between the objects (selectors, port names, job
//     label, release label), the DaemonSet's security and host mounts, the rules and dashboard
//     ConfigMap against their source files, and the kube-prometheus-stack values file.
// Exit status 0 when everything holds; every failure is printed.
'use strict';
const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const YAML = require('yaml');

const root = path.resolve(__dirname, '../..');
const rel = (p) => path.relative(root, p);
let failures = 0;
let checks = 0;
function check(cond, msg) {
	checks++;
	if (!cond) {
		failures++;
		console.log(`FAIL: ${msg}`);
	}
	return cond;
}
function readYamlDocs(file) {
	return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
		if (d.errors.length) throw new Error(`${rel(file)}: ${d.errors[0].message}`);
		return d.toJS();
	}).filter((d) => d !== null);
}
const clone = (x) => JSON.parse(JSON.stringify(x));
const isDeepEqual = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(x) {
	if (Array.isArray(x)) return x.map(sortKeys);
	if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])]));
	return x;
}

// ---------------------------------------------------------------- 1. kustomize, as far as we use it
const KUSTOMIZE_KEYS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'configMapGenerator', 'secretGenerator']);

function kustomize(dir) {
	const k = YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
	for (const key of Object.keys(k)) {
		check(KUSTOMIZE_KEYS.has(key), `${rel(dir)}/kustomization.yaml: key ${key} is not rendered by this test; teach it first`);
	}
	check(k.apiVersion === 'kustomize.config.k8s.io/v1beta1' && k.kind === 'Kustomization', `${rel(dir)}: not a Kustomization`);
	let objs = [];
	for (const r of k.resources || []) {
		const p = path.join(dir, r);
		if (fs.statSync(p).isDirectory()) objs.push(...kustomize(p));
		else objs.push(...readYamlDocs(p));
	}
	const gen = (g, kind) => {
		const o = g.options || {};
		check(o.disableNameSuffixHash === true, `${rel(dir)}: ${kind} ${g.name} must keep its name (disableNameSuffixHash): other objects name it`);
		const data = {};
		for (const f of g.files || []) {
			const [key, file] = f.includes('=') ? f.split('=') : [path.basename(f), f];
			data[key] = fs.readFileSync(path.join(dir, file), 'utf8');
		}
		const obj = { apiVersion: 'v1', kind, metadata: { name: g.name } };
		if (o.labels) obj.metadata.labels = { ...o.labels };
		if (kind === 'Secret') {
			obj.type = 'Opaque';
			obj.data = Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString('base64')]));
		} else obj.data = data;
		return obj;
	};
	for (const g of k.configMapGenerator || []) objs.push(gen(g, 'ConfigMap'));
	for (const g of k.secretGenerator || []) objs.push(gen(g, 'Secret'));
	if (k.namespace) for (const o of objs) o.metadata.namespace = k.namespace;
	for (const img of k.images || []) {
		for (const o of objs) {
			for (const c of (o.spec && o.spec.template && o.spec.template.spec && o.spec.template.spec.containers) || []) {
				if (c.image.split(':')[0] === img.name) c.image = `${img.newName || img.name}:${img.newTag}`;
			}
		}
	}
	return objs;
}

function kubectlKustomize(dir) {
	try {
		cp.execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
	} catch {
		return null;
	}
	const out = cp.execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
	const objs = YAML.parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
	// kustomize prints Secret data as line-wrapped base64.
	for (const o of objs) {
		if (o.kind === 'Secret') for (const k of Object.keys(o.data || {})) o.data[k] = o.data[k].replace(/\s+/g, '');
	}
	return objs;
}

const key = (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

// ---------------------------------------------------------------- 2. schemas, strict
const MODELS = {
	'apps/v1/DaemonSet': ['kubernetes-models/apps/v1/DaemonSet', 'DaemonSet', 'kubernetes-models/_schemas/IoK8sApiAppsV1DaemonSet.js'],
	'v1/Service': ['kubernetes-models/v1/Service', 'Service', 'kubernetes-models/_schemas/IoK8sApiCoreV1Service.js'],
	'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'ServiceAccount', 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount.js'],
	'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'ConfigMap', 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap.js'],
	'v1/Secret': ['kubernetes-models/v1/Secret', 'Secret', 'kubernetes-models/_schemas/IoK8sApiCoreV1Secret.js'],
	'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', 'ServiceMonitor',
		'@kubernetes-models/prometheus-operator/_schemas/MonitoringCoreosComV1ServiceMonitor.js'],
	'monitoring.coreos.com/v1/PrometheusRule': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', 'PrometheusRule',
		'@kubernetes-models/prometheus-operator/_schemas/MonitoringCoreosComV1PrometheusRule.js'],
};

// Validates data with the schema's compiled validator through Proxies and returns the paths of the
// object fields the validator never read.
function unreadFields(validateFn, data) {
	const read = new Map();
	// A Proxy per access would make identity checks fail; memoise per target.
	const proxies = new Map();
	const wrapMemo = (o) => {
		if (!o || typeof o !== 'object') return o;
		if (!proxies.has(o)) {
			const seen = new Set();
			read.set(o, seen);
			proxies.set(o, new Proxy(o, {
				get(t, p, r) {
					if (typeof p === 'string') seen.add(p);
					return wrapMemo(Reflect.get(t, p, r));
				},
			}));
		}
		return proxies.get(o);
	};
	validateFn(wrapMemo(data));
	const unread = [];
	const walk = (o, at) => {
		if (!o || typeof o !== 'object') return;
		const seen = read.get(o) || new Set();
		for (const k of Object.keys(o)) {
			// An unknown field is reported once, not with everything under it.
			if (!Array.isArray(o) && !seen.has(k)) unread.push(`${at}/${k}`);
			else walk(o[k], `${at}/${k}`);
		}
	};
	walk(data, '');
	return unread;
}

function validateSchema(obj, where) {
	const id = `${obj.apiVersion}/${obj.kind}`;
	const m = MODELS[id];
	if (!check(m, `${where}: no schema for ${id}`)) return;
	const Model = require(m[0])[m[1]];
	try {
		new Model(clone(obj)).validate();
	} catch (e) {
		check(false, `${where}: ${id} does not validate: ${e.message}`);
		return;
	}
	const fn = require(path.join(__dirname, 'node_modules', m[2])).validate;
	const unknown = unreadFields(fn, clone(obj));
	check(unknown.length === 0, `${where}: fields not in the ${id} schema: ${unknown.join(', ')}`);
}

// ---------------------------------------------------------------- 3. wiring and content
const matches = (selector, labels) => Object.entries(selector || {}).every(([k, v]) => labels && labels[k] === v);

function checkSet(objs, name, { nodeAlerts }) {
	const by = (kind) => objs.filter((o) => o.kind === kind);
	const one = (kind) => {
		const l = by(kind);
		check(l.length === 1, `${name}: expected one ${kind}, found ${l.length}`);
		return l[0] || {};
	};
	for (const o of objs) check(o.metadata.namespace === 'monitoring', `${name}: ${key(o)} is not in namespace monitoring`);
	const ds = one('DaemonSet');
	const svc = one('Service');
	const sm = one('ServiceMonitor');
	const sa = one('ServiceAccount');
	const pod = ds.spec.template.spec;
	const podLabels = ds.spec.template.metadata.labels;
	const c = pod.containers[0];

	// DaemonSet
	check(matches(ds.spec.selector.matchLabels, podLabels), `${name}: DaemonSet selector does not match its pod labels`);
	check(pod.hostPID === true && pod.hostNetwork === true, `${name}: DaemonSet needs hostPID and hostNetwork`);
	check(pod.serviceAccountName === sa.metadata.name, `${name}: DaemonSet runs as ServiceAccount ${pod.serviceAccountName}, which the set does not create`);
	check(pod.automountServiceAccountToken === false, `${name}: nodex needs no API token`);
	check((pod.tolerations || []).some((t) => t.operator === 'Exists' && !t.key && !t.effect), `${name}: DaemonSet must tolerate every taint (operator: Exists, no key, no effect)`);
	const psc = pod.securityContext || {};
	const csc = c.securityContext || {};
	check(psc.runAsNonRoot === true && (csc.runAsUser || psc.runAsUser) > 0, `${name}: nodex must run as a non-root uid`);
	check(csc.readOnlyRootFilesystem === true, `${name}: read-only root filesystem`);
	check(csc.allowPrivilegeEscalation === false && csc.privileged !== true, `${name}: no privilege escalation`);
	check(csc.capabilities && csc.capabilities.drop && csc.capabilities.drop.includes('ALL') && !(csc.capabilities.add || []).length,
		`${name}: all capabilities dropped, none added`);
	const vols = Object.fromEntries(pod.volumes.map((v) => [v.name, v]));
	const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m]));
	for (const [hostPath, mountPath, prop] of [['/proc', '/host/proc'], ['/sys', '/host/sys'], ['/', '/host/root', 'HostToContainer'],
		['/var/log/pods', '/var/log/pods'], ['/var/log/containers', '/var/log/containers']]) {
		const m = mounts[mountPath];
		if (!check(m, `${name}: no mount at ${mountPath}`)) continue;
		const v = vols[m.name];
		check(v && v.hostPath && v.hostPath.path === hostPath, `${name}: ${mountPath} must mount host ${hostPath}`);
		check(m.readOnly === true, `${name}: ${mountPath} must be read-only`);
		if (prop) check(m.mountPropagation === prop, `${name}: ${mountPath} needs mountPropagation ${prop}`);
	}
	check(Object.values(mounts).every((m) => m.readOnly === true), `${name}: every host mount must be read-only`);
	const args = c.args || [];
	const arg = (flag) => (args.find((a) => a.startsWith(`${flag}=`)) || '').slice(flag.length + 1);
	check(arg('--path.procfs') === '/host/proc' && arg('--path.sysfs') === '/host/sys' && arg('--path.rootfs') === '/host/root'
		&& arg('--path.udev.data') === '/host/root/run/udev/data', `${name}: path flags must match the mounts, as the node exporter chart sets them`);
	const mpe = arg('--collector.filesystem.mount-points-exclude');
	for (const part of ['dev', 'proc', 'sys', 'run/containerd/.+', 'run/k3s/containerd/.+', 'var/lib/docker/.+', 'var/lib/kubelet/.+']) {
		check(mpe.startsWith('^/(') && mpe.endsWith(')($|/)') && mpe.slice(3, -6).split('|').includes(part),
			`${name}: mount-points-exclude must exclude ${part}`);
	}
	check(new RegExp(mpe).test('/run/k3s/containerd/io.containerd.grpc.v1.cri/sandboxes/0123/shm') && !new RegExp(mpe).test('/run/k3s'),
		`${name}: mount-points-exclude must drop k3s's sandbox shm mounts and nothing above them`);
	const fte = arg('--collector.filesystem.fs-types-exclude');
	for (const t of ['overlay', 'tmpfs']) {
		// tmpfs is deliberately NOT excluded (kube-prometheus-stack keeps it); overlay is.
		check(new RegExp(fte).test(t) === (t === 'overlay'), `${name}: fs-types-exclude ${t === 'overlay' ? 'must' : 'must not'} exclude ${t}`);
	}
	const envNames = new Set((c.env || []).map((e) => e.name));
	for (const a of args) {
		for (const m of a.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
			check(envNames.has(m[1]), `${name}: argument ${a} uses $(${m[1]}), which the container's env does not define`);
		}
	}
	const listen = arg('--web.listen-address');
	const port = (c.ports || []).find((p) => p.name === 'http-metrics');
	check(port && port.containerPort === 9100 && listen.endsWith(':9100'), `${name}: nodex listens on 9100 (port http-metrics)`);
	for (const probe of ['livenessProbe', 'readinessProbe']) {
		const p = c[probe];
		check(p && p.httpGet && (p.httpGet.port === 'http-metrics' || p.httpGet.port === 9100), `${name}: ${probe} must probe nodex's port over HTTP`);
	}
	const r = c.resources || {};
	check(r.requests && r.requests.cpu && r.requests.memory && r.limits && r.limits.memory, `${name}: resource requests and a memory limit are required`);
	const version = fs.readFileSync(path.join(root, 'VERSION'), 'utf8').trim();
	check(c.image.endsWith(`:${version}`), `${name}: image ${c.image} is not tagged with VERSION ${version}`);

	// Service, ServiceMonitor
	check(matches(svc.spec.selector, podLabels), `${name}: Service selector does not match the nodex pods`);
	const sport = svc.spec.ports.find((p) => p.name === 'http-metrics');
	check(sport && (sport.targetPort === 'http-metrics' || sport.targetPort === 9100), `${name}: Service port http-metrics must target nodex's port`);
	check(sm.metadata.labels && sm.metadata.labels.release === 'prometheus', `${name}: ServiceMonitor needs release: prometheus`);
	check(matches(sm.spec.selector.matchLabels, svc.metadata.labels), `${name}: ServiceMonitor selector does not match the Service`);
	check(svc.metadata.labels[sm.spec.jobLabel] === 'node-exporter', `${name}: job label must come out as node-exporter (Service label ${sm.spec.jobLabel})`);
	const ep = sm.spec.endpoints;
	check(ep.length === 1 && ep[0].port === 'http-metrics' && ep[0].honorLabels === true, `${name}: one endpoint on port http-metrics with honorLabels`);
	for (const target of ['instance', 'node']) {
		check((ep[0].relabelings || []).some((x) => x.targetLabel === target && (x.sourceLabels || []).join() === '__meta_kubernetes_pod_node_name'
			&& (x.action || 'replace') === 'replace'), `${name}: ServiceMonitor must set ${target} from the node name`);
	}

	// PrometheusRules = the rule files
	const rules = by('PrometheusRule');
	for (const pr of rules) check(pr.metadata.labels && pr.metadata.labels.release === 'prometheus', `${name}: PrometheusRule ${pr.metadata.name} needs release: prometheus`);
	const groups = (f) => YAML.parse(fs.readFileSync(path.join(root, 'deploy/prometheus/rules', f), 'utf8')).groups;
	const want = [...groups('phoenix.rules.yml'), ...groups('nodex.rules.yml'), ...(nodeAlerts ? groups('node-exporter.rules.yml') : [])];
	const got = rules.flatMap((pr) => pr.spec.groups);
	check(isDeepEqual(got, want), `${name}: PrometheusRule groups differ from deploy/prometheus/rules (run deploy/sync-rules.sh)`);
	const alerts = got.flatMap((g) => g.rules.map((x) => x.alert));
	for (const a of ['PhoenixDown', 'PhoenixHighCPU', 'PhoenixHighMemory', 'PhoenixAuthFailures', 'CrashApp', 'NodexDown']) {
		check(alerts.includes(a), `${name}: alert ${a} missing`);
	}
	check(alerts.includes('NodeFilesystemAlmostOutOfSpace') === nodeAlerts, `${name}: node alerts ${nodeAlerts ? 'missing' : 'must not be loaded beside kube-prometheus-stack\'s'}`);

	// Dashboard and Alertmanager configuration
	const cm = one('ConfigMap');
	check(cm.metadata.labels && cm.metadata.labels.grafana_dashboard === '1', `${name}: dashboard ConfigMap needs grafana_dashboard: "1"`);
	const dashFile = Object.keys(cm.data || {})[0] || '';
	let dash = {};
	try {
		dash = JSON.parse(cm.data[dashFile]);
	} catch (e) {
		check(false, `${name}: dashboard ${dashFile} is not JSON: ${e.message}`);
	}
	check(dashFile.endsWith('.json') && dash.uid && dash.title, `${name}: dashboard needs a .json key, a uid and a title`);
	const ids = [];
	const walk = (ps) => (ps || []).forEach((p) => { ids.push(p.id); walk(p.panels); });
	walk(dash.panels);
	check(ids.length > 0 && new Set(ids).size === ids.length, `${name}: dashboard panel ids must be unique`);
	const titles = JSON.stringify((dash.panels || []).map((p) => p.title));
	for (const t of ['Phoenix status', 'Phoenix CPU', 'CPU', 'Memory', 'Disk', 'Network', 'Container CPU', 'Container memory', 'Container CPU throttling', 'Pod OOM kills']) {
		check(titles.includes(t), `${name}: dashboard has no "${t}" panel`);
	}
	const sec = one('Secret');
	const amFile = path.join(root, 'deploy/kubernetes/alertmanager/alertmanager.yaml');
	check(sec.data && Buffer.from(sec.data['alertmanager.yaml'] || '', 'base64').toString() === fs.readFileSync(amFile, 'utf8'),
		`${name}: Secret ${sec.metadata.name} must hold alertmanager.yaml = ${rel(amFile)}`);
	return { sec, cm, am: YAML.parse(fs.readFileSync(amFile, 'utf8')) };
}

function checkValues(file, wired) {
	const v = YAML.parse(fs.readFileSync(file, 'utf8'));
	const at = (p) => p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), v);
	check(at('nodeExporter.enabled') === false, 'values: the chart\'s node exporter must be disabled (nodeExporter.enabled: false)');
	check(at('nodeExporter.forceDeployDashboards') === true, 'values: keep the node dashboards (nodeExporter.forceDeployDashboards: true)');
	check(at('alertmanager.alertmanagerSpec.useExistingSecret') === true
		&& at('alertmanager.alertmanagerSpec.configSecret') === wired.sec.metadata.name, 'values: Alertmanager must use the Secret the kustomization creates');
	const pwFile = wired.am.global.smtp_auth_password_file || '';
	const m = /^\/etc\/alertmanager\/secrets\/([^/]+)\/[^/]+$/.exec(pwFile);
	check(m && (at('alertmanager.alertmanagerSpec.secrets') || []).includes(m[1]),
		`values: smtp_auth_password_file ${pwFile} must be in a Secret listed in alertmanager.alertmanagerSpec.secrets`);
	check(at('grafana.sidecar.dashboards.label') === 'grafana_dashboard' && at('grafana.sidecar.dashboards.labelValue') === '1'
		&& wired.cm.metadata.labels.grafana_dashboard === '1', 'values: Grafana\'s sidecar must look for the dashboard\'s label');
	check(at('prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues') !== false
		&& at('prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues') !== false, 'values: Prometheus must select by release: prometheus');
}

// ---------------------------------------------------------------- main
let wired = null;
for (const [dir, nodeAlerts] of [['deploy/kubernetes', false], ['deploy/kubernetes-standalone', true]]) {
	const abs = path.join(root, dir);
	const objs = kustomize(abs);
	const theirs = kubectlKustomize(abs);
	if (theirs) {
		const a = Object.fromEntries(objs.map((o) => [key(o), o]));
		const b = Object.fromEntries(theirs.map((o) => [key(o), o]));
		check(isDeepEqual(Object.keys(a).sort(), Object.keys(b).sort()), `${dir}: kubectl kustomize renders ${Object.keys(b).sort()}, this test ${Object.keys(a).sort()}`);
		for (const k of Object.keys(a)) if (b[k]) check(isDeepEqual(a[k], b[k]), `${dir}: ${k} differs between kubectl kustomize and this test's rendering`);
		console.log(`${dir}: kubectl kustomize agrees (${theirs.length} objects)`);
	} else {
		console.log(`${dir}: kubectl not installed, rendered by this test only`);
	}
	for (const o of objs) validateSchema(o, `${dir}: ${key(o)}`);
	console.log(`${dir}: ${objs.length} objects: ${objs.map((o) => o.kind).join(', ')}`);
	const w = checkSet(objs, dir, { nodeAlerts });
	if (!wired) wired = w;
}
checkValues(path.join(root, 'deploy/kubernetes/kube-prometheus-stack-values.yaml'), wired);

// Self-check of the strict schema validation: a misspelt field must be caught.
{
	const ds = kustomize(path.join(root, 'deploy/kubernetes')).find((o) => o.kind === 'DaemonSet');
	ds.spec.template.spec.containers[0].securityContex = { runAsUser: 0 };
	const sm = kustomize(path.join(root, 'deploy/kubernetes')).find((o) => o.kind === 'ServiceMonitor');
	sm.spec.endpoints[0].honorLabel = true;
	const before = failures;
	const f1 = unreadFields(require(path.join(__dirname, 'node_modules', MODELS['apps/v1/DaemonSet'][2])).validate, ds);
	const f2 = unreadFields(require(path.join(__dirname, 'node_modules', MODELS['monitoring.coreos.com/v1/ServiceMonitor'][2])).validate, sm);
	check(f1.join() === '/spec/template/spec/containers/0/securityContex' && f2.join() === '/spec/endpoints/0/honorLabel',
		`self-check: misspelt fields not detected (${f1}; ${f2})`);
	if (failures === before) console.log('self-check: misspelt DaemonSet and ServiceMonitor fields are detected');
}

console.log(`${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
