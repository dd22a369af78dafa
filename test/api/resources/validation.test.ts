// Validation messages as upstream words them (kubectl prints them after `is invalid:`).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject, ValidationContext } from "../../../src/api/resource.js";
import { builtinResources } from "../../../src/api/resources/index.js";
import { fieldErrorMessage, invalidObject } from "../../../src/api/validation/field-errors.js";
import { fixture } from "./fixtures.js";

function definition(kind: string, group: string) {
  const def = builtinResources().find((d) => d.kind === kind && d.group === group);
  assert.ok(def, `${group}/${kind}`);
  return def;
}

/** Defaults then validates, as the API server does; returns the messages. */
function messages(kind: string, group: string, obj: KubeObject, context: ValidationContext = {}): string[] {
  const def = definition(kind, group);
  const copy = structuredClone(obj);
  def.defaults?.(copy);
  return (def.validate?.(copy, context) ?? []).map(fieldErrorMessage);
}

interface FixtureContainer {
  name: string;
  image?: string;
  ports?: { containerPort: number }[];
  resources?: { requests: Record<string, string>; limits: Record<string, string> };
}

/** The shape of the article's deployment, for tests that break one field of it. */
interface DeploymentFixture extends KubeObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    strategy?: unknown;
    template: { metadata: { labels: Record<string, string> }; spec: { restartPolicy?: string; containers: FixtureContainer[] } };
  };
}

function deployment(mutate: (d: DeploymentFixture) => void): KubeObject {
  const d = fixture("deployment.yaml") as DeploymentFixture;
  mutate(d);
  return d;
}

function pod(spec: Record<string, unknown>): KubeObject {
  return { metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx:1" }], ...spec } };
}

test("the article's deployment is valid", () => {
  assert.deepEqual(messages("Deployment", "apps", fixture("deployment.yaml")), []);
});

test("workload errors read as upstream's", () => {
  const cases: [string, KubeObject, string[]][] = [
    ["selector not matching the template", deployment((d) => (d.spec.template.metadata.labels = { app: "web" })), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]],
    ["negative replicas", deployment((d) => (d.spec.replicas = -1)), ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]],
    ["missing image", deployment((d) => delete d.spec.template.spec.containers[0]!.image), ["spec.template.spec.containers[0].image: Required value"]],
    ["duplicate container names", deployment((d) => d.spec.template.spec.containers.push({ name: "api-server", image: "sidecar:1" })), [
      'spec.template.spec.containers[1].name: Duplicate value: "api-server"',
    ]],
    ["a restart policy other than Always", deployment((d) => (d.spec.template.spec.restartPolicy = "Never")), [
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]],
    ["requests above limits", deployment((d) => (d.spec.template.spec.containers[0]!.resources!.requests.cpu = "2")), [
      'spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 500m',
    ]],
    ["an invalid container name", deployment((d) => (d.spec.template.spec.containers[0]!.name = "API")), [
      `spec.template.spec.containers[0].name: Invalid value: "API": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]],
    ["a port out of range", deployment((d) => (d.spec.template.spec.containers[0]!.ports![0]!.containerPort = 70000)), [
      "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ]],
    ["an unparsable quantity", deployment((d) => (d.spec.template.spec.containers[0]!.resources!.limits.memory = "1 GB")), [
      `spec.template.spec.containers[0].resources.limits[memory]: Invalid value: "1 GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]],
    ["zero surge and zero unavailability", deployment((d) => (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } })), [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
    ]],
  ];
  for (const [name, obj, expected] of cases) assert.deepEqual(messages("Deployment", "apps", obj), expected, name);
});

test("a deployment without a selector misses it and matches nothing", () => {
  assert.deepEqual(messages("Deployment", "apps", deployment((d) => delete d.spec.selector)), [
    "spec.selector: Required value",
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api-server"}: `selector` does not match template `labels`',
  ]);
});

test("a deployment's selector is immutable on update", () => {
  const old = fixture("deployment.yaml");
  const changed = deployment((d) => {
    d.spec.selector = { matchLabels: { app: "api-server", tier: "web" } };
    d.spec.template.metadata.labels.tier = "web";
  });
  const [message] = messages("Deployment", "apps", changed, { old });
  assert.match(message ?? "", /^spec\.selector: Invalid value: .*: field is immutable$/);
});

test("the whole 422 message names the kind, group and object", () => {
  const def = definition("Deployment", "apps");
  const obj = deployment((d) => (d.spec.replicas = -1));
  def.defaults?.(obj);
  const error = invalidObject(def.kind, def.group, "api-server", def.validate?.(obj, {}) ?? []);
  assert.equal(error.message, 'Deployment.apps "api-server" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
});

test("pod errors read as upstream's", () => {
  const cases: [string, KubeObject, string[]][] = [
    ["an unknown restart policy", pod({ restartPolicy: "Sometimes" }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    ["requests above limits", pod({ containers: [{ name: "app", image: "nginx:1", resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } }] }), [
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]],
    ["no containers", pod({ containers: [] }), ["spec.containers: Required value"]],
    ["an image with spaces", pod({ containers: [{ name: "app", image: " nginx" }] }), ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace']],
    ["a mount of an unknown volume", pod({ containers: [{ name: "app", image: "x:1", volumeMounts: [{ name: "data", mountPath: "/data" }] }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ["an init container named like a container", pod({ initContainers: [{ name: "app", image: "x:1" }] }), ['spec.initContainers[0].name: Duplicate value: "app"']],
    ["an extended resource below its limit", pod({ containers: [{ name: "app", image: "x:1", resources: { requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "2" } } }] }), [
      'spec.containers[0].resources.requests: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2',
    ]],
  ];
  for (const [name, obj, expected] of cases) assert.deepEqual(messages("Pod", "", obj), expected, name);
});

test("a pod update may change only images and a few other fields", () => {
  const def = definition("Pod", "");
  const old = structuredClone(pod({}));
  def.defaults?.(old);
  const imageOnly = structuredClone(old);
  (imageOnly.spec as { containers: { image: string }[] }).containers[0]!.image = "nginx:2";
  assert.deepEqual(def.validate?.(imageOnly, { old }), []);
  const ports = structuredClone(old);
  (ports.spec as { containers: Record<string, unknown>[] }).containers[0]!.ports = [{ containerPort: 80, protocol: "TCP" }];
  assert.deepEqual(def.validate?.(ports, { old }).map(fieldErrorMessage), [
    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
  ]);
});

test("jobs and cronjobs need a run-to-completion restart policy and a parsable schedule", () => {
  const jobTemplate = { spec: { template: { spec: { containers: [{ name: "c", image: "busybox:1" }] } } } };
  assert.deepEqual(messages("CronJob", "batch", { metadata: { name: "c" }, spec: { schedule: "61 * * * *", jobTemplate } }), [
    'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  ]);
  assert.deepEqual(messages("CronJob", "batch", { metadata: { name: "c" }, spec: { schedule: "*/5 * * *", jobTemplate } }).slice(0, 1), [
    'spec.schedule: Invalid value: "*/5 * * *": expected exactly 5 fields, found 4: [*/5 * * *]',
  ]);
  assert.deepEqual(messages("Job", "batch", { metadata: { name: "j", uid: "u" }, spec: { parallelism: -1, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u" } }, template: {
    metadata: { labels: { "batch.kubernetes.io/controller-uid": "u", "controller-uid": "u", "job-name": "j" } }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1" }] },
  } } }), ["spec.parallelism: Invalid value: -1: must be greater than or equal to 0"]);
});

test("a job's template cannot change once it runs", () => {
  const def = definition("Job", "batch");
  const job: KubeObject = { metadata: { name: "j", uid: "u" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1" }] } } } };
  def.defaults?.(job);
  def.prepareForCreate?.(job);
  const changed = structuredClone(job);
  (changed.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = "busybox:2";
  const errors = def.validate?.(changed, { old: job }).map(fieldErrorMessage) ?? [];
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? "", /^spec\.template: Invalid value: .*: field is immutable$/);
});

test("services, config maps, secrets and RBAC rules are checked with upstream's wording", () => {
  assert.deepEqual(messages("Service", "", { metadata: { name: "s" }, spec: { ports: [{ port: 80 }, { port: 81 }] } }), ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]);
  assert.deepEqual(messages("Service", "", { metadata: { name: "s" }, spec: { type: "Magic", ports: [{ port: 80, nodePort: 30080 }] } }).slice(-1), [
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(messages("Service", "", { metadata: { name: "s" }, spec: { ports: [{ port: 80, nodePort: 30080 }] } }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(messages("Service", "", { spec: { clusterIP: "10.43.0.20", ports: [{ port: 80 }] } }, { old: { spec: { clusterIP: "10.43.0.10", clusterIPs: ["10.43.0.10"] } } }), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.43.0.20"}: may not change once set',
  ]);
  assert.deepEqual(messages("ConfigMap", "", { data: { "bad key": "v" } }), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  assert.deepEqual(messages("Secret", "", { type: "kubernetes.io/tls", data: { "tls.crt": "YQ==" } }), ["data[tls.key]: Required value"]);
  assert.deepEqual(messages("ClusterRole", "rbac.authorization.k8s.io", { rules: [{ resources: ["pods"] }] }), [
    "rules[0].verbs: Required value: verbs must contain at least one value",
    "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
  ]);
  assert.deepEqual(messages("Role", "rbac.authorization.k8s.io", { rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }] }), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
  const binding = { roleRef: { kind: "Role", name: "a" }, subjects: [{ kind: "User", name: "jane" }] };
  assert.deepEqual(messages("RoleBinding", "rbac.authorization.k8s.io", { ...binding, roleRef: { kind: "Role", name: "b" } }, { old: { ...binding, roleRef: { kind: "Role", name: "a", apiGroup: "rbac.authorization.k8s.io" } } }).length, 1);
});

test("an HPA needs sane replica bounds and a target; autoscaling/v1 is checked as v2", () => {
  const spec = { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 5, maxReplicas: 2 };
  assert.deepEqual(messages("HorizontalPodAutoscaler", "autoscaling", { spec }), ["spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"]);
  const v1 = builtinResources().find((d) => d.kind === "HorizontalPodAutoscaler" && d.version === "v1");
  assert.deepEqual(v1?.validate?.({ spec: { ...spec, minReplicas: 0, maxReplicas: 3, scaleTargetRef: { kind: "", name: "web" } } }, {}).map(fieldErrorMessage), [
    "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
    "spec.scaleTargetRef.kind: Required value",
  ]);
});
