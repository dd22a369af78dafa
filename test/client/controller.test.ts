// The controller runner on the fake client: waits for sync, retries with backoff, honours
// requeueAfter, drops terminal errors, and never runs one key twice at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1 } from "../../src/client/client.js";
import {
  defineController, enqueueObject, enqueueOwner, keyFor, type ReconcileContext, type ReconcileResult, splitKey, TerminalError,
} from "../../src/client/controller.js";
import { Informer } from "../../src/client/informer.js";
import { createLogger } from "../../src/log.js";
import { FakeClient, pod } from "./fake-client.js";
import { FakeClock, settle, waitUntil } from "./fake-clock.js";

const PODS = CORE_V1("pods");

function logs() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("info", (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { lines, logger };
}

/** A pod informer (not started) and a controller watching it with the given reconcile. */
function setup(reconcile: (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>, workers = 1) {
  const client = new FakeClient();
  const clock = new FakeClock();
  const { lines, logger } = logs();
  const informer = new Informer(client, PODS, { clock, logger });
  const controller = defineController({ name: "test", reconcile, workers, watches: [{ informer, keys: enqueueObject }], clock, logger });
  return { client, clock, lines, informer, controller };
}

describe("controller", () => {
  it("starts workers only after its informers have synced", async () => {
    const reconciled: string[] = [];
    const { client, informer, controller } = setup(async (key) => void reconciled.push(key));
    await client.create(PODS, "default", pod("p1"));
    const starting = controller.start();
    controller.enqueue("default/early");
    await settle();
    assert.equal(reconciled.length, 0, "nothing runs before sync");
    informer.start();
    await starting;
    await waitUntil(() => reconciled.length === 2, "both keys");
    assert.deepEqual(reconciled.sort(), ["default/early", "default/p1"]);
    await client.create(PODS, "default", pod("p2"));
    await waitUntil(() => reconciled.includes("default/p2"), "the new pod's key");
    await controller.stop();
    await informer.stop();
  });

  it("requeues a failing key with exponential backoff and logs the key", async () => {
    const attempts: number[] = [];
    const { clock, informer, controller, lines } = setup(async (_key, ctx) => {
      attempts.push(clock.now());
      if (ctx.requeues < 3) throw new Error("not yet");
    });
    informer.start();
    await controller.start();
    const t0 = clock.now();
    controller.enqueue("default/a");
    await waitUntil(() => attempts.length === 1, "the first attempt");
    await clock.advance(5);
    await clock.advance(10);
    await clock.advance(20);
    await waitUntil(() => attempts.length === 4, "four attempts");
    assert.deepEqual(attempts.map((t) => t - t0), [0, 5, 15, 35]);
    assert.equal(controller.queue.numRequeues("default/a"), 0, "success forgets the backoff");
    const failures = lines.filter((l) => l.msg === "reconcile failed; requeueing with backoff");
    assert.equal(failures.length, 3);
    assert.equal(failures[0]?.key, "default/a");
    assert.equal(failures[0]?.controller, "test");
    await controller.stop();
    await informer.stop();
  });

  it("requeueAfterMs runs the key again after that delay, with the backoff reset", async () => {
    const attempts: number[] = [];
    const { clock, informer, controller } = setup(async () => {
      attempts.push(clock.now());
      if (attempts.length === 1) throw new Error("first fails");
      return attempts.length === 2 ? { requeueAfterMs: 60_000 } : undefined;
    });
    informer.start();
    await controller.start();
    const t0 = clock.now();
    controller.enqueue("a");
    await clock.advance(5);
    await waitUntil(() => attempts.length === 2, "the retry");
    assert.equal(controller.queue.numRequeues("a"), 0);
    await clock.advance(59_999);
    assert.equal(attempts.length, 2);
    await clock.advance(1);
    await waitUntil(() => attempts.length === 3, "the requeue");
    assert.deepEqual(attempts.map((t) => t - t0), [0, 5, 60_005]);
    await controller.stop();
    await informer.stop();
  });

  it("logs a TerminalError and does not retry it", async () => {
    let attempts = 0;
    const { clock, informer, controller, lines } = setup(async () => {
      attempts += 1;
      throw new TerminalError("spec.replicas is negative");
    });
    informer.start();
    await controller.start();
    controller.enqueue("default/bad");
    await waitUntil(() => attempts === 1, "the attempt");
    await clock.advance(10_000_000);
    assert.equal(attempts, 1);
    assert.equal(controller.queue.waitingCount(), 0);
    assert.ok(lines.some((l) => l.msg === "reconcile failed terminally; not retrying" && l.key === "default/bad"));
    await controller.stop();
    await informer.stop();
  });

  it("never reconciles one key twice at once, while other keys run in parallel", async () => {
    const running = new Map<string, number>();
    const releases: (() => void)[] = [];
    let maxPerKey = 0;
    let maxTotal = 0;
    const runs: string[] = [];
    const { informer, controller } = setup(async (key) => {
      runs.push(key);
      running.set(key, (running.get(key) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, ...running.values());
      maxTotal = Math.max(maxTotal, [...running.values()].reduce((a, b) => a + b, 0));
      await new Promise<void>((resolve) => releases.push(resolve));
      running.set(key, (running.get(key) ?? 1) - 1);
    }, 4);
    informer.start();
    await controller.start();
    controller.enqueue("a");
    controller.enqueue("b");
    await waitUntil(() => releases.length === 2, "a and b running");
    for (let i = 0; i < 5; i++) controller.enqueue("a");
    await settle();
    assert.equal(releases.length, 2, "a is not started again while it runs");
    releases.shift()?.();
    await waitUntil(() => releases.length === 2 && runs.length === 3, "a's one re-run");
    for (const release of releases.splice(0)) release();
    await waitUntil(() => releases.length === 0 && controller.queue.processingCount() === 0, "all done");
    assert.deepEqual(runs, ["a", "b", "a"]);
    assert.equal(maxPerKey, 1);
    assert.equal(maxTotal, 2);
    await controller.stop();
    await informer.stop();
  });

  it("stop aborts the reconcile's signal and waits for it to finish", async () => {
    let finished = false;
    const { informer, controller } = setup(async (_key, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      finished = true;
    });
    informer.start();
    await controller.start();
    controller.enqueue("a");
    await waitUntil(() => controller.queue.processingCount() === 1, "a running");
    await controller.stop();
    assert.equal(finished, true);
    await informer.stop();
  });

  it("enqueueOwner maps an object to its controlling owner of the kind", () => {
    const owned = pod("p1", { owner: "rs1" });
    owned.metadata!.namespace = "ns";
    const notController: KubeObject = { metadata: { name: "p2", namespace: "ns", ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs2", uid: "u" }] } };
    const cases: [string, readonly string[], readonly string[]][] = [
      ["ReplicaSet in apps", enqueueOwner({ kind: "ReplicaSet", group: "apps" })(owned), ["ns/rs1"]],
      ["ReplicaSet, any group", enqueueOwner({ kind: "ReplicaSet" })(owned), ["ns/rs1"]],
      ["wrong group", enqueueOwner({ kind: "ReplicaSet", group: "" })(owned), []],
      ["wrong kind", enqueueOwner({ kind: "Job" })(owned), []],
      ["cluster-scoped owner", enqueueOwner({ kind: "ReplicaSet", clusterScoped: true })(owned), ["rs1"]],
      ["owner that is not the controller", enqueueOwner({ kind: "ReplicaSet" })(notController), []],
      ["no owner", enqueueOwner({ kind: "ReplicaSet" })(pod("p3")), []],
    ];
    for (const [what, got, want] of cases) assert.deepEqual(got, want, what);
  });

  it("builds and splits keys", () => {
    assert.equal(keyFor("ns", "a"), "ns/a");
    assert.equal(keyFor(undefined, "node1"), "node1");
    assert.deepEqual(splitKey("ns/a"), { namespace: "ns", name: "a" });
    assert.deepEqual(splitKey("node1"), { name: "node1" });
    assert.deepEqual(enqueueObject({ metadata: { name: "a", namespace: "ns" } }), ["ns/a"]);
  });
});
