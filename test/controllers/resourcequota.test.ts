// The resource quota controller against a real in-process server: status.hard follows spec.hard,
// status.used counts what the namespace's objects consume (requests, limits, object counts, pod
// scopes), a finished pod gives its quota back, and admission refuses what would overshoot.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, startAdminServer } from "./fixtures.js";
import { updatePodStatus, waitFor } from "./mark-ready.js";

const QUOTAS = CORE_V1("resourcequotas");
const PODS = CORE_V1("pods");

function pod(name: string, resources?: Record<string, unknown>): KubeObject {
  return { metadata: { name }, spec: { containers: [{ name: "app", image: "busybox", ...(resources ? { resources } : {}) }] } };
}

describe("resourcequota controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
  });
  after(() => server.close());

  async function usedOf(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const quota = await client.get(QUOTAS, namespace, name);
    return (quota.status as { used?: Record<string, string> } | undefined)?.used;
  }

  it("counts existing objects when a quota is created and follows a change of its hard limits", async () => {
    const ns = await createNamespace(client, "rq-count");
    await client.create(PODS, ns, pod("a", { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } }));
    await client.create(PODS, ns, pod("b", { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } }));
    await client.create(CORE_V1("services"), ns, { metadata: { name: "web" }, spec: { ports: [{ port: 80 }] } });
    await client.create(QUOTAS, ns, { metadata: { name: "q" }, spec: { hard: { pods: "10", "requests.cpu": "4", "limits.memory": "1Gi", "count/services": "5", "count/deployments.apps": "2" } } });
    const used = await waitFor(() => usedOf(ns, "q"), "the quota's usage");
    assert.deepEqual(used, { "count/deployments.apps": "0", "count/services": "1", "limits.memory": "256Mi", pods: "2", "requests.cpu": "500m" });
    const quota = await client.get(QUOTAS, ns, "q");
    await client.update(QUOTAS, ns, { ...quota, spec: { hard: { pods: "1" } } });
    await waitFor(async () => JSON.stringify(await usedOf(ns, "q")) === JSON.stringify({ pods: "2" }), "usage of the new hard limits");
    await assert.rejects(client.create(PODS, ns, pod("c")), (err: StatusError) => err.code === 403 && /exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=1/.test(err.message));
  });

  it("gives a finished pod's quota back and keeps best-effort pods out of a NotBestEffort quota", async () => {
    const ns = await createNamespace(client, "rq-release");
    await client.create(QUOTAS, ns, { metadata: { name: "q" }, spec: { hard: { pods: "1" } } });
    await client.create(QUOTAS, ns, { metadata: { name: "burstable" }, spec: { hard: { pods: "5" }, scopes: ["NotBestEffort"] } });
    await waitFor(async () => (await usedOf(ns, "q"))?.pods === "0" && (await usedOf(ns, "burstable"))?.pods === "0", "initial usage");
    await client.create(PODS, ns, pod("job"));
    assert.equal((await usedOf(ns, "burstable"))?.pods, "0");
    await assert.rejects(client.create(PODS, ns, pod("second")), /exceeded quota: q/);
    await updatePodStatus(client, ns, "job", (p) => ({ ...(p.status as object), phase: "Succeeded" }));
    await waitFor(async () => (await usedOf(ns, "q"))?.pods === "0", "the released quota");
    await client.create(PODS, ns, pod("second"));
  });

  it("counts kinds no informer follows, such as ingresses, by listing them", async () => {
    const ns = await createNamespace(client, "rq-listed");
    const ingresses = { group: "networking.k8s.io", version: "v1", resource: "ingresses" };
    const ingress = (name: string) => ({ metadata: { name }, spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } });
    await client.create(ingresses, ns, ingress("one"));
    await client.create(QUOTAS, ns, { metadata: { name: "ing" }, spec: { hard: { "count/ingresses.networking.k8s.io": "1" } } });
    await waitFor(async () => (await usedOf(ns, "ing"))?.["count/ingresses.networking.k8s.io"] === "1", "the counted ingress");
    await assert.rejects(client.create(ingresses, ns, ingress("two")), /exceeded quota: ing, requested: count\/ingresses.networking.k8s.io=1, used: count\/ingresses.networking.k8s.io=1, limited: count\/ingresses.networking.k8s.io=1/);
  });

  it("asks pods to state the cpu a quota limits", async () => {
    const ns = await createNamespace(client, "rq-constraints");
    await client.create(QUOTAS, ns, { metadata: { name: "cpu" }, spec: { hard: { "requests.cpu": "1" } } });
    await waitFor(async () => (await usedOf(ns, "cpu"))?.["requests.cpu"] === "0", "initial usage");
    await assert.rejects(client.create(PODS, ns, pod("bare")), (err: StatusError) => err.code === 403 && err.message === 'pods "bare" is forbidden: failed quota: cpu: must specify requests.cpu for: app');
    await assert.rejects(client.create(PODS, ns, pod("big", { requests: { cpu: "2" } })), /exceeded quota: cpu, requested: requests.cpu=2, used: requests.cpu=0, limited: requests.cpu=1/);
  });
});
