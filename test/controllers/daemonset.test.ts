// The DaemonSet controller against a real server with three simulated nodes and the real kubectl:
// one pod per node, shown by `kubectl get ds`; taints and tolerations, nodeSelector changes and
// nodes coming and going; rolling updates one node at a time (maxUnavailable 1) or surging
// (maxSurge 1), and OnDelete; ControllerRevisions. The simulated nodes run bound pods, so the
// tests only wait on conditions, each with a deadline.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { APPS_V1, CORE_V1, type Client, type WatchHandle } from "../../src/client/client.js";
import type { DaemonSet } from "../../src/controllers/daemonset/objects.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, kubectlOk, startAdminServer } from "./fixtures.js";
import { isReady, waitFor } from "./mark-ready.js";

const DAEMONSETS = APPS_V1("daemonsets");
const REVISIONS = APPS_V1("controllerrevisions");
const PODS = CORE_V1("pods");
const NODES = CORE_V1("nodes");
const NODE_NAMES = ["simulated-0", "simulated-1", "simulated-2"];

type Spec = Record<string, unknown>;

function daemonSet(name: string, spec: Spec = {}, podSpec: Spec = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "agent", image: "example/agent:1" }], ...podSpec } },
      ...spec,
    },
  };
}

function imageOf(pod: KubeObject): string | undefined {
  return (pod.spec as { containers?: { image?: string }[] } | undefined)?.containers?.[0]?.image;
}

function nodeOf(pod: KubeObject): string {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? "";
}

/** Every live pod of a daemon set as a watch reports it, with the fewest ready and the most pods seen. */
class PodTracker {
  readonly pods = new Map<string, KubeObject>();
  minReady = Number.POSITIVE_INFINITY;
  maxPods = 0;
  maxPodsOnANode = 0;
  private handle: WatchHandle | undefined;

  async start(client: Client, namespace: string, labelSelector: string): Promise<void> {
    const list = await client.list(PODS, { namespace, labelSelector });
    for (const pod of list.items) if (!pod.metadata?.deletionTimestamp) this.pods.set(pod.metadata?.name ?? "", pod);
    this.handle = client.watch(PODS, { namespace, labelSelector, resourceVersion: list.resourceVersion }, {
      onEvent: (type, pod) => {
        if (type === "BOOKMARK") return;
        if (type === "DELETED" || pod.metadata?.deletionTimestamp) this.pods.delete(pod.metadata?.name ?? "");
        else this.pods.set(pod.metadata?.name ?? "", pod);
        this.observe();
      },
      onClose: () => undefined,
    });
  }

  private observe(): void {
    const pods = [...this.pods.values()];
    this.minReady = Math.min(this.minReady, pods.filter(isReady).length);
    this.maxPods = Math.max(this.maxPods, pods.length);
    const perNode = new Map<string, number>();
    for (const pod of pods) perNode.set(nodeOf(pod), (perNode.get(nodeOf(pod)) ?? 0) + 1);
    this.maxPodsOnANode = Math.max(this.maxPodsOnANode, ...perNode.values());
  }

  stop(): void {
    this.handle?.stop();
  }
}

describe("daemonset controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", simulatedNodes: 3 }));
  });
  after(() => server.close());

  const namespace = (name: string): Promise<string> => createNamespace(client, name);

  const kubectl = (args: string[], input?: string): Promise<string> => kubectlOk(server, args, input);

  async function livePods(ns: string, app: string): Promise<KubeObject[]> {
    return (await client.list(PODS, { namespace: ns, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  }

  async function getDaemonSet(ns: string, name: string): Promise<DaemonSet> {
    return (await client.get(DAEMONSETS, ns, name)) as DaemonSet;
  }

  /** Waits until every node that should run the pod runs an up-to-date, ready one. */
  async function rolledOut(ns: string, name: string, desired: number): Promise<DaemonSet> {
    return waitFor(async () => {
      const ds = await getDaemonSet(ns, name);
      const s = ds.status ?? {};
      const done = (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) && s.desiredNumberScheduled === desired && s.currentNumberScheduled === desired &&
        (s.updatedNumberScheduled ?? 0) === desired && s.numberReady === desired && (s.numberAvailable ?? 0) === desired;
      return done && (await livePods(ns, name)).length === desired && ds;
    }, `daemon set ${name} rolled out on ${desired} nodes`, 30_000);
  }

  describe("one pod per node", () => {
    const ns = "ds-basic";

    it("runs one pod on each of the 3 nodes and kubectl shows DESIRED 3 CURRENT 3 READY 3", async () => {
      await namespace(ns);
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(daemonSet("node-agent")));
      await rolledOut(ns, "node-agent", 3);
      const pods = await livePods(ns, "node-agent");
      assert.deepEqual(pods.map(nodeOf).sort(), NODE_NAMES);
      assert.ok(pods.every(isReady));
      const out = await kubectl(["get", "ds", "node-agent", "-n", ns]);
      assert.match(out, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/m);
      assert.match(out, /^node-agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+/m);
      const events = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "involvedObject.name=node-agent,reason=SuccessfulCreate" });
      assert.deepEqual(events.items.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata?.name}`).sort());
    });

    it("pins each pod to its node by node affinity and gives it the daemon tolerations", async () => {
      for (const pod of await livePods(ns, "node-agent")) {
        const spec = pod.spec as { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: unknown } }; tolerations: { key: string; effect: string }[] };
        assert.deepEqual(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, {
          nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeOf(pod)] }] }],
        });
        const tolerated = spec.tolerations.map((t) => `${t.key}:${t.effect}`);
        for (const taint of ["not-ready:NoExecute", "unreachable:NoExecute", "disk-pressure:NoSchedule", "memory-pressure:NoSchedule", "pid-pressure:NoSchedule", "unschedulable:NoSchedule"]) {
          assert.ok(tolerated.includes(`node.kubernetes.io/${taint}`), `${pod.metadata?.name} tolerates ${taint}`);
        }
      }
    });

    it("records the template as ControllerRevision 1 and labels the pods with its hash", async () => {
      const revisions = (await client.list(REVISIONS, { namespace: ns })).items;
      assert.equal(revisions.length, 1);
      const [revision] = revisions;
      const hash = revision?.metadata?.labels?.["controller-revision-hash"] ?? "";
      assert.equal(revision?.metadata?.name, `node-agent-${hash}`);
      assert.equal(revision?.revision, 1);
      assert.equal(revision?.metadata?.ownerReferences?.[0]?.kind, "DaemonSet");
      assert.ok((await livePods(ns, "node-agent")).every((p) => p.metadata?.labels?.["controller-revision-hash"] === hash));
    });

    it("replaces a deleted pod on the same node", async () => {
      const [victim] = await livePods(ns, "node-agent");
      await client.delete(PODS, ns, victim?.metadata?.name ?? "");
      await waitFor(async () => {
        const pods = await livePods(ns, "node-agent");
        return pods.length === 3 && !pods.some((p) => p.metadata?.uid === victim?.metadata?.uid) && pods.filter((p) => nodeOf(p) === nodeOf(victim ?? {})).length === 1;
      }, "a replacement pod on the same node");
      await rolledOut(ns, "node-agent", 3);
    });
  });

  describe("taints and tolerations", () => {
    const ns = "ds-taints";

    it("starts no pod on a node tainted NoSchedule, but a tolerating daemon set still runs there", async () => {
      await namespace(ns);
      await kubectl(["taint", "node", "simulated-2", "dedicated=infra:NoSchedule"]);
      try {
        await client.create(DAEMONSETS, ns, daemonSet("plain"));
        const tolerations = [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }];
        await client.create(DAEMONSETS, ns, daemonSet("tolerant", {}, { tolerations }));
        await rolledOut(ns, "plain", 2);
        await rolledOut(ns, "tolerant", 3);
        assert.deepEqual((await livePods(ns, "plain")).map(nodeOf).sort(), ["simulated-0", "simulated-1"]);
        assert.deepEqual((await livePods(ns, "tolerant")).map(nodeOf).sort(), NODE_NAMES);
      } finally {
        await kubectl(["taint", "node", "simulated-2", "dedicated=infra:NoSchedule-"]);
      }
      await rolledOut(ns, "plain", 3);
    });

    it("keeps a running pod on a node tainted NoSchedule and counts it misscheduled", async () => {
      await kubectl(["taint", "node", "simulated-1", "dedicated=infra:NoSchedule"]);
      try {
        const ds = await waitFor(async () => {
          const d = await getDaemonSet(ns, "plain");
          return d.status?.desiredNumberScheduled === 2 && d.status.numberMisscheduled === 1 && d;
        }, "plain counting the pod on the tainted node as misscheduled");
        assert.equal(ds.status?.currentNumberScheduled, 2);
        assert.ok((await livePods(ns, "plain")).some((p) => nodeOf(p) === "simulated-1"));
      } finally {
        await kubectl(["taint", "node", "simulated-1", "dedicated=infra:NoSchedule-"]);
      }
      await rolledOut(ns, "plain", 3);
    });
  });

  describe("node selection", () => {
    const ns = "ds-selector";

    it("runs only on nodes matching the nodeSelector and deletes the pod of a node that stops matching", async () => {
      await namespace(ns);
      await kubectl(["label", "node", "simulated-0", "simulated-1", "role=edge"]);
      try {
        await client.create(DAEMONSETS, ns, daemonSet("edge", {}, { nodeSelector: { role: "edge" } }));
        await rolledOut(ns, "edge", 2);
        assert.deepEqual((await livePods(ns, "edge")).map(nodeOf).sort(), ["simulated-0", "simulated-1"]);
        await kubectl(["label", "node", "simulated-1", "role-"]);
        await rolledOut(ns, "edge", 1);
        assert.deepEqual((await livePods(ns, "edge")).map(nodeOf), ["simulated-0"]);
        const deleted = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "involvedObject.name=edge,reason=SuccessfulDelete" });
        assert.equal(deleted.items.length, 1);
      } finally {
        await kubectl(["label", "node", "simulated-0", "simulated-1", "role-", "--overwrite"]);
      }
    });

    it("starts a pod on a node that registers and stops counting a node that is deleted", async () => {
      // No simulated node is labelled role=edge any more: only the new node matches.
      await rolledOut(ns, "edge", 0);
      const now = new Date().toISOString();
      const node = {
        metadata: { name: "late-node", labels: { "kubernetes.io/hostname": "late-node", role: "edge" } },
        status: {
          capacity: { cpu: "4", memory: "16Gi", pods: "110" },
          allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
          conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: now, lastTransitionTime: now }],
        },
      };
      await client.create(NODES, undefined, node);
      try {
        await waitFor(async () => (await livePods(ns, "edge")).some((p) => nodeOf(p) === "late-node"), "a daemon pod bound to the new node");
        const ds = await waitFor(async () => {
          const d = await getDaemonSet(ns, "edge");
          return d.status?.desiredNumberScheduled === 1 && d.status.currentNumberScheduled === 1 && d;
        }, "edge desiring the new node's pod");
        // No kubelet runs the new node's pod.
        assert.equal(ds.status?.numberReady, 0);
      } finally {
        await client.delete(NODES, undefined, "late-node");
      }
      await waitFor(async () => {
        const d = await getDaemonSet(ns, "edge");
        return d.status?.desiredNumberScheduled === 0 && d.status.currentNumberScheduled === 0;
      }, "edge desiring no pod once the node is gone");
    });
  });

  describe("updates", () => {
    const ns = "ds-updates";

    async function rollWithTracker(name: string, image: string, desired: number): Promise<PodTracker> {
      const tracker = new PodTracker();
      await tracker.start(client, ns, `app=${name}`);
      try {
        await kubectl(["set", "image", `ds/${name}`, `agent=${image}`, "-n", ns]);
        await rolledOut(ns, name, desired);
      } finally {
        tracker.stop();
      }
      assert.ok((await livePods(ns, name)).every((p) => imageOf(p) === image));
      return tracker;
    }

    it("rolls a new image out one node at a time with maxUnavailable 1", async () => {
      await namespace(ns);
      await client.create(DAEMONSETS, ns, daemonSet("rolling"));
      await rolledOut(ns, "rolling", 3);
      const tracker = await rollWithTracker("rolling", "example/agent:2", 3);
      assert.equal(tracker.minReady, 2, "never more than one node without a ready pod");
      assert.equal(tracker.maxPodsOnANode, 1, "no surge");
      const out = await kubectl(["rollout", "status", "ds/rolling", "-n", ns, "--timeout=20s"]);
      assert.match(out, /daemon set "rolling" successfully rolled out/);
      const revisions = (await client.list(REVISIONS, { namespace: ns })).items.map((r) => r.revision).sort();
      assert.deepEqual(revisions, [1, 2]);
    });

    it("returns to the first template as revision 3 on kubectl rollout undo", async () => {
      await kubectl(["rollout", "undo", "ds/rolling", "-n", ns]);
      await waitFor(async () => {
        const pods = await livePods(ns, "rolling");
        return pods.length === 3 && pods.every((p) => imageOf(p) === "example/agent:1");
      }, "the first image back", 30_000);
      await rolledOut(ns, "rolling", 3);
      const revisions = (await client.list(REVISIONS, { namespace: ns })).items.map((r) => r.revision).sort();
      assert.deepEqual(revisions, [2, 3]);
    });

    it("surges a new pod beside each old one with maxSurge 1 and maxUnavailable 0", async () => {
      await client.create(DAEMONSETS, ns, daemonSet("surging", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
      await rolledOut(ns, "surging", 3);
      const tracker = await rollWithTracker("surging", "example/agent:2", 3);
      assert.ok(tracker.minReady >= 3, `ready pods fell to ${tracker.minReady}`);
      assert.equal(tracker.maxPodsOnANode, 2);
    });

    it("keeps old pods with OnDelete until they are deleted", async () => {
      await client.create(DAEMONSETS, ns, daemonSet("manual", { updateStrategy: { type: "OnDelete" } }));
      await rolledOut(ns, "manual", 3);
      await kubectl(["set", "image", "ds/manual", "agent=example/agent:2", "-n", ns]);
      const ds = await waitFor(async () => {
        const d = await getDaemonSet(ns, "manual");
        return (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && (d.metadata.generation ?? 0) > 1 && d;
      }, "the new generation observed");
      assert.equal(ds.status?.updatedNumberScheduled ?? 0, 0);
      assert.ok((await livePods(ns, "manual")).every((p) => imageOf(p) === "example/agent:1"));
      const [victim] = await livePods(ns, "manual");
      await client.delete(PODS, ns, victim?.metadata?.name ?? "");
      const updated = await waitFor(async () => {
        const d = await getDaemonSet(ns, "manual");
        return d.status?.updatedNumberScheduled === 1 && d.status.numberReady === 3 && d;
      }, "one updated pod");
      assert.equal(updated.status?.desiredNumberScheduled, 3);
      const images = (await livePods(ns, "manual")).map(imageOf).sort();
      assert.deepEqual(images, ["example/agent:1", "example/agent:1", "example/agent:2"]);
    });
  });
});
