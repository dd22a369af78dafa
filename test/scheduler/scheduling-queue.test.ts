// The scheduling queue: priority then arrival order, one cycle per pod at a time, backoff after
// errors, unschedulable pods parked until a cluster event or a spec change, deletions honoured.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../src/scheduler/api-types.js";
import { SchedulingQueue } from "../../src/scheduler/scheduling-queue.js";
import { FakeClock } from "../client/fake-clock.js";

const pod = (name: string, priority = 0, extra: Record<string, unknown> = {}): Pod =>
  ({ metadata: { name, namespace: "default" }, spec: { priority, containers: [{ name: "c" }], ...extra } }) as Pod;

async function popName(queue: SchedulingQueue): Promise<string | undefined> {
  return (await queue.pop())?.pod.metadata?.name;
}

describe("scheduling queue", () => {
  it("hands out higher priority first, then earlier arrival", async () => {
    const clock = new FakeClock();
    const queue = new SchedulingQueue({ clock });
    queue.add(pod("low-1"));
    await clock.advance(1);
    queue.add(pod("high", 100));
    await clock.advance(1);
    queue.add(pod("low-2"));
    assert.deepEqual([await popName(queue), await popName(queue), await popName(queue)], ["high", "low-1", "low-2"]);
    queue.close();
  });

  it("retries a failed pod only after its backoff", async () => {
    const clock = new FakeClock();
    const queue = new SchedulingQueue({ clock, initialBackoffMs: 1000 });
    queue.add(pod("a"));
    const first = await queue.pop();
    queue.done(first!.key, "error");
    let next: string | undefined;
    void queue.pop().then((p) => (next = p?.pod.metadata?.name));
    await clock.advance(999);
    await Promise.resolve();
    assert.equal(next, undefined);
    await clock.advance(1);
    await new Promise((r) => setImmediate(r));
    assert.equal(next, "a");
    queue.close();
  });

  it("parks an unschedulable pod until the cluster changes or its spec does", async () => {
    const clock = new FakeClock();
    const queue = new SchedulingQueue({ clock, initialBackoffMs: 10, maxUnschedulableMs: 60_000 });
    queue.add(pod("big"));
    queue.done((await queue.pop())!.key, "unschedulable");
    queue.add(pod("big")); // a status-only update: stays parked
    await clock.advance(100);
    assert.equal(queue.pendingCount, 1);
    let next: string | undefined;
    void queue.pop().then((p) => (next = p?.pod.metadata?.name));
    await clock.advance(100);
    await new Promise((r) => setImmediate(r));
    assert.equal(next, undefined, "nothing changed: still parked");
    queue.moveAllToActiveOrBackoff();
    await clock.advance(10);
    await new Promise((r) => setImmediate(r));
    assert.equal(next, "big");
    queue.done("default/big", "unschedulable");
    next = undefined;
    void queue.pop().then((p) => (next = p?.pod.metadata?.name));
    queue.add(pod("big", 0, { nodeSelector: { disk: "ssd" } })); // a spec change may make it fit
    await clock.advance(100);
    await new Promise((r) => setImmediate(r));
    assert.equal(next, "big");
    queue.close();
  });

  it("forgets a deleted pod, also while it is being scheduled", async () => {
    const clock = new FakeClock();
    const queue = new SchedulingQueue({ clock, initialBackoffMs: 10 });
    queue.add(pod("gone"));
    queue.add(pod("kept"));
    queue.delete("default/gone");
    assert.equal(await popName(queue), "kept");
    queue.delete("default/kept");
    queue.done("default/kept", "error");
    await clock.advance(1000);
    assert.equal(queue.pendingCount, 0);
    queue.close();
    assert.equal(await queue.pop(), undefined);
  });
});
