// The Deployment controller against a real server and the real kubectl: the article's manifest,
// rolling updates within maxSurge/maxUnavailable, rollout status/history/undo/restart, scaling,
// Recreate, pausing, history pruning and the progress deadline; plus table-driven checks of its
// arithmetic and the pod-template-hash. Pods are made Ready by the test, playing the kubelet.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { APPS_V1, CORE_V1, type Client, type WatchHandle } from "../../src/client/client.js";
import type { Deployment } from "../../src/controllers/deployment/objects.js";
import { computeHash, safeEncodeString } from "../../src/controllers/pod-template-hash.js";
import { resolveFenceposts } from "../../src/controllers/deployment/rollout-limits.js";
import type { ReplicaSet } from "../../src/controllers/replicaset/objects.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, kubectlOk, startAdminServer } from "./fixtures.js";
import { isReady, markPodReady, waitFor } from "./mark-ready.js";

const DEPLOYMENTS = APPS_V1("deployments");
const RS = APPS_V1("replicasets");
const PODS = CORE_V1("pods");
/** The article's manifest, from the project's shared examples beside the repository. */
const MANIFEST = fileURLToPath(new URL("../../../../shared/examples/deployment.yaml", import.meta.url));

/** Every pod change in a namespace, in order, with invariants checked after each one. */
class PodTracker {
  readonly pods = new Map<string, KubeObject>();
  maxTotal = 0;
  minReady = Number.POSITIVE_INFINITY;
  violations: string[] = [];
  private handle: WatchHandle | undefined;

  constructor(private readonly check: (pods: KubeObject[]) => string | undefined = () => undefined) {}

  async start(client: Client, namespace: string): Promise<void> {
    const list = await client.list(PODS, { namespace });
    for (const pod of list.items) this.pods.set(pod.metadata?.name ?? "", pod);
    this.handle = client.watch(PODS, { namespace, resourceVersion: list.resourceVersion }, {
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
    this.maxTotal = Math.max(this.maxTotal, pods.length);
    this.minReady = Math.min(this.minReady, pods.filter(isReady).length);
    const violation = this.check(pods);
    if (violation) this.violations.push(violation);
  }

  stop(): void {
    this.handle?.stop();
  }
}

function rolledOut(d: Deployment): boolean {
  const replicas = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas;
}

describe("deployment controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
  });
  after(() => server.close());

  const namespace = (name: string): Promise<string> => createNamespace(client, name);

  const kubectl = (args: string[]): Promise<string> => kubectlOk(server, args);

  async function activePods(ns: string, selector: string): Promise<KubeObject[]> {
    return (await client.list(PODS, { namespace: ns, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp);
  }

  async function replicaSets(ns: string, app: string): Promise<ReplicaSet[]> {
    return (await client.list(RS, { namespace: ns, labelSelector: `app=${app}` })).items as ReplicaSet[];
  }

  async function getDeployment(ns: string, name: string): Promise<Deployment> {
    return (await client.get(DEPLOYMENTS, ns, name)) as Deployment;
  }

  /** Plays the kubelet: makes every pod ready as it appears, until the rollout is complete. */
  async function driveRollout(ns: string, name: string, app: string): Promise<Deployment> {
    return waitFor(async () => {
      for (const pod of await activePods(ns, `app=${app}`)) {
        if (isReady(pod)) continue;
        await markPodReady(client, ns, pod.metadata?.name ?? "").catch((err: unknown) => {
          if (!(err instanceof StatusError && err.code === 404)) throw err;
        });
      }
      const d = await getDeployment(ns, name);
      const pods = await activePods(ns, `app=${app}`);
      return rolledOut(d) && pods.length === (d.spec.replicas ?? 1) && pods.every(isReady) && d;
    }, `deployment ${name} rolled out`, 30_000);
  }

  async function simpleDeployment(ns: string, name: string, spec: Record<string, unknown>): Promise<void> {
    await client.create(DEPLOYMENTS, ns, {
      metadata: { name },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "example/app:1" }] } },
        ...spec,
      },
    });
  }

  describe("the article's deployment", () => {
    const ns = "article";

    it("creates one replica set with 3 pods from the article's manifest", async () => {
      await namespace(ns);
      await kubectl(["apply", "-f", MANIFEST, "-n", ns]);
      const rs = await waitFor(async () => {
        const list = await replicaSets(ns, "api-server");
        return list.length === 1 && list[0]?.status?.replicas === 3 && list[0];
      }, "a replica set with 3 pods");
      const hash = rs.metadata.labels?.["pod-template-hash"] ?? "";
      assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
      assert.equal(rs.metadata.name, `api-server-${hash}`);
      assert.equal(rs.spec.selector?.matchLabels?.["pod-template-hash"], hash);
      assert.equal(rs.spec.template?.metadata?.labels?.["pod-template-hash"], hash);
      assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
      assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "3");
      assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "4");
      assert.equal(rs.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], undefined);
      const pods = await activePods(ns, "app=api-server");
      assert.equal(pods.length, 3);
      assert.ok(pods.every((p) => p.metadata?.labels?.["pod-template-hash"] === hash));
      const d = await driveRollout(ns, "api-server", "api-server");
      assert.equal(d.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
      const available = d.status.conditions?.find((c) => c.type === "Available");
      assert.equal(available?.status, "True");
      assert.equal(available?.reason, "MinimumReplicasAvailable");
      const progressing = d.status.conditions?.find((c) => c.type === "Progressing");
      assert.equal(progressing?.reason, "NewReplicaSetAvailable");
      assert.equal(progressing?.message, `ReplicaSet "${rs.metadata.name}" has successfully progressed.`);
      const events = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "involvedObject.name=api-server,reason=ScalingReplicaSet" });
      assert.deepEqual(events.items.map((e) => e.message), [`Scaled up replica set ${rs.metadata.name} from 0 to 3`]);
    });

    it("rolls out a new image without exceeding maxSurge or going below maxUnavailable", async () => {
      const tracker = new PodTracker();
      await tracker.start(client, ns);
      try {
        await kubectl(["set", "image", "deployment/api-server", "api-server=myregistry/api-server:v1.3.0", "-n", ns]);
        const d = await driveRollout(ns, "api-server", "api-server");
        assert.equal(d.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
        // The controller's own writes (revision annotation, status) never count as spec changes.
        assert.equal(d.metadata.generation, 2);
      } finally {
        tracker.stop();
      }
      // 3 replicas, 25%/25%: maxSurge rounds up to 1, maxUnavailable rounds down to 0.
      assert.equal(tracker.maxTotal, 4);
      assert.equal(tracker.minReady, 3);
      const list = await replicaSets(ns, "api-server");
      assert.equal(list.length, 2);
      const sizes = Object.fromEntries(list.map((rs) => [rs.metadata.annotations?.["deployment.kubernetes.io/revision"], rs.spec.replicas]));
      assert.deepEqual(sizes, { "1": 0, "2": 3 });
      const pods = await activePods(ns, "app=api-server");
      assert.ok(pods.every((p) => (p.spec as { containers: { image: string }[] }).containers[0]?.image === "myregistry/api-server:v1.3.0"));
    });

    it("reports the finished rollout through kubectl rollout status", async () => {
      const out = await kubectl(["rollout", "status", "deployment/api-server", "-n", ns, "--timeout=20s"]);
      assert.match(out, /deployment "api-server" successfully rolled out/);
    });

    it("shows both revisions in kubectl rollout history", async () => {
      const out = await kubectl(["rollout", "history", "deployment/api-server", "-n", ns]);
      assert.match(out, /REVISION\s+CHANGE-CAUSE/);
      assert.match(out, /^1\s+<none>$/m);
      assert.match(out, /^2\s+<none>$/m);
    });

    it("returns to revision 1's template as revision 3 on kubectl rollout undo", async () => {
      const before = (await replicaSets(ns, "api-server")).find((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "1");
      await kubectl(["rollout", "undo", "deployment/api-server", "-n", ns]);
      const d = await driveRollout(ns, "api-server", "api-server");
      const image = (d.spec.template?.spec as { containers: { image: string }[] }).containers[0]?.image;
      assert.equal(image, "myregistry/api-server:v1.2.3");
      assert.equal(d.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
      const list = await replicaSets(ns, "api-server");
      assert.equal(list.length, 2);
      const reused = list.find((rs) => rs.metadata.uid === before?.metadata.uid);
      assert.equal(reused?.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
      assert.equal(reused?.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
      assert.equal(reused?.spec.replicas, 3);
      const out = await kubectl(["rollout", "history", "deployment/api-server", "-n", ns]);
      assert.match(out, /^2\s+<none>$/m);
      assert.match(out, /^3\s+<none>$/m);
    });

    it("scales to 10 replicas and back to 3 with kubectl scale", async () => {
      await kubectl(["scale", "deployment/api-server", "--replicas=10", "-n", ns]);
      let d = await driveRollout(ns, "api-server", "api-server");
      assert.equal(d.status.availableReplicas, 10);
      await kubectl(["scale", "deployment/api-server", "--replicas=3", "-n", ns]);
      d = await waitFor(async () => {
        const got = await getDeployment(ns, "api-server");
        return rolledOut(got) && (await activePods(ns, "app=api-server")).length === 3 && got;
      }, "scaled back to 3");
      const current = (await replicaSets(ns, "api-server")).find((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === "3");
      assert.equal(current?.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "3");
      const events = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "involvedObject.name=api-server,reason=ScalingReplicaSet" });
      const messages = events.items.map((e) => e.message);
      assert.ok(messages.includes(`Scaled up replica set ${current?.metadata.name} from 3 to 10`), messages.join("\n"));
      assert.ok(messages.includes(`Scaled down replica set ${current?.metadata.name} from 10 to 3`), messages.join("\n"));
    });

    it("replaces every pod on kubectl rollout restart", async () => {
      const before = new Set((await activePods(ns, "app=api-server")).map((p) => p.metadata?.name));
      await kubectl(["rollout", "restart", "deployment/api-server", "-n", ns]);
      const d = await driveRollout(ns, "api-server", "api-server");
      assert.ok(d.spec.template?.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]);
      assert.equal(d.metadata.annotations?.["deployment.kubernetes.io/revision"], "4");
      const pods = await activePods(ns, "app=api-server");
      assert.ok(pods.every((p) => !before.has(p.metadata?.name)));
    });
  });

  it("recreates all pods at once with the Recreate strategy, never running old and new together", async () => {
    const ns = await namespace("recreate");
    await simpleDeployment(ns, "batch", { replicas: 2, strategy: { type: "Recreate" } });
    await driveRollout(ns, "batch", "batch");
    const tracker = new PodTracker((pods) => {
      const hashes = new Set(pods.map((p) => p.metadata?.labels?.["pod-template-hash"]));
      return hashes.size > 1 ? `old and new pods together: ${[...hashes].join(", ")}` : undefined;
    });
    await tracker.start(client, ns);
    try {
      await client.patch(DEPLOYMENTS, ns, "batch", "merge", { spec: { template: { spec: { containers: [{ name: "app", image: "example/app:2" }] } } } });
      await driveRollout(ns, "batch", "batch");
    } finally {
      tracker.stop();
    }
    assert.deepEqual(tracker.violations, []);
    assert.equal(tracker.maxTotal, 2);
    assert.equal(tracker.minReady, 0);
  });

  it("does not roll out a paused deployment until it is resumed", async () => {
    const ns = await namespace("paused");
    await simpleDeployment(ns, "web", { replicas: 2 });
    await driveRollout(ns, "web", "web");
    await kubectl(["rollout", "pause", "deployment/web", "-n", ns]);
    await kubectl(["set", "image", "deployment/web", "app=example/app:2", "-n", ns]);
    const paused = await waitFor(async () => {
      const d = await getDeployment(ns, "web");
      const progressing = d.status.conditions?.find((c) => c.type === "Progressing");
      return (d.status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && progressing?.reason === "DeploymentPaused" && d;
    }, "the paused condition");
    assert.equal(paused.status.conditions?.find((c) => c.type === "Progressing")?.status, "Unknown");
    assert.equal((await replicaSets(ns, "web")).length, 1);
    await kubectl(["rollout", "resume", "deployment/web", "-n", ns]);
    const d = await driveRollout(ns, "web", "web");
    assert.equal(d.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assert.equal((await replicaSets(ns, "web")).length, 2);
  });

  it("prunes old replica sets beyond revisionHistoryLimit", async () => {
    const ns = await namespace("history");
    await simpleDeployment(ns, "svc", { replicas: 1, revisionHistoryLimit: 1 });
    await driveRollout(ns, "svc", "svc");
    for (const version of ["2", "3", "4"]) {
      await kubectl(["set", "image", "deployment/svc", `app=example/app:${version}`, "-n", ns]);
      await driveRollout(ns, "svc", "svc");
    }
    const list = await waitFor(async () => {
      const rss = await replicaSets(ns, "svc");
      return rss.length === 2 && rss;
    }, "two replica sets left");
    const revisions = list.map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"]).sort();
    assert.deepEqual(revisions, ["3", "4"]);
  });

  it("marks the rollout failed once progressDeadlineSeconds pass without progress", async () => {
    const ns = await namespace("deadline");
    await simpleDeployment(ns, "stuck", { replicas: 1, progressDeadlineSeconds: 1 });
    const d = await waitFor(async () => {
      const got = await getDeployment(ns, "stuck");
      const progressing = got.status.conditions?.find((c) => c.type === "Progressing");
      return progressing?.reason === "ProgressDeadlineExceeded" && got;
    }, "ProgressDeadlineExceeded", 15_000);
    const progressing = d.status.conditions?.find((c) => c.type === "Progressing");
    const rs = (await replicaSets(ns, "stuck"))[0];
    assert.equal(progressing?.status, "False");
    assert.equal(progressing?.message, `ReplicaSet "${rs?.metadata.name}" has timed out progressing.`);
    const status = await server.kubectl(["rollout", "status", "deployment/stuck", "-n", ns, "--timeout=10s"]);
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /exceeded its progress deadline/);
  });
});

describe("deployment controller arithmetic", () => {
  const fenceposts: { surge: number | string; unavailable: number | string; replicas: number; want: [number, number] }[] = [
    { surge: "25%", unavailable: "25%", replicas: 3, want: [1, 0] },
    { surge: "25%", unavailable: "25%", replicas: 10, want: [3, 2] },
    { surge: "50%", unavailable: "50%", replicas: 5, want: [3, 2] },
    { surge: 0, unavailable: 0, replicas: 4, want: [0, 1] },
    { surge: 2, unavailable: "0%", replicas: 7, want: [2, 0] },
  ];
  for (const c of fenceposts) {
    it(`resolves maxSurge ${c.surge} and maxUnavailable ${c.unavailable} of ${c.replicas} replicas to ${c.want.join(" and ")}`, () => {
      assert.deepEqual(resolveFenceposts(c.surge, c.unavailable, c.replicas), c.want);
    });
  }

  it("hashes a pod template to the same safe-encoded name every time, and to another one after a collision", () => {
    const template = { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "i" }] } };
    const reordered = { spec: { containers: [{ image: "i", name: "c" }] }, metadata: { labels: { app: "a" } } };
    const hash = computeHash(template);
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(computeHash(reordered), hash);
    assert.notEqual(computeHash(template, 1), hash);
    assert.notEqual(computeHash({ ...template, spec: { containers: [{ name: "c", image: "j" }] } }), hash);
  });

  it("safe-encodes digits as upstream's rand.SafeEncodeString does", () => {
    assert.equal(safeEncodeString("0123456789"), "456789bcdf");
  });
});
