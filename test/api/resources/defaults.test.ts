// Defaulting as upstream's SetDefaults_* (v1.32): what the API server stores for the article's
// Deployment, and the pod, service, job and other defaults users see in `kubectl get -o yaml`.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/api/resource.js";
import { builtinResources } from "../../../src/api/resources/index.js";
import { imageTag } from "../../../src/api/resources/pod-defaults.js";
import { deepFreeze } from "../../../src/api/deep-freeze.js";
import { fixture } from "./fixtures.js";

function defaulted(kind: string, obj: KubeObject, group = ""): KubeObject {
  const def = builtinResources().find((d) => d.kind === kind && d.group === group);
  assert.ok(def, kind);
  const copy = structuredClone(obj);
  def.defaults?.(copy);
  return copy;
}

test("the article's deployment is stored with upstream's strategy, history, deadline and pod template defaults", () => {
  const deployment = defaulted("Deployment", fixture("deployment.yaml"), "apps");
  assert.deepEqual(deployment.spec, {
    replicas: 3,
    selector: { matchLabels: { app: "api-server" } },
    template: {
      metadata: { labels: { app: "api-server" } },
      spec: {
        containers: [{
          name: "api-server",
          image: "myregistry/api-server:v1.2.3",
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          resources: { requests: { memory: "512Mi", cpu: "250m" }, limits: { memory: "1Gi", cpu: "500m" } },
          imagePullPolicy: "IfNotPresent",
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        }],
        dnsPolicy: "ClusterFirst",
        restartPolicy: "Always",
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: "default-scheduler",
      },
    },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  });
});

test("a deployment without replicas gets one, and a Recreate strategy gets no rolling update", () => {
  const spec = defaulted("Deployment", { spec: { strategy: { type: "Recreate" }, template: { spec: { containers: [] } } } }, "apps").spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: "Recreate" });
});

test("pods get request defaults from limits, service links and canonical quantities; templates do not", () => {
  const container = { name: "c", image: "nginx", resources: { limits: { cpu: 0.5, memory: "1024Mi" } } };
  const pod = defaulted("Pod", { spec: { containers: [container] } });
  const spec = pod.spec as Record<string, unknown>;
  assert.equal(spec.enableServiceLinks, true);
  assert.deepEqual((spec.containers as Record<string, unknown>[])[0]?.resources, { limits: { cpu: "500m", memory: "1Gi" }, requests: { cpu: "500m", memory: "1Gi" } });
  const rs = defaulted("ReplicaSet", { spec: { template: { spec: { containers: [container] } } } }, "apps");
  const templateSpec = (rs.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  assert.equal(templateSpec.enableServiceLinks, undefined);
  assert.deepEqual((templateSpec.containers as Record<string, unknown>[])[0]?.resources, { limits: { cpu: "500m", memory: "1Gi" } });
});

test("defaulting what is already defaulted writes nothing: a later write shares a stored object's frozen parts", () => {
  const container = { name: "c", image: "nginx:1.27", ports: [{ containerPort: 80 }], resources: { limits: { cpu: 0.5, memory: "1024Mi" }, requests: { cpu: "100m" } } };
  const cases: Array<[string, KubeObject, string?]> = [
    ["Pod", { spec: { containers: [container], volumes: [{ name: "v", emptyDir: {} }] } }],
    ["Deployment", fixture("deployment.yaml"), "apps"],
    ["Namespace", { metadata: { name: "team-a", labels: { team: "a" } } }],
    ["LimitRange", { spec: { limits: [{ type: "Container", default: { cpu: "0.5" }, max: { memory: "1Gi" }, min: { cpu: "100m" } }] } }],
  ];
  for (const [kind, obj, group] of cases) {
    const once = deepFreeze(defaulted(kind, obj, group));
    assert.deepEqual(defaulted(kind, once, group), once, kind);
    const def = builtinResources().find((d) => d.kind === kind && d.group === (group ?? ""));
    assert.doesNotThrow(() => def?.defaults?.(once), kind);
  }
});

test("images without a tag or tagged latest are always pulled; others only if not present", () => {
  const cases: [string, string][] = [
    ["nginx", "latest"], ["nginx:latest", "latest"], ["nginx:1.27", "1.27"], ["localhost:5000/app", "latest"], ["localhost:5000/app:v2", "v2"],
    ["busybox@sha256:" + "a".repeat(64), ""], ["registry.io/team/app:2.0@sha256:" + "b".repeat(64), "2.0"], ["Invalid/Name", ""],
  ];
  for (const [image, tag] of cases) assert.equal(imageTag(image), tag, image);
  const policies = ["nginx", "nginx:1.27"].map((image) => {
    const pod = defaulted("Pod", { spec: { containers: [{ name: "c", image }] } });
    return ((pod.spec as Record<string, unknown>).containers as Record<string, unknown>[])[0]?.imagePullPolicy;
  });
  assert.deepEqual(policies, ["Always", "IfNotPresent"]);
});

test("probes, volumes and host-network ports get upstream's defaults", () => {
  const pod = defaulted("Pod", {
    spec: {
      hostNetwork: true,
      volumes: [{ name: "cache" }, { name: "cfg", configMap: { name: "app" } }],
      containers: [{ name: "c", image: "app:1", ports: [{ containerPort: 8080 }], livenessProbe: { httpGet: { port: 8080 } } }],
    },
  });
  const spec = pod.spec as Record<string, unknown>;
  assert.deepEqual(spec.volumes, [{ name: "cache", emptyDir: {} }, { name: "cfg", configMap: { name: "app", defaultMode: 420 } }]);
  const container = (spec.containers as Record<string, unknown>[])[0] as Record<string, unknown>;
  assert.deepEqual(container.ports, [{ containerPort: 8080, protocol: "TCP", hostPort: 8080 }]);
  assert.deepEqual(container.livenessProbe, { httpGet: { port: 8080, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
});

test("services default to ClusterIP, no session affinity, TCP ports targeting themselves and one IPv4 family", () => {
  const svc = defaulted("Service", { spec: { selector: { app: "web" }, ports: [{ port: 80 }, { port: 443, targetPort: "https" }] } });
  assert.deepEqual(svc.spec, {
    selector: { app: "web" },
    ports: [{ port: 80, protocol: "TCP", targetPort: 80 }, { port: 443, targetPort: "https", protocol: "TCP" }],
    sessionAffinity: "None",
    type: "ClusterIP",
    internalTrafficPolicy: "Cluster",
    ipFamilyPolicy: "SingleStack",
    ipFamilies: ["IPv4"],
  });
  const lb = defaulted("Service", { spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }).spec as Record<string, unknown>;
  assert.equal(lb.externalTrafficPolicy, "Cluster");
  assert.equal(lb.allocateLoadBalancerNodePorts, true);
});

test("jobs, cronjobs, statefulsets and daemonsets get their controllers' defaults", () => {
  const template = { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1" }] } };
  const job = defaulted("Job", { spec: { template } }, "batch").spec as Record<string, unknown>;
  assert.deepEqual([job.completions, job.parallelism, job.backoffLimit, job.completionMode, job.suspend, job.podReplacementPolicy], [1, 1, 6, "NonIndexed", false, "TerminatingOrFailed"]);
  const cron = defaulted("CronJob", { spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } } }, "batch").spec as Record<string, unknown>;
  assert.deepEqual([cron.concurrencyPolicy, cron.suspend, cron.successfulJobsHistoryLimit, cron.failedJobsHistoryLimit], ["Allow", false, 3, 1]);
  const sts = defaulted("StatefulSet", { spec: { template, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: {} }] } }, "apps").spec as Record<string, unknown>;
  assert.deepEqual(sts.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
  assert.deepEqual(sts.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
  assert.deepEqual(sts.volumeClaimTemplates, [{ metadata: { name: "data" }, spec: { volumeMode: "Filesystem" }, status: { phase: "Pending" } }]);
  assert.equal(sts.podManagementPolicy, "OrderedReady");
  const ds = defaulted("DaemonSet", { spec: { template } }, "apps").spec as Record<string, unknown>;
  assert.deepEqual(ds.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
});

test("a created job gets the selector and labels upstream generates from its uid", () => {
  const def = builtinResources().find((d) => d.kind === "Job");
  const job: KubeObject = { metadata: { name: "pi", uid: "1234" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5" }] } } } };
  def?.defaults?.(job);
  def?.prepareForCreate?.(job);
  const labels = { "batch.kubernetes.io/controller-uid": "1234", "batch.kubernetes.io/job-name": "pi", "controller-uid": "1234", "job-name": "pi" };
  assert.deepEqual((job.spec as { selector: unknown }).selector, { matchLabels: { "batch.kubernetes.io/controller-uid": "1234" } });
  assert.deepEqual((job.spec as { template: { metadata: { labels: unknown } } }).template.metadata.labels, labels);
  assert.deepEqual(job.metadata?.labels, labels);
  assert.deepEqual(def?.validate?.(job, {}), []);
});

test("namespaces get their name label and phase; only creation adds the kubernetes finalizer", () => {
  const def = builtinResources().find((d) => d.kind === "Namespace");
  const ns: KubeObject = { metadata: { name: "team-a" } };
  def?.defaults?.(ns);
  assert.deepEqual(ns.metadata?.labels, { "kubernetes.io/metadata.name": "team-a" });
  assert.deepEqual(ns.status, { phase: "Active" });
  def?.prepareForCreate?.(ns);
  assert.deepEqual(ns.spec, { finalizers: ["kubernetes"] });
  const finalized: KubeObject = { metadata: { name: "team-a" }, spec: { finalizers: [] }, status: { phase: "Terminating" } };
  def?.defaults?.(finalized);
  assert.deepEqual(finalized.spec, { finalizers: [] });
});

test("secrets are Opaque and fold stringData into base64 data", () => {
  const secret = defaulted("Secret", { data: { a: "YQ==" }, stringData: { a: "x", b: "héllo" } });
  assert.deepEqual(secret, { type: "Opaque", data: { a: "eA==", b: Buffer.from("héllo").toString("base64") } });
});

test("claims, volumes, bindings, classes and HPAs get their small defaults", () => {
  assert.deepEqual(defaulted("PersistentVolumeClaim", { spec: { resources: { requests: { storage: "1G" } } } }), { spec: { resources: { requests: { storage: "1G" } }, volumeMode: "Filesystem" }, status: { phase: "Pending" } });
  const pv = defaulted("PersistentVolume", { spec: { capacity: { storage: "1Gi" } } });
  assert.deepEqual(pv, { spec: { capacity: { storage: "1Gi" }, persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem" }, status: { phase: "Pending" } });
  const binding = defaulted("RoleBinding", { roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "User", name: "jane" }, { kind: "ServiceAccount", name: "sa" }] }, "rbac.authorization.k8s.io");
  assert.deepEqual(binding.roleRef, { kind: "Role", name: "r", apiGroup: "rbac.authorization.k8s.io" });
  assert.deepEqual(binding.subjects, [{ kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" }, { kind: "ServiceAccount", name: "sa" }]);
  assert.deepEqual(defaulted("StorageClass", { provisioner: "x.io/y" }, "storage.k8s.io"), { provisioner: "x.io/y", reclaimPolicy: "Delete", volumeBindingMode: "Immediate" });
  assert.equal(defaulted("PriorityClass", { value: 10 }, "scheduling.k8s.io").preemptionPolicy, "PreemptLowerPriority");
  const hpa = defaulted("HorizontalPodAutoscaler", { spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } }, "autoscaling");
  assert.deepEqual(hpa.spec, {
    maxReplicas: 5, minReplicas: 1,
    behavior: {
      scaleDown: { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 },
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] },
    },
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
  });
});
