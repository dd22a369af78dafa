// Table rows as upstream's printers print them for `kubectl get` (wide cells included, as the
// server always sends them): columns and cells of deployments, services, nodes, pods and others.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/api/resource.js";
import { builtinResources } from "../../../src/api/resources/index.js";
import { NOW, ago, fixture } from "./fixtures.js";

function printer(kind: string, group = "", version?: string) {
  const def = builtinResources().find((d) => d.kind === kind && d.group === group && (!version || d.version === version));
  assert.ok(def?.table, kind);
  return def.table;
}

function header(kind: string, group = "", version?: string): string {
  return printer(kind, group, version).columns.map((c) => (c.priority ? `(${c.name})` : c.name).toUpperCase()).join(" ");
}

function row(kind: string, obj: KubeObject, group = "", version?: string): unknown[] {
  return printer(kind, group, version).cells(obj, NOW);
}

test("every printer starts with the name column and has one cell per column", () => {
  for (const def of builtinResources()) {
    if (!def.table) continue;
    const first = def.table.columns.find((c) => c.format === "name");
    assert.ok(first, `${def.kind} has a name column`);
    assert.equal(first.type, "string");
    const cells = def.table.cells({ metadata: { name: "x", creationTimestamp: ago(5) } }, NOW);
    assert.equal(cells.length, def.table.columns.length, `${def.group}/${def.version} ${def.kind}`);
  }
});

test("column headers are upstream's", () => {
  const cases: [string, string, string][] = [
    ["Pod", "", "NAME READY STATUS RESTARTS AGE (IP) (NODE) (NOMINATED NODE) (READINESS GATES)"],
    ["Deployment", "apps", "NAME READY UP-TO-DATE AVAILABLE AGE (CONTAINERS) (IMAGES) (SELECTOR)"],
    ["ReplicaSet", "apps", "NAME DESIRED CURRENT READY AGE (CONTAINERS) (IMAGES) (SELECTOR)"],
    ["StatefulSet", "apps", "NAME READY AGE (CONTAINERS) (IMAGES)"],
    ["DaemonSet", "apps", "NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE (CONTAINERS) (IMAGES) (SELECTOR)"],
    ["Service", "", "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (SELECTOR)"],
    ["Node", "", "NAME STATUS ROLES AGE VERSION (INTERNAL-IP) (EXTERNAL-IP) (OS-IMAGE) (KERNEL-VERSION) (CONTAINER-RUNTIME)"],
    ["Namespace", "", "NAME STATUS AGE"],
    ["ConfigMap", "", "NAME DATA AGE"],
    ["Secret", "", "NAME TYPE DATA AGE"],
    ["Job", "batch", "NAME STATUS COMPLETIONS DURATION AGE (CONTAINERS) (IMAGES) (SELECTOR)"],
    ["CronJob", "batch", "NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (CONTAINERS) (IMAGES) (SELECTOR)"],
    ["Event", "", "LAST SEEN TYPE REASON OBJECT (SUBOBJECT) (SOURCE) MESSAGE (FIRST SEEN) (COUNT) (NAME)"],
    ["PersistentVolumeClaim", "", "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE (VOLUMEMODE)"],
    ["RoleBinding", "rbac.authorization.k8s.io", "NAME ROLE AGE (USERS) (GROUPS) (SERVICEACCOUNTS)"],
  ];
  for (const [kind, group, expected] of cases) assert.equal(header(kind, group), expected, kind);
  assert.equal(header("HorizontalPodAutoscaler", "autoscaling", "v2"), "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE");
});

test("a deployment row shows ready/desired, up-to-date, available, age and its template", () => {
  const deployment = { ...fixture("deployment.yaml"), status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  deployment.metadata = { ...deployment.metadata, creationTimestamp: ago(2 * 86400 + 5 * 3600) };
  assert.deepEqual(row("Deployment", deployment, "apps"), ["api-server", "2/3", 3, 2, "2d5h", "api-server", "myregistry/api-server:v1.2.3", "app=api-server"]);
});

test("service rows show cluster IPs, external addresses and ports as kubectl does", () => {
  const base = { metadata: { name: "web", creationTimestamp: ago(42) } };
  const cases: [string, Record<string, unknown>, unknown[]][] = [
    ["cluster ip", { spec: { type: "ClusterIP", clusterIPs: ["10.43.0.10"], ports: [{ port: 80, protocol: "TCP" }], selector: { app: "web" } } },
      ["web", "ClusterIP", "10.43.0.10", "<none>", "80/TCP", "42s", "app=web"]],
    ["node port", { spec: { type: "NodePort", clusterIPs: ["10.43.0.11"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }, { port: 53, protocol: "UDP" }] } },
      ["web", "NodePort", "10.43.0.11", "<none>", "80:30080/TCP,53/UDP", "42s", "<none>"]],
    ["pending load balancer", { spec: { type: "LoadBalancer", clusterIPs: ["10.43.0.12"], ports: [{ port: 443, nodePort: 31443, protocol: "TCP" }] } },
      ["web", "LoadBalancer", "10.43.0.12", "<pending>", "443:31443/TCP", "42s", "<none>"]],
    ["load balancer", { spec: { type: "LoadBalancer", clusterIPs: ["10.43.0.12"], ports: [] }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.2" }, { hostname: "lb.example" }] } } },
      ["web", "LoadBalancer", "10.43.0.12", "192.0.2.2,lb.example", "<none>", "42s", "<none>"]],
    ["external name", { spec: { type: "ExternalName", externalName: "db.example.com" } }, ["web", "ExternalName", "<none>", "db.example.com", "<none>", "42s", "<none>"]],
    ["headless", { spec: { type: "ClusterIP", clusterIPs: ["None"], ports: [{ port: 5432, protocol: "TCP" }] } }, ["web", "ClusterIP", "None", "<none>", "5432/TCP", "42s", "<none>"]],
  ];
  for (const [name, obj, expected] of cases) assert.deepEqual(row("Service", { ...base, ...obj }), expected, name);
});

test("node rows show readiness, cordoning, roles and system info", () => {
  const node: KubeObject = {
    metadata: { name: "n1", creationTimestamp: ago(3600 * 30), labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "etcd", "node-role.kubernetes.io/": "" } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: "MemoryPressure", status: "False" }, { type: "Ready", status: "True" }],
      addresses: [{ type: "InternalIP", address: "192.168.1.5" }, { type: "Hostname", address: "n1" }],
      nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0", containerRuntimeVersion: "kubelite://0.1.0" },
    },
  };
  assert.deepEqual(row("Node", node), ["n1", "Ready,SchedulingDisabled", "control-plane,etcd", "30h", "v1.32.0", "192.168.1.5", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0", "kubelite://0.1.0"]);
  assert.deepEqual(row("Node", { metadata: { name: "n2" }, status: { conditions: [{ type: "Ready", status: "Unknown" }] } }).slice(0, 3), ["n2", "NotReady", "<none>"]);
  assert.equal(row("Node", { metadata: { name: "n3" } })[1], "Unknown");
});

test("a pod row shows readiness, status, restarts, age and wide placement", () => {
  const pod: KubeObject = {
    metadata: { name: "web-1", creationTimestamp: ago(90) },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "x" }], readinessGates: [{ conditionType: "example.com/lb" }] },
    status: { phase: "Running", podIPs: [{ ip: "10.42.0.7" }], conditions: [{ type: "example.com/lb", status: "True" }], containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: {} } }] },
  };
  assert.deepEqual(row("Pod", pod), ["web-1", "1/1", "Running", "0", "90s", "10.42.0.7", "n1", "<none>", "1/1"]);
});

test("jobs, cronjobs, events, HPAs and quotas print as upstream", () => {
  const job = { metadata: { name: "pi", creationTimestamp: ago(300) }, spec: { completions: 3, template: { spec: { containers: [{ name: "pi", image: "perl:5" }] } } }, status: { succeeded: 3, startTime: ago(200), completionTime: ago(20), conditions: [{ type: "Complete", status: "True" }] } };
  assert.deepEqual(row("Job", job, "batch").slice(0, 5), ["pi", "Complete", "3/3", "3m", "5m"]);
  const cron = { metadata: { name: "tick", creationTimestamp: ago(60) }, spec: { schedule: "*/5 * * * *", suspend: false }, status: { active: [{}], lastScheduleTime: ago(30) } };
  assert.deepEqual(row("CronJob", cron, "batch").slice(0, 7), ["tick", "*/5 * * * *", "<none>", "False", 1, "30s", "60s"]);
  const event = { metadata: { name: "web.1" }, type: "Warning", reason: "BackOff", message: "Back-off restarting failed container\n", involvedObject: { kind: "Pod", name: "web" }, firstTimestamp: ago(600), lastTimestamp: ago(5), count: 7, source: { component: "kubelet", host: "n1" } };
  assert.deepEqual(row("Event", event), ["5s", "Warning", "BackOff", "pod/web", "", "kubelet, n1", "Back-off restarting failed container", "10m", 7, "web.1"]);
  const hpa = { ...fixture("hpa.yaml"), status: { currentReplicas: 3, currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 45 } } }] } };
  hpa.metadata = { ...hpa.metadata, creationTimestamp: ago(10) };
  assert.deepEqual(row("HorizontalPodAutoscaler", hpa, "autoscaling", "v2"), ["api-server-hpa", "Deployment/api-server", "cpu: 45%/70%, <unknown>/500", "3", 20, 3, "10s"]);
  const quota = { metadata: { name: "q", creationTimestamp: ago(1) }, status: { hard: { pods: "10", "limits.cpu": "4", "requests.cpu": "2" }, used: { pods: "3", "requests.cpu": "500m" } } };
  assert.deepEqual(row("ResourceQuota", quota), ["q", "pods: 3/10, requests.cpu: 500m/2", "limits.cpu: 0/4", "1s"]);
});
