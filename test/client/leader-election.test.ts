// Leader election between candidates sharing one (fake) API, on a fake clock: one leads, renews,
// and the other takes over only when the leader has stopped renewing or released the lease.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { internalError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { LEASES, LeaderElector } from "../../src/client/leader-election.js";
import { createLogger } from "../../src/log.js";
import { FakeClient } from "./fake-client.js";
import { FakeClock, waitUntil } from "./fake-clock.js";

const quiet = createLogger("error", () => undefined);

interface Candidate {
  elector: LeaderElector;
  /** What happened to it, with the fake time in seconds since the start. */
  timeline: string[];
  running: Promise<void>;
}

function candidate(client: FakeClient, clock: FakeClock, identity: string, t0: number): Candidate {
  const timeline: string[] = [];
  const at = () => (clock.now() - t0) / 1000;
  const elector = new LeaderElector({
    client, clock, identity, namespace: "kube-system", name: "kubelite-controllers", logger: quiet, random: () => 0,
    onStartedLeading: (signal) => {
      timeline.push(`started ${at()}`);
      signal.addEventListener("abort", () => timeline.push(`signal ${at()}`));
    },
    onStoppedLeading: () => timeline.push(`stopped ${at()}`),
  });
  return { elector, timeline, running: elector.run() };
}

function holderOf(lease: KubeObject): string | undefined {
  return (lease.spec as { holderIdentity?: string }).holderIdentity;
}

async function lease(client: FakeClient): Promise<KubeObject> {
  return client.get(LEASES, "kube-system", "kubelite-controllers");
}

describe("leader election", () => {
  it("one of two candidates leads and keeps leading while it renews", async () => {
    const client = new FakeClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, "a", clock.now());
    const b = candidate(client, clock, "b", clock.now());
    await clock.advance(0);
    await clock.advance(60_000);
    const leaders = [a, b].filter((c) => c.elector.isLeader());
    assert.equal(leaders.length, 1, "exactly one leader, though both raced to create the lease");
    const leader = leaders[0]!;
    const current = await lease(client);
    assert.equal(holderOf(current), leader === a ? "a" : "b");
    assert.equal(a.elector.leader(), holderOf(current));
    assert.equal(b.elector.leader(), holderOf(current));
    const spec = current.spec as { renewTime: string; leaseDurationSeconds: number; leaseTransitions: number };
    assert.equal(spec.leaseDurationSeconds, 15);
    assert.equal(spec.leaseTransitions, 0);
    assert.equal(Date.parse(spec.renewTime), clock.now(), "renewed every 2 s, last at 60 s");
    assert.match(spec.renewTime, /\.\d{6}Z$/, "MicroTime");
    assert.deepEqual(leader.timeline, ["started 0"]);
    for (const c of [a, b]) c.elector.stop();
    await clock.advance(0);
    await Promise.all([a.running, b.running]);
  });

  it("the other candidate takes over after the leader stops renewing, and never overlaps it", async () => {
    const client = new FakeClient();
    const clock = new FakeClock();
    const t0 = clock.now();
    const a = candidate(client, clock, "a", t0);
    await clock.advance(0);
    assert.equal(a.elector.isLeader(), true);
    const b = candidate(client, clock, "b", t0);
    await clock.advance(1_000);
    assert.equal(b.elector.isLeader(), false);

    // a can no longer write: its renewals fail from now on.
    client.beforeWrite = (obj) => {
      if (holderOf(obj) === "a") throw internalError("etcd unavailable");
    };
    await clock.advanceUntil(() => b.elector.isLeader(), 1_000, 30_000);
    await a.running;
    assert.deepEqual(a.timeline, ["started 0", "signal 10", "stopped 10"], "a gives up at its renew deadline");
    assert.deepEqual(b.timeline, ["started 16"], "b waits for the 15 s lease to expire, then its next 2 s retry");
    const spec = (await lease(client)).spec as { holderIdentity: string; leaseTransitions: number };
    assert.deepEqual([spec.holderIdentity, spec.leaseTransitions], ["b", 1]);
    b.elector.stop();
    await clock.advance(0);
    await b.running;
  });

  it("a leader whose renewals hang stops leading at the renew deadline", async () => {
    const client = new FakeClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, "a", clock.now());
    await clock.advance(0);
    client.beforeWrite = () => new Promise<void>(() => undefined);
    await clock.advance(20_000);
    await a.running;
    assert.deepEqual(a.timeline, ["started 0", "signal 10", "stopped 10"]);
  });

  it("stop releases the lease, so the other candidate need not wait for it to expire", async () => {
    const client = new FakeClient();
    const clock = new FakeClock();
    const t0 = clock.now();
    const a = candidate(client, clock, "a", t0);
    await clock.advance(0);
    const b = candidate(client, clock, "b", t0);
    await clock.advance(3_000);
    a.elector.stop();
    await waitUntil(() => a.timeline.includes("stopped 3"), "a to stop");
    await a.running;
    assert.equal(holderOf(await lease(client)), undefined, "released");
    await clock.advanceUntil(() => b.elector.isLeader(), 1_000, 30_000);
    assert.deepEqual(b.timeline, ["started 4"], "b takes over at its next retry");
    b.elector.stop();
    await clock.advance(0);
    await b.running;
  });

  it("rejects timings that would let two leaders overlap", () => {
    const base = { client: new FakeClient(), namespace: "ns", name: "l", identity: "a", onStartedLeading: () => undefined, logger: quiet };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration must be greater/);
    assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadline must be greater/);
  });
});
