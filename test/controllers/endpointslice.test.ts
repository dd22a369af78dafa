// The EndpointSlice and Endpoints controllers against a real server with three simulated nodes and
// the real kubectl: a Service over a Deployment's running pods gets one EndpointSlice and one
// Endpoints object listing them, named target ports resolved; a pod that stops being ready moves to
// not-ready in both (unless the Service publishes not-ready addresses); Services without a
// selector are left alone; a deleted Service takes its slices and Endpoints with it. Table-driven
// unit tests cover the slice packing (100 endpoints a slice) and the repacking of Endpoints subsets.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { APPS_V1, CORE_V1, type Client, type ResourceRef } from "../../src/client/client.js";
import { createLogger } from "../../src/log.js";
import type { Endpoints } from "../../src/controllers/endpoints.js";
import { repackSubsets } from "../../src/controllers/endpoints/subsets.js";
import type { EndpointPod, Service } from "../../src/controllers/endpointslice/pod-endpoints.js";
import { planSlices } from "../../src/controllers/endpointslice/reconciler.js";
import { CONTROLLER_NAME, type EndpointSlice } from "../../src/controllers/endpointslice/slices.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, kubectlOk, startAdminServer } from "./fixtures.js";
import { isReady, setPodReady, waitFor } from "./mark-ready.js";

const SLICES: ResourceRef = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
const ENDPOINTS = CORE_V1("endpoints");
const SERVICES = CORE_V1("services");
const PODS = CORE_V1("pods");

describe("endpointslice and endpoints controllers", () => {
  let server: TestServer;
  let client: Client;
  const ns = "web";
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", simulatedNodes: 3 }));
    await createNamespace(client, ns);
  });
  after(() => server.close());

  const kubectl = (args: string[]): Promise<string> => kubectlOk(server, args);

  async function slicesOf(service: string): Promise<EndpointSlice[]> {
    return (await client.list(SLICES, { namespace: ns, labelSelector: `kubernetes.io/service-name=${service}` })).items as EndpointSlice[];
  }

  async function endpointsOf(service: string): Promise<Endpoints | undefined> {
    try {
      return (await client.get(ENDPOINTS, ns, service)) as Endpoints;
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  async function runningPods(): Promise<KubeObject[]> {
    return (await client.list(PODS, { namespace: ns, labelSelector: "app=web" })).items.filter((p) => !p.metadata?.deletionTimestamp && isReady(p));
  }

  function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
    return { metadata: { name, labels: { tier: "frontend" } }, spec: { selector: { app: "web" }, ports: [{ name: "web", port: 80, targetPort: "http" }], ...spec } };
  }

  it("gives a Service over a Deployment's 3 running pods an EndpointSlice with 3 ready endpoints and the named port resolved", async () => {
    await client.create(APPS_V1("deployments"), ns, {
      metadata: { name: "web" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1", ports: [{ name: "http", containerPort: 8080 }] }] } },
      },
    });
    await waitFor(async () => (await runningPods()).length === 3, "3 running pods");
    await client.create(SERVICES, ns, service("web"));
    const slice = await waitFor(async () => {
      const slices = await slicesOf("web");
      const [only] = slices;
      return slices.length === 1 && (only?.endpoints ?? []).length === 3 && only;
    }, "one slice with 3 endpoints");
    const pods = await runningPods();
    assert.equal(slice.addressType, "IPv4");
    assert.deepEqual(slice.ports, [{ name: "web", port: 8080, protocol: "TCP" }]);
    assert.equal(slice.metadata.labels?.["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io");
    assert.equal(slice.metadata.labels?.tier, "frontend");
    assert.equal(slice.metadata.ownerReferences?.[0]?.kind, "Service");
    assert.match(slice.metadata.generateName ?? "", /^web-$/);
    assert.ok(slice.metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"]);
    const byPod = new Map((slice.endpoints ?? []).map((e) => [e.targetRef?.name, e]));
    for (const pod of pods) {
      const endpoint = byPod.get(pod.metadata?.name);
      const status = pod.status as { podIP: string };
      assert.deepEqual(endpoint?.addresses, [status.podIP]);
      assert.deepEqual(endpoint?.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(endpoint?.nodeName, (pod.spec as { nodeName: string }).nodeName);
      assert.equal(endpoint?.targetRef?.kind, "Pod");
      assert.equal(endpoint?.targetRef?.uid, pod.metadata?.uid);
    }
  });

  it("lists the 3 pod addresses in kubectl get endpoints", async () => {
    const ips = (await runningPods()).map((p) => (p.status as { podIP: string }).podIP).sort();
    const ep = await waitFor(async () => {
      const e = await endpointsOf("web");
      return e?.subsets?.[0]?.addresses?.length === 3 && e;
    }, "Endpoints with 3 addresses");
    assert.equal(ep.subsets?.length, 1);
    assert.deepEqual(ep.subsets?.[0]?.addresses?.map((a) => a.ip), ips);
    assert.deepEqual(ep.subsets?.[0]?.ports, [{ name: "web", port: 8080, protocol: "TCP" }]);
    assert.equal(ep.subsets?.[0]?.notReadyAddresses, undefined);
    assert.equal(ep.metadata.labels?.tier, "frontend");
    assert.ok(ep.metadata.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"]);
    const out = await kubectl(["get", "endpoints", "web", "-n", ns]);
    assert.match(out, new RegExp(`^web\\s+${ips.map((ip) => `${ip.replaceAll(".", "\\.")}:8080`).join(",")}\\s+`, "m"));
  });

  it("moves a pod that stops being ready to not-ready in the slice and the Endpoints", async () => {
    const [pod] = await runningPods();
    const name = pod?.metadata?.name ?? "";
    const node = (pod?.spec as { nodeName: string }).nodeName;
    const ip = (pod?.status as { podIP: string }).podIP;
    await client.create(SERVICES, ns, service("web-all", { publishNotReadyAddresses: true }));
    // A running node would report its pod ready again: this one's kubelet is stopped.
    server.simulatedNodes?.setHeartbeat(node, false);
    try {
      await setPodReady(client, ns, name, false);
      const endpoint = await waitFor(async () => {
        const e = (await slicesOf("web"))[0]?.endpoints?.find((x) => x.targetRef?.name === name);
        return e?.conditions?.ready === false && e;
      }, "the slice endpoint not ready");
      assert.deepEqual(endpoint.conditions, { ready: false, serving: false, terminating: false });
      const ep = await waitFor(async () => {
        const e = await endpointsOf("web");
        return e?.subsets?.[0]?.notReadyAddresses?.length === 1 && e;
      }, "Endpoints with one not-ready address");
      assert.equal(ep.subsets?.[0]?.addresses?.length, 2);
      assert.equal(ep.subsets?.[0]?.notReadyAddresses?.[0]?.ip, ip);
      // publishNotReadyAddresses: the not-ready pod is published as ready.
      const all = await waitFor(async () => {
        const e = await endpointsOf("web-all");
        return e?.subsets?.[0]?.addresses?.length === 3 && e;
      }, "web-all Endpoints with 3 addresses");
      assert.equal(all.subsets?.[0]?.notReadyAddresses, undefined);
      const allSlice = await waitFor(async () => (await slicesOf("web-all"))[0]?.endpoints?.find((x) => x.targetRef?.name === name), "web-all's slice");
      assert.deepEqual(allSlice.conditions, { ready: true, serving: false, terminating: false });
    } finally {
      server.simulatedNodes?.setHeartbeat(node, true);
    }
    await waitFor(async () => (await endpointsOf("web"))?.subsets?.[0]?.addresses?.length === 3, "the pod ready again");
  });

  it("leaves a Service without a selector and its hand-made Endpoints alone", async () => {
    await client.create(SERVICES, ns, { metadata: { name: "external" }, spec: { ports: [{ port: 5432 }] } });
    const made = await client.create(ENDPOINTS, ns, { metadata: { name: "external" }, subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 5432 }] }] });
    // A Service created afterwards is handled once the earlier changes have been seen.
    await client.create(SERVICES, ns, service("sentinel"));
    await waitFor(async () => (await slicesOf("sentinel")).length === 1 && (await endpointsOf("sentinel")) !== undefined, "the sentinel's slice and Endpoints");
    const ep = await endpointsOf("external");
    assert.equal(ep?.metadata.resourceVersion, made.metadata?.resourceVersion);
    assert.deepEqual(await slicesOf("external"), []);
  });

  it("removes the slices and the Endpoints when the Service is deleted", async () => {
    await client.delete(SERVICES, ns, "web");
    await waitFor(async () => (await endpointsOf("web")) === undefined && (await slicesOf("web")).length === 0, "web's slices and Endpoints gone");
  });

  describe("slice packing", () => {
    const svc: Service = { metadata: { name: "big", namespace: "n", uid: "svc-uid" }, spec: { selector: { app: "big" }, clusterIP: "10.96.0.10", ipFamilies: ["IPv4"], ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] } };
    const pod = (i: number, ready = true): EndpointPod => ({
      metadata: { name: `big-${i}`, namespace: "n", uid: `uid-${i}`, labels: { app: "big" } },
      spec: { nodeName: "node-a" },
      status: { phase: "Running", podIP: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    });
    const plan = (pods: EndpointPod[], existingSlices: EndpointSlice[] = []) =>
      planSlices({ service: svc, pods, existingSlices, getNode: () => ({ metadata: { name: "node-a" } }), controllerName: CONTROLLER_NAME, maxEndpointsPerSlice: 100, log: createLogger("error") });
    const named = (slices: EndpointSlice[]) => slices.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `big-${i}`, resourceVersion: "1" } }));

    const cases: { name: string; pods: number; expected: number[] }[] = [
      { name: "no pods keep one placeholder slice without endpoints", pods: 0, expected: [0] },
      { name: "3 pods fit in one slice", pods: 3, expected: [3] },
      { name: "100 pods fill exactly one slice", pods: 100, expected: [100] },
      { name: "250 pods take three slices of at most 100", pods: 250, expected: [100, 100, 50] },
    ];
    for (const c of cases) {
      it(`creates slices for ${c.name}`, () => {
        const result = plan(Array.from({ length: c.pods }, (_, i) => pod(i)));
        assert.deepEqual(result.toCreate.map((s) => (s.endpoints ?? []).length), c.expected);
        assert.deepEqual([result.toUpdate.length, result.toDelete.length], [0, 0]);
      });
    }

    it("changes nothing when the slices already say it all", () => {
      const pods = Array.from({ length: 150 }, (_, i) => pod(i));
      const result = plan(pods, named(plan(pods).toCreate));
      assert.deepEqual([result.toCreate.length, result.toUpdate.length, result.toDelete.length], [0, 0, 0]);
    });

    it("updates only the slice of a pod that turned not ready", () => {
      const pods = Array.from({ length: 150 }, (_, i) => pod(i));
      const existing = named(plan(pods).toCreate);
      pods[120] = pod(120, false);
      const result = plan(pods, existing);
      assert.deepEqual([result.toCreate.length, result.toUpdate.length, result.toDelete.length], [0, 1, 0]);
      const changed = result.toUpdate[0]?.endpoints?.find((e) => e.targetRef?.name === "big-120");
      assert.deepEqual(changed?.conditions, { ready: false, serving: false, terminating: false });
    });

    it("puts new pods into an existing slice with room before creating one", () => {
      const existing = named(plan(Array.from({ length: 150 }, (_, i) => pod(i))).toCreate);
      const result = plan(Array.from({ length: 160 }, (_, i) => pod(i)), existing);
      assert.deepEqual([result.toCreate.length, result.toUpdate.length, result.toDelete.length], [0, 1, 0]);
      assert.equal(result.toUpdate[0]?.endpoints?.length, 60);
    });

    it("turns a create into an update of a slice about to be deleted", () => {
      const old = named(plan([pod(1)]).toCreate);
      const result = plan([pod(2)], old);
      assert.deepEqual([result.toCreate.length, result.toUpdate.length, result.toDelete.length], [0, 1, 0]);
      assert.equal(result.toUpdate[0]?.metadata.name, "big-0");
      assert.equal(result.toUpdate[0]?.metadata.resourceVersion, "1");
      assert.deepEqual(result.toUpdate[0]?.endpoints?.map((e) => e.targetRef?.name), ["big-2"]);
    });
  });

  describe("endpoints subsets", () => {
    const address = (ip: string) => ({ ip, targetRef: { kind: "Pod", uid: `uid-${ip}` } });
    const port = (name: string, p: number) => ({ name, port: p, protocol: "TCP" });

    it("repacks one subset per pod and port into one subset per set of ports, sorted", () => {
      const subsets = repackSubsets([
        { addresses: [address("10.0.0.2")], ports: [port("http", 80)] },
        { addresses: [address("10.0.0.1")], ports: [port("http", 80)] },
        { notReadyAddresses: [address("10.0.0.3")], ports: [port("http", 80)] },
      ]);
      assert.deepEqual(subsets, [{ addresses: [address("10.0.0.1"), address("10.0.0.2")], notReadyAddresses: [address("10.0.0.3")], ports: [port("http", 80)] }]);
    });

    it("keeps addresses serving different ports in different subsets", () => {
      const subsets = repackSubsets([
        { addresses: [address("10.0.0.1")], ports: [port("http", 80)] },
        { addresses: [address("10.0.0.1")], ports: [port("metrics", 9090)] },
        { addresses: [address("10.0.0.2")], ports: [port("http", 80)] },
      ]);
      assert.equal(subsets.length, 2);
      assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => p.name)]).sort(), [[["10.0.0.1"], ["metrics"]], [["10.0.0.1", "10.0.0.2"], ["http"]]].sort());
    });

    it("counts an address that is not ready for a port as not ready", () => {
      const subsets = repackSubsets([
        { addresses: [address("10.0.0.1")], ports: [port("http", 80)] },
        { notReadyAddresses: [address("10.0.0.1")], ports: [port("http", 80)] },
      ]);
      assert.deepEqual(subsets, [{ notReadyAddresses: [address("10.0.0.1")], ports: [port("http", 80)] }]);
    });
  });
});
