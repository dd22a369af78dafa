// The reconcile loop end to end, as a user drives it with stock kubectl on a server with three
// simulated nodes: the article's Deployment spreads over the nodes and runs, rolls out a new image,
// rolls back, scales; a pod too big for any node stays Pending with upstream's explanation; taints,
// tolerations, node affinity and pod anti-affinity steer placement; deleting a Deployment or a
// Namespace removes what it owns.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../support/test-server.js";

const DEPLOYMENT = fileURLToPath(new URL("../../../../shared/examples/deployment.yaml", import.meta.url));

describe("the reconcile loop with kubectl", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulatedNodes: 3 });
  });
  after(() => server.close());

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input, timeoutMs: 60_000 });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function podsOf(selector: string, namespace = "default"): Promise<{ name: string; node: string; phase: string; image: string }[]> {
    const out = JSON.parse(await ok(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])) as {
      items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string; containers: { image: string }[] }; status: { phase: string } }[];
    };
    return out.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => ({ name: p.metadata.name, node: p.spec.nodeName ?? "", phase: p.status.phase, image: p.spec.containers[0]!.image }));
  }

  it("runs the article's deployment as 3 pods spread over the 3 nodes", async () => {
    await ok(["apply", "-f", DEPLOYMENT]);
    await ok(["rollout", "status", "deployment/api-server", "--timeout=30s"]);
    const pods = await podsOf("app=api-server");
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.phase === "Running"));
    assert.deepEqual(new Set(pods.map((p) => p.node)), new Set(["simulated-0", "simulated-1", "simulated-2"]));
    assert.match(await ok(["get", "deployment", "api-server"]), /api-server\s+3\/3\s+3\s+3/);
  });

  it("rolls out a new image, shows two revisions and rolls back", async () => {
    await ok(["set", "image", "deployment/api-server", "api-server=myregistry/api-server:v1.2.4"]);
    await ok(["rollout", "status", "deployment/api-server", "--timeout=30s"]);
    assert.ok((await podsOf("app=api-server")).every((p) => p.image === "myregistry/api-server:v1.2.4"));
    const history = await ok(["rollout", "history", "deployment/api-server"]);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    await ok(["rollout", "undo", "deployment/api-server"]);
    await ok(["rollout", "status", "deployment/api-server", "--timeout=30s"]);
    await eventually(async () => {
      const pods = await podsOf("app=api-server");
      return pods.length === 3 && pods.every((p) => p.image === "myregistry/api-server:v1.2.3");
    }, "the pods of the first revision");
  });

  it("scales to 10 and back to 3", async () => {
    await ok(["scale", "deployment/api-server", "--replicas=10"]);
    await ok(["rollout", "status", "deployment/api-server", "--timeout=30s"]);
    assert.equal((await podsOf("app=api-server")).length, 10);
    await ok(["scale", "deployment/api-server", "--replicas=3"]);
    await eventually(async () => (await podsOf("app=api-server")).length === 3, "3 pods after scaling down");
  });

  it("keeps a pod that fits nowhere Pending and explains why", async () => {
    await ok(["taint", "node", "simulated-1", "dedicated=gpu:NoSchedule"]);
    await ok(["taint", "node", "simulated-2", "dedicated=gpu:NoSchedule"]);
    await ok(["run", "huge", "--image=busybox", "--overrides", JSON.stringify({ spec: { containers: [{ name: "huge", image: "busybox", resources: { requests: { cpu: "64" } } }] } })]);
    await eventually(async () => /FailedScheduling/.test(await ok(["describe", "pod", "huge"])), "the FailedScheduling event");
    const description = await ok(["describe", "pod", "huge"]);
    assert.match(description, /Status:\s+Pending/);
    assert.match(description, /0\/3 nodes are available: 1 Insufficient cpu, 2 node\(s\) had untolerated taint \{dedicated: gpu\}\./);
    await ok(["delete", "pod", "huge"]);
  });

  it("steers placement with tolerations, node affinity and pod anti-affinity", async () => {
    // simulated-1 and simulated-2 carry dedicated=gpu:NoSchedule from the previous test.
    await ok(["run", "plain", "--image=busybox"]);
    await eventually(async () => (await podsOf("run=plain"))[0]?.node === "simulated-0", "the untolerating pod on simulated-0");
    const tolerating = { spec: { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], nodeSelector: { "kubernetes.io/hostname": "simulated-2" } } };
    await ok(["run", "gpu-job", "--image=busybox", "--overrides", JSON.stringify(tolerating)]);
    await eventually(async () => (await podsOf("run=gpu-job"))[0]?.node === "simulated-2", "the tolerating pod on the node it selects");
    await ok(["taint", "node", "simulated-1", "dedicated-"]);
    await ok(["taint", "node", "simulated-2", "dedicated-"]);
    const spread = {
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "spread" } },
        template: {
          metadata: { labels: { app: "spread" } },
          spec: {
            affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "spread" } }, topologyKey: "kubernetes.io/hostname" }] } },
            containers: [{ name: "c", image: "busybox" }],
          },
        },
      },
    };
    await ok(["apply", "-f", "-"], JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "spread" }, ...spread }));
    await ok(["rollout", "status", "deployment/spread", "--timeout=30s"]);
    assert.equal(new Set((await podsOf("app=spread")).map((p) => p.node)).size, 3, "anti-affinity puts each replica on its own node");
  });

  it("removes a deployment's replicasets and pods when it is deleted", async () => {
    await ok(["delete", "deployment", "spread"]);
    await eventually(async () => (await podsOf("app=spread")).length === 0, "the spread pods to go");
    assert.doesNotMatch(await ok(["get", "rs"]), /spread-/);
  });

  it("removes everything in a namespace when it is deleted", async () => {
    await ok(["create", "namespace", "doomed"]);
    await ok(["create", "deployment", "web", "-n", "doomed", "--image=nginx", "--replicas=2"]);
    await ok(["create", "configmap", "settings", "-n", "doomed", "--from-literal=a=b"]);
    await eventually(async () => (await podsOf("app=web", "doomed")).length === 2, "the doomed pods");
    await ok(["delete", "namespace", "doomed", "--timeout=30s"]);
    const result = await server.kubectl(["get", "namespace", "doomed"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /namespaces "doomed" not found/);
  });
});

describe("node failure", () => {
  it("marks a node that stops heartbeating NotReady and recreates its pods elsewhere", async () => {
    const server = await startTestServer({ simulatedNodes: 3, leaseRenewIntervalMs: 100, controllerSettings: { nodeMonitorGracePeriodMs: 1_000 } });
    try {
      const ok = async (args: string[], input?: string) => {
        const result = await server.kubectl(args, { input, timeoutMs: 60_000 });
        assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
        return result.stdout;
      };
      const eventually = async (check: () => Promise<boolean>, what: string) => {
        const deadline = Date.now() + 30_000;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "resilient" },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: "resilient" } },
          template: {
            metadata: { labels: { app: "resilient" } },
            spec: {
              // A shortened eviction: gone one second after the node is found unreachable.
              tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 }],
              containers: [{ name: "c", image: "busybox" }],
            },
          },
        },
      };
      await ok(["apply", "-f", "-"], JSON.stringify(deployment));
      await ok(["rollout", "status", "deployment/resilient", "--timeout=30s"]);
      const running = async () =>
        (JSON.parse(await ok(["get", "pods", "-l", "app=resilient", "-o", "json"])) as { items: { metadata: { deletionTimestamp?: string }; spec: { nodeName: string }; status: { phase: string } }[] }).items.filter(
          (p) => !p.metadata.deletionTimestamp && p.status.phase === "Running",
        );
      const victimNode = (await running())[0]!.spec.nodeName;
      server.simulatedNodes!.setHeartbeat(victimNode, false);
      await eventually(async () => /NotReady/.test(await ok(["get", "node", victimNode])), `${victimNode} to become NotReady`);
      await eventually(async () => {
        const pods = await running();
        return pods.length === 3 && pods.every((p) => p.spec.nodeName !== victimNode);
      }, "3 running replicas on the other nodes");
      server.simulatedNodes!.setHeartbeat(victimNode, true);
      await eventually(async () => /\sReady\s/.test(await ok(["get", "node", victimNode])), `${victimNode} to be Ready again`);
    } finally {
      await server.close();
    }
  });
});
