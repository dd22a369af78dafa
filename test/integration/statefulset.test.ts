// StatefulSets as a user drives them with stock kubectl on a server with three simulated nodes: the
// README's headless Service and StatefulSet make web-0, web-1, web-2 in order, each after the one
// before is Running and Ready, with stable names, labels, hostnames and DNS subdomain; scaling up
// continues the order and scaling down goes in reverse; a new image rolls from the highest ordinal
// down, `kubectl rollout status|history|undo` work on ControllerRevisions, and a partition holds the
// lower ordinals; volumeClaimTemplates make one claim per pod, owned as the retention policy says;
// invalid specs are refused with upstream's messages. A watch on the pods records the order of
// creates and deletes; every wait has a deadline.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { APPS_V1, CORE_V1, type Client, type WatchHandle } from "../../src/client/client.js";
import type { StatefulSet } from "../../src/controllers/statefulset/objects.js";
import { createNamespace, kubectlOk, startAdminServer } from "../controllers/fixtures.js";
import { isReady, waitFor } from "../controllers/mark-ready.js";
import type { TestServer } from "../support/test-server.js";

const STATEFULSETS = APPS_V1("statefulsets");
const REVISIONS = APPS_V1("controllerrevisions");
const PODS = CORE_V1("pods");
const CLAIMS = CORE_V1("persistentvolumeclaims");

/** The README's example, as written there (a test checks). */
const WEB_MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - name: http
    port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - name: http
          containerPort: 80
`;

/** Every pod of a set as a watch reports it: creates (with the pods ready then) and deletes, in order. */
class PodLog {
  readonly live = new Map<string, KubeObject>();
  readonly created: { name: string; readyThen: string[]; atMs: number }[] = [];
  /** When the watch first showed each pod ready. */
  readonly readyAtMs = new Map<string, number>();
  readonly deleted: string[] = [];
  private handle: WatchHandle | undefined;

  async start(client: Client, namespace: string, labelSelector: string): Promise<void> {
    const list = await client.list(PODS, { namespace, labelSelector });
    for (const pod of list.items) this.live.set(pod.metadata?.name ?? "", pod);
    this.handle = client.watch(PODS, { namespace, labelSelector, resourceVersion: list.resourceVersion }, {
      onEvent: (type, pod) => this.observe(type, pod),
      onClose: () => undefined,
    });
  }

  private observe(type: string, pod: KubeObject): void {
    const name = pod.metadata?.name ?? "";
    if (type === "BOOKMARK") return;
    const wasLive = this.live.has(name) && !this.live.get(name)?.metadata?.deletionTimestamp;
    if (type === "ADDED") this.created.push({ name, readyThen: this.readyNames(), atMs: Date.now() });
    if (isReady(pod) && !this.readyAtMs.has(name)) this.readyAtMs.set(name, Date.now());
    if ((type === "DELETED" || pod.metadata?.deletionTimestamp) && wasLive) this.deleted.push(name);
    if (type === "DELETED") this.live.delete(name);
    else this.live.set(name, pod);
  }

  readyNames(): string[] {
    return [...this.live.values()].filter((p) => !p.metadata?.deletionTimestamp && isReady(p)).map((p) => p.metadata?.name ?? "").sort();
  }

  reset(): void {
    this.created.length = 0;
    this.deleted.length = 0;
  }

  stop(): void {
    this.handle?.stop();
  }
}

function imageOf(pod: KubeObject): string | undefined {
  return (pod.spec as { containers?: { image?: string }[] } | undefined)?.containers?.[0]?.image;
}

describe("statefulsets with kubectl", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", simulatedNodes: 3 }));
  });
  after(() => server.close());

  const kubectl = (args: string[], input?: string): Promise<string> => kubectlOk(server, args, input);

  async function livePods(ns: string, selector: string): Promise<KubeObject[]> {
    const pods = (await client.list(PODS, { namespace: ns, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp);
    return pods.sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  }

  async function getSet(ns: string, name: string): Promise<StatefulSet> {
    return (await client.get(STATEFULSETS, ns, name)) as StatefulSet;
  }

  /** Waits until the set's pods are exactly `names`, all ready and with the wanted image. */
  async function settled(ns: string, selector: string, names: string[], image?: string): Promise<KubeObject[]> {
    return waitFor(async () => {
      const pods = await livePods(ns, selector);
      const ok = pods.length === names.length && pods.every((p, i) => p.metadata?.name === names[i] && isReady(p) && (image === undefined || imageOf(p) === image));
      return ok && pods;
    }, `pods ${names.join(", ")}${image ? ` at ${image}` : ""}`, 30_000);
  }

  describe("the README's web example", () => {
    const ns = "sts-web";
    const log = new PodLog();
    after(() => log.stop());

    it("is the manifest the README shows", async () => {
      const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
      const section = readme.slice(readme.indexOf("**StatefulSets ("));
      const start = section.indexOf("<<'EOF2'\n") + "<<'EOF2'\n".length;
      assert.equal(section.slice(start, section.indexOf("EOF2\n", start)), WEB_MANIFEST);
    });

    it("creates web-0, web-1 and web-2 in order, each once the one before is Running and Ready", async () => {
      await createNamespace(client, ns);
      await log.start(client, ns, "app=web");
      await kubectl(["apply", "-n", ns, "-f", "-"], WEB_MANIFEST);
      await kubectl(["rollout", "status", "statefulset/web", "-n", ns, "--timeout=60s"]);
      const pods = await settled(ns, "app=web", ["web-0", "web-1", "web-2"]);
      assert.deepEqual(log.created.map((c) => c.name), ["web-0", "web-1", "web-2"]);
      assert.deepEqual(log.created.map((c) => c.readyThen), [[], ["web-0"], ["web-0", "web-1"]]);
      assert.ok(pods.every((p) => (p.status as { phase?: string }).phase === "Running"));
      assert.match(await kubectl(["get", "statefulset", "web", "-n", ns]), /^web\s+3\/3\s+/m);
    });

    it("gives each pod its identity: labels, hostname and the service as subdomain", async () => {
      const set = await getSet(ns, "web");
      for (const [ordinal, pod] of (await livePods(ns, "app=web")).entries()) {
        const name = `web-${ordinal}`;
        assert.equal(pod.metadata?.labels?.["statefulset.kubernetes.io/pod-name"], name);
        assert.equal(pod.metadata?.labels?.["apps.kubernetes.io/pod-index"], String(ordinal));
        assert.equal(pod.metadata?.labels?.["controller-revision-hash"], set.status?.updateRevision);
        const spec = pod.spec as { hostname?: string; subdomain?: string };
        assert.deepEqual([spec.hostname, spec.subdomain], [name, "web"]);
        assert.equal(pod.metadata?.ownerReferences?.[0]?.kind, "StatefulSet");
      }
      const events = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "involvedObject.name=web,reason=SuccessfulCreate" });
      assert.deepEqual(events.items.map((e) => e.message).sort(), [0, 1, 2].map((i) => `create Pod web-${i} in StatefulSet web successful`));
    });

    it("reports status as upstream does", async () => {
      const set = await waitFor(async () => {
        const s = await getSet(ns, "web");
        return s.status?.availableReplicas === 3 && s;
      }, "3 available replicas");
      const status = set.status ?? {};
      assert.equal(status.observedGeneration, set.metadata.generation);
      assert.deepEqual([status.replicas, status.readyReplicas, status.currentReplicas, status.updatedReplicas], [3, 3, 3, 3]);
      assert.equal(status.currentRevision, status.updateRevision);
      assert.match(status.currentRevision ?? "", /^web-[a-z0-9]+$/);
      assert.equal(status.collisionCount, 0);
    });

    it("scales to 5 in order and back to 2 in reverse order", async () => {
      log.reset();
      await kubectl(["scale", "statefulset/web", "-n", ns, "--replicas=5"]);
      await settled(ns, "app=web", ["web-0", "web-1", "web-2", "web-3", "web-4"]);
      assert.deepEqual(log.created.map((c) => c.name), ["web-3", "web-4"]);
      assert.ok(log.created[1]?.readyThen.includes("web-3"), "web-4 was created once web-3 was ready");
      await kubectl(["scale", "statefulset/web", "-n", ns, "--replicas=2"]);
      await settled(ns, "app=web", ["web-0", "web-1"]);
      assert.deepEqual(log.deleted, ["web-4", "web-3", "web-2"]);
      await kubectl(["scale", "statefulset/web", "-n", ns, "--replicas=3"]);
      await settled(ns, "app=web", ["web-0", "web-1", "web-2"]);
    });

    it("rolls a new image out from the highest ordinal, and rollout status, history and undo work", async () => {
      log.reset();
      await kubectl(["set", "image", "statefulset/web", "-n", ns, "nginx=nginx:1.28"]);
      const status = await kubectl(["rollout", "status", "statefulset/web", "-n", ns, "--timeout=60s"]);
      assert.match(status, /roll out complete/);
      await settled(ns, "app=web", ["web-0", "web-1", "web-2"], "nginx:1.28");
      assert.deepEqual(log.deleted, ["web-2", "web-1", "web-0"]);
      const set = await waitFor(async () => {
        const s = await getSet(ns, "web");
        return s.status?.currentRevision === s.status?.updateRevision && s.status?.updatedReplicas === 3 && s;
      }, "the update revision becoming current");
      assert.equal(set.status?.currentReplicas, 3);
      const history = await kubectl(["rollout", "history", "statefulset/web", "-n", ns]);
      assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
      const revisions = (await client.list(REVISIONS, { namespace: ns })).items;
      assert.equal(revisions.length, 2);

      log.reset();
      await kubectl(["rollout", "undo", "statefulset/web", "-n", ns]);
      await kubectl(["rollout", "status", "statefulset/web", "-n", ns, "--timeout=60s"]);
      await settled(ns, "app=web", ["web-0", "web-1", "web-2"], "nginx:1.27");
      assert.deepEqual(log.deleted, ["web-2", "web-1", "web-0"]);
      // The restored template is revision 1 raised to 3, not a new revision.
      const after = (await client.list(REVISIONS, { namespace: ns })).items.map((r) => r.revision).sort();
      assert.deepEqual(after, [2, 3]);
    });

    it("holds the ordinals below the partition at the old revision", async () => {
      await kubectl(["patch", "statefulset/web", "-n", ns, "-p", JSON.stringify({ spec: { updateStrategy: { rollingUpdate: { partition: 2 } } } })]);
      await kubectl(["set", "image", "statefulset/web", "-n", ns, "nginx=nginx:1.29"]);
      const status = await kubectl(["rollout", "status", "statefulset/web", "-n", ns, "--timeout=60s"]);
      assert.match(status, /partitioned roll out complete: 1 new pods have been updated/);
      const pods = await settled(ns, "app=web", ["web-0", "web-1", "web-2"]);
      assert.deepEqual(pods.map(imageOf), ["nginx:1.27", "nginx:1.27", "nginx:1.29"]);
      const set = await getSet(ns, "web");
      assert.notEqual(set.status?.currentRevision, set.status?.updateRevision);
      assert.deepEqual([set.status?.currentReplicas, set.status?.updatedReplicas], [2, 1]);
      // Lowering the partition lets the rest follow.
      await kubectl(["patch", "statefulset/web", "-n", ns, "-p", JSON.stringify({ spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } })]);
      await settled(ns, "app=web", ["web-0", "web-1", "web-2"], "nginx:1.29");
    });

    it("serves the scale subresource with the selector, and refuses negative replicas as upstream", async () => {
      const scale = JSON.parse(await kubectl(["get", "--raw", `/apis/apps/v1/namespaces/${ns}/statefulsets/web/scale`])) as { kind: string; apiVersion: string; spec: { replicas: number }; status: { replicas: number; selector: string } };
      assert.deepEqual([scale.apiVersion, scale.kind, scale.spec.replicas, scale.status.replicas, scale.status.selector], ["autoscaling/v1", "Scale", 3, 3, "app=web"]);
      const result = await server.kubectl(["patch", "statefulset/web", "-n", ns, "--subresource=scale", "--type=merge", "-p", '{"spec":{"replicas":-1}}']);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    });

    it("recreates a deleted pod with the same name", async () => {
      const [before] = await livePods(ns, "statefulset.kubernetes.io/pod-name=web-1");
      await kubectl(["delete", "pod", "web-1", "-n", ns]);
      const pods = await settled(ns, "app=web", ["web-0", "web-1", "web-2"]);
      assert.notEqual(pods[1]?.metadata?.uid, before?.metadata?.uid);
    });
  });

  describe("minReadySeconds", () => {
    const ns = "sts-min-ready";

    it("counts a pod available only after minReadySeconds, and creates the next one only then", async () => {
      await createNamespace(client, ns);
      const log = new PodLog();
      await log.start(client, ns, "app=slow");
      try {
        const set = {
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "slow" },
          spec: { serviceName: "slow", replicas: 2, minReadySeconds: 2, selector: { matchLabels: { app: "slow" } }, template: { metadata: { labels: { app: "slow" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
        };
        await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(set));
        const early = await waitFor(async () => {
          const s = await getSet(ns, "slow");
          return s.status?.readyReplicas === 1 && s;
        }, "slow-0 ready");
        assert.equal(early.status?.availableReplicas ?? 0, 0);
        await waitFor(async () => (await getSet(ns, "slow")).status?.availableReplicas === 2, "both pods available", 30_000);
        const [first, second] = log.created;
        assert.deepEqual([first?.name, second?.name], ["slow-0", "slow-1"]);
        const waited = (second?.atMs ?? 0) - (log.readyAtMs.get("slow-0") ?? Number.POSITIVE_INFINITY);
        assert.ok(waited >= 1500, `slow-1 was created ${waited} ms after slow-0 became ready`);
      } finally {
        log.stop();
      }
    });
  });

  describe("Parallel and OnDelete", () => {
    const ns = "sts-parallel";
    const set = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "par" },
      spec: {
        serviceName: "par", replicas: 3, podManagementPolicy: "Parallel", updateStrategy: { type: "OnDelete" },
        selector: { matchLabels: { app: "par" } }, template: { metadata: { labels: { app: "par" } }, spec: { containers: [{ name: "c", image: "busybox:1" }] } },
      },
    };

    it("Parallel creates the pods without waiting and scales to zero at once", async () => {
      await createNamespace(client, ns);
      const log = new PodLog();
      await log.start(client, ns, "app=par");
      try {
        await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(set));
        await settled(ns, "app=par", ["par-0", "par-1", "par-2"]);
        assert.deepEqual(log.created.map((c) => c.name).sort(), ["par-0", "par-1", "par-2"]);
        assert.ok(log.created.some((c) => c.readyThen.length < Number(c.name.slice(-1))), "some pod was created before all lower ordinals were ready");
      } finally {
        log.stop();
      }
    });

    it("numbers pods from ordinals.start, and moving the start replaces the pods outside the range", async () => {
      const numbered = { ...set, metadata: { name: "num" }, spec: { ...set.spec, serviceName: "num", replicas: 2, ordinals: { start: 1 }, updateStrategy: { type: "RollingUpdate" }, selector: { matchLabels: { app: "num" } }, template: { metadata: { labels: { app: "num" } }, spec: set.spec.template.spec } } };
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(numbered));
      await settled(ns, "app=num", ["num-1", "num-2"]);
      await kubectl(["patch", "statefulset/num", "-n", ns, "-p", JSON.stringify({ spec: { ordinals: { start: 2 } } })]);
      await settled(ns, "app=num", ["num-2", "num-3"]);
    });

    it("OnDelete keeps running pods at the old image and recreates a deleted one at the new", async () => {
      await kubectl(["set", "image", "statefulset/par", "-n", ns, "c=busybox:2"]);
      await waitFor(async () => {
        const s = await getSet(ns, "par");
        return s.status?.observedGeneration === s.metadata.generation && s.status?.updateRevision !== s.status?.currentRevision;
      }, "the new revision observed");
      assert.deepEqual((await livePods(ns, "app=par")).map(imageOf), ["busybox:1", "busybox:1", "busybox:1"]);
      await kubectl(["delete", "pod", "par-1", "-n", ns]);
      const pods = await settled(ns, "app=par", ["par-0", "par-1", "par-2"]);
      assert.deepEqual(pods.map(imageOf), ["busybox:1", "busybox:2", "busybox:1"]);
      await kubectl(["scale", "statefulset/par", "-n", ns, "--replicas=0"]);
      await waitFor(async () => (await livePods(ns, "app=par")).length === 0, "every pod gone");
    });
  });

  describe("volumeClaimTemplates", () => {
    const ns = "sts-claims";

    function setWithClaims(name: string, policy?: { whenDeleted: string; whenScaled: string }, replicas = 2): KubeObject {
      return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name },
        spec: {
          serviceName: name,
          replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: "db", image: "postgres:17", volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }] }] },
          },
          volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
          ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}),
        },
      };
    }

    async function claim(name: string): Promise<KubeObject | undefined> {
      return (await client.list(CLAIMS, { namespace: ns })).items.find((c) => c.metadata?.name === name);
    }

    it("makes one claim per pod, named <template>-<set>-<ordinal>, mounted by the pod", async () => {
      await createNamespace(client, ns);
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(setWithClaims("db")));
      const pods = await settled(ns, "app=db", ["db-0", "db-1"]);
      const claims = (await client.list(CLAIMS, { namespace: ns })).items;
      assert.deepEqual(claims.map((c) => c.metadata?.name).sort(), ["data-db-0", "data-db-1"]);
      for (const c of claims) {
        assert.equal(c.metadata?.labels?.app, "db");
        assert.equal(c.metadata?.ownerReferences, undefined, "Retain/Retain: no owner");
      }
      for (const [i, pod] of pods.entries()) {
        const volumes = (pod.spec as { volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] }).volumes;
        assert.equal(volumes.find((v) => v.name === "data")?.persistentVolumeClaim?.claimName, `data-db-${i}`);
      }
      const events = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "involvedObject.name=db,reason=SuccessfulCreate" });
      assert.ok(events.items.some((e) => e.message === "create Claim data-db-0 Pod db-0 in StatefulSet db success"));
    });

    it("keeps claims with Retain when scaled down and when the set is deleted", async () => {
      await kubectl(["scale", "statefulset/db", "-n", ns, "--replicas=1"]);
      await settled(ns, "app=db", ["db-0"]);
      await kubectl(["delete", "statefulset", "db", "-n", ns]);
      await waitFor(async () => (await livePods(ns, "app=db")).length === 0, "db's pods gone");
      assert.ok(await claim("data-db-0"));
      assert.ok(await claim("data-db-1"));
    });

    it("whenDeleted Delete makes the set the claims' controller; deleting the set deletes them", async () => {
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(setWithClaims("ephemeral", { whenDeleted: "Delete", whenScaled: "Retain" })));
      await settled(ns, "app=ephemeral", ["ephemeral-0", "ephemeral-1"]);
      const set = await getSet(ns, "ephemeral");
      const owners = await waitFor(async () => (await claim("data-ephemeral-1"))?.metadata?.ownerReferences, "the claim's owner");
      assert.deepEqual(owners, [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "ephemeral", uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      // Retained on scale-down: still owned by the set only.
      await kubectl(["scale", "statefulset/ephemeral", "-n", ns, "--replicas=1"]);
      await settled(ns, "app=ephemeral", ["ephemeral-0"]);
      assert.equal((await claim("data-ephemeral-1"))?.metadata?.ownerReferences?.[0]?.kind, "StatefulSet");
      await kubectl(["delete", "statefulset", "ephemeral", "-n", ns]);
      await waitFor(async () => !(await claim("data-ephemeral-0")) && !(await claim("data-ephemeral-1")), "the claims collected with the set");
    });

    it("whenScaled Delete hands a scaled-away pod's claim to the pod, and it goes with the pod", async () => {
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(setWithClaims("scratch", { whenDeleted: "Retain", whenScaled: "Delete" }, 3)));
      await settled(ns, "app=scratch", ["scratch-0", "scratch-1", "scratch-2"]);
      assert.equal((await claim("data-scratch-2"))?.metadata?.ownerReferences, undefined);
      await kubectl(["scale", "statefulset/scratch", "-n", ns, "--replicas=2"]);
      await settled(ns, "app=scratch", ["scratch-0", "scratch-1"]);
      await waitFor(async () => !(await claim("data-scratch-2")), "the scaled-away pod's claim collected");
      assert.ok(await claim("data-scratch-1"));
      // Scaling up again makes a fresh claim for the ordinal.
      await kubectl(["scale", "statefulset/scratch", "-n", ns, "--replicas=3"]);
      await settled(ns, "app=scratch", ["scratch-0", "scratch-1", "scratch-2"]);
      assert.ok(await claim("data-scratch-2"));
    });
  });

  describe("adoption", () => {
    const ns = "sts-adoption";
    const keep = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "keep" },
      spec: { serviceName: "keep", replicas: 2, selector: { matchLabels: { app: "keep" } }, template: { metadata: { labels: { app: "keep" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };

    it("orphans the pods when deleted with --cascade=orphan, and a new set of the name adopts them without restarting them", async () => {
      await createNamespace(client, ns);
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(keep));
      const before = await settled(ns, "app=keep", ["keep-0", "keep-1"]);
      // A pod the selector matches whose name is no member of the set is never adopted.
      await client.create(PODS, ns, { apiVersion: "v1", kind: "Pod", metadata: { name: "stray", labels: { app: "keep" } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
      await kubectl(["delete", "statefulset", "keep", "-n", ns, "--cascade=orphan"]);
      await waitFor(async () => (await livePods(ns, "app=keep")).every((p) => !p.metadata?.ownerReferences?.length), "the pods orphaned");
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(keep));
      const set = await getSet(ns, "keep");
      const adopted = await waitFor(async () => {
        const pods = (await livePods(ns, "app=keep")).filter((p) => p.metadata?.name !== "stray");
        return pods.length === 2 && pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === set.metadata.uid) && pods;
      }, "the pods adopted by the new set");
      assert.deepEqual(adopted.map((p) => p.metadata?.uid), before.map((p) => p.metadata?.uid));
      const stray = await client.get(PODS, ns, "stray");
      assert.equal(stray.metadata?.ownerReferences, undefined);
      await waitFor(async () => (await getSet(ns, "keep")).status?.readyReplicas === 2, "the new set counting both pods ready");
    });
  });

  describe("invalid specs", () => {
    const ns = "sts-invalid";
    function webSet(): KubeObject & { spec: Record<string, unknown> } {
      return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "bad" },
        spec: {
          serviceName: "bad",
          selector: { matchLabels: { app: "bad" } },
          template: { metadata: { labels: { app: "bad" } }, spec: { containers: [{ name: "c", image: "busybox" }] } },
        },
      };
    }

    async function refused(mutate: (set: ReturnType<typeof webSet>) => void): Promise<string> {
      const set = webSet();
      mutate(set);
      const result = await server.kubectl(["apply", "-n", ns, "-f", "-"], { input: JSON.stringify(set) });
      assert.notEqual(result.code, 0, "kubectl apply should fail");
      return result.stderr;
    }

    before(() => createNamespace(client, ns));

    it("refuses an unknown podManagementPolicy", async () => {
      const err = await refused((s) => (s.spec.podManagementPolicy = "Sometimes"));
      assert.match(err, /The StatefulSet "bad" is invalid: spec\.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'/);
    });

    it("refuses a selector that does not match the template's labels", async () => {
      const err = await refused((s) => (s.spec.selector = { matchLabels: { app: "other" } }));
      assert.match(err, /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
    });

    it("refuses an unknown retention policy and a zero maxUnavailable", async () => {
      const err = await refused((s) => {
        s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Keep", whenScaled: "Retain" };
        s.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } };
      });
      assert.match(err, /spec\.persistentVolumeClaimRetentionPolicy\.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"/);
      assert.match(err, /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: cannot be 0/);
    });

    it("refuses a claim template without access modes", async () => {
      const err = await refused((s) => (s.spec.volumeClaimTemplates = [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } }]));
      assert.match(err, /spec\.volumeClaimTemplates\[0\]\.spec\.accessModes: Required value: at least 1 access mode is required/);
    });

    it("refuses changes to fields other than the updatable ones", async () => {
      await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(webSet()));
      const result = await server.kubectl(["patch", "statefulset/bad", "-n", ns, "-p", JSON.stringify({ spec: { serviceName: "elsewhere" } })]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden/);
    });
  });
});
