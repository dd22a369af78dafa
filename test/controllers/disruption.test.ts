// The disruption controller against a real server with three simulated nodes and the real kubectl:
// PodDisruptionBudgets over a Deployment's ready pods report how many may be disrupted, with
// integer and percentage budgets resolved against the Deployment's scale, fewer once a pod stops
// being ready, and the fail-safe status when the pods' controller has no scale; plus table-driven
// checks of the healthy count.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { APPS_V1, CORE_V1, type Client, type ResourceRef } from "../../src/client/client.js";
import { countHealthyPods, type PodDisruptionBudget } from "../../src/controllers/disruption.js";
import type { Pod } from "../../src/controllers/pods.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, startAdminServer } from "./fixtures.js";
import { isReady, setPodReady, waitFor } from "./mark-ready.js";

const PDBS: ResourceRef = { group: "policy", version: "v1", resource: "poddisruptionbudgets" };
const PODS = CORE_V1("pods");

describe("disruption controller", () => {
  let server: TestServer;
  let client: Client;
  const ns = "budgets";
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", simulatedNodes: 3 }));
    await createNamespace(client, ns);
  });
  after(() => server.close());

  async function readyPods(app: string): Promise<KubeObject[]> {
    return (await client.list(PODS, { namespace: ns, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp && isReady(p));
  }

  async function budget(name: string, app: string, spec: Record<string, unknown>): Promise<void> {
    await client.create(PDBS, ns, { metadata: { name }, spec: { selector: { matchLabels: { app } }, ...spec } });
  }

  /** Waits until the PDB's status has been computed for its generation and matches `want`. */
  async function statusOf(name: string, want: Partial<Record<string, number>>): Promise<PodDisruptionBudget> {
    return waitFor(async () => {
      const pdb = (await client.get(PDBS, ns, name)) as PodDisruptionBudget;
      const status = (pdb.status ?? {}) as Record<string, unknown>;
      const current = status.observedGeneration === pdb.metadata.generation;
      return current && Object.entries(want).every(([k, v]) => status[k] === v) && pdb;
    }, `PDB ${name} status ${JSON.stringify(want)}`);
  }

  function condition(pdb: PodDisruptionBudget): { status?: string; reason?: string; message?: string } | undefined {
    return pdb.status?.conditions?.find((c) => c.type === "DisruptionAllowed");
  }

  it("allows 1 disruption for minAvailable 2 over 3 ready pods", async () => {
    await client.create(APPS_V1("deployments"), ns, {
      metadata: { name: "web" },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1" }] } } },
    });
    await waitFor(async () => (await readyPods("web")).length === 3, "3 ready pods");
    await budget("web-min", "web", { minAvailable: 2 });
    const pdb = await statusOf("web-min", { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
    assert.equal(pdb.status?.observedGeneration, 1);
    assert.deepEqual(condition(pdb), { ...condition(pdb), status: "True", reason: "SufficientPods" });
    const out = await server.kubectl(["get", "pdb", "web-min", "-n", ns]);
    assert.match(out.stdout, /^web-min\s+2\s+N\/A\s+1\s+/m);
  });

  it("resolves percentages and maxUnavailable against the Deployment's scale", async () => {
    await budget("web-all", "web", { minAvailable: "100%" });
    await budget("web-half", "web", { maxUnavailable: "50%" });
    const all = await statusOf("web-all", { currentHealthy: 3, desiredHealthy: 3, expectedPods: 3, disruptionsAllowed: 0 });
    assert.equal(condition(all)?.status, "False");
    assert.equal(condition(all)?.reason, "InsufficientPods");
    // 50% of 3 rounds up to 2 unavailable: 1 must stay healthy.
    await statusOf("web-half", { currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2 });
  });

  it("allows no disruption once a pod stops being ready", async () => {
    const [pod] = await readyPods("web");
    const node = (pod?.spec as { nodeName: string }).nodeName;
    // A running node would report its pod ready again: this one's kubelet is stopped.
    server.simulatedNodes?.setHeartbeat(node, false);
    try {
      await setPodReady(client, ns, pod?.metadata?.name ?? "", false);
      const pdb = await statusOf("web-min", { currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 });
      assert.equal(condition(pdb)?.reason, "InsufficientPods");
    } finally {
      server.simulatedNodes?.setHeartbeat(node, true);
    }
    await statusOf("web-min", { currentHealthy: 3, disruptionsAllowed: 1 });
  });

  it("follows the Deployment when it scales", async () => {
    await server.kubectl(["scale", "deployment/web", "--replicas=4", "-n", ns]);
    await statusOf("web-half", { currentHealthy: 4, desiredHealthy: 2, expectedPods: 4, disruptionsAllowed: 2 });
  });

  it("fails safe with no disruptions when the pods' controller has no scale", async () => {
    await client.create(APPS_V1("daemonsets"), ns, {
      metadata: { name: "agent" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "agent", image: "example/agent:1" }] } } },
    });
    await waitFor(async () => (await readyPods("agent")).length === 3, "3 ready daemon pods");
    await budget("agent", "agent", { maxUnavailable: "50%" });
    const pdb = await waitFor(async () => {
      const p = (await client.get(PDBS, ns, "agent")) as PodDisruptionBudget;
      return condition(p)?.reason === "SyncFailed" && p;
    }, "the SyncFailed condition");
    assert.equal(pdb.status?.disruptionsAllowed, 0);
    assert.equal(condition(pdb)?.status, "False");
    assert.match(condition(pdb)?.message ?? "", /found no controllers for pod/);
  });

  describe("healthy pods", () => {
    const now = Date.parse("2026-01-01T00:10:00Z");
    const pod = (name: string, ready: boolean, deleting = false): Pod => ({
      metadata: { name, ...(deleting ? { deletionTimestamp: "2026-01-01T00:09:00Z" } : {}) },
      status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    });
    const cases: { name: string; pods: Pod[]; disrupted: Record<string, string>; healthy: number }[] = [
      { name: "ready pods count", pods: [pod("a", true), pod("b", true)], disrupted: {}, healthy: 2 },
      { name: "not-ready pods do not", pods: [pod("a", true), pod("b", false)], disrupted: {}, healthy: 1 },
      { name: "pods being deleted do not", pods: [pod("a", true), pod("b", true, true)], disrupted: {}, healthy: 1 },
      { name: "pods evicted a minute ago do not", pods: [pod("a", true), pod("b", true)], disrupted: { b: "2026-01-01T00:09:00Z" }, healthy: 1 },
      { name: "pods evicted over two minutes ago count again", pods: [pod("a", true), pod("b", true)], disrupted: { b: "2026-01-01T00:07:00Z" }, healthy: 2 },
    ];
    for (const c of cases) {
      it(`counts healthy pods: ${c.name}`, () => assert.equal(countHealthyPods(c.pods, c.disrupted, now), c.healthy));
    }
  });
});
