// The work queue and its rate limiters: de-duplication, one worker per key, delays, backoff and
// the token bucket, all on a fake clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultControllerRateLimiter, ExponentialBackoffLimiter, TokenBucketLimiter } from "../../src/client/rate-limiter.js";
import { WorkQueue } from "../../src/client/workqueue.js";
import { FakeClock, settle } from "./fake-clock.js";

function queue() {
  const clock = new FakeClock();
  return { clock, q: new WorkQueue<string>({ clock }) };
}

/** A get() whose result the test can inspect without awaiting. */
function pendingGet(q: WorkQueue<string>) {
  const state: { done: boolean; key?: string } = { done: false };
  void q.get().then((key) => Object.assign(state, { done: true, key }));
  return state;
}

describe("work queue", () => {
  it("collapses a key added while it is queued", async () => {
    const { q } = queue();
    q.add("a");
    q.add("b");
    q.add("a");
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), "b");
    assert.equal(q.len(), 0);
  });

  it("re-queues a key added while it is processing once, after done", async () => {
    const { q } = queue();
    q.add("a");
    assert.equal(await q.get(), "a");
    q.add("a");
    q.add("a");
    assert.equal(q.len(), 0, "not handed out while processing");
    q.done("a");
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), "a");
    q.done("a");
    assert.equal(q.len(), 0);
  });

  it("never hands one key to two workers at once", async () => {
    const { q } = queue();
    const first = pendingGet(q);
    const second = pendingGet(q);
    q.add("a");
    await settle();
    assert.deepEqual(first, { done: true, key: "a" });
    q.add("a");
    await settle();
    assert.equal(second.done, false, "the second worker waits while a is processing");
    q.add("b");
    await settle();
    assert.deepEqual(second, { done: true, key: "b" }, "other keys are not blocked");
    const third = pendingGet(q);
    q.done("a");
    await settle();
    assert.deepEqual(third, { done: true, key: "a" });
  });

  it("addAfter adds the key after the delay, and a key waiting twice keeps the earlier time", async () => {
    const { clock, q } = queue();
    q.addAfter("a", 100);
    q.addAfter("a", 50);
    q.addAfter("b", 50);
    q.addAfter("b", 100);
    await clock.advance(49);
    assert.equal(q.len(), 0);
    await clock.advance(1);
    assert.equal(q.len(), 2);
    await clock.advance(1000);
    assert.equal(q.len(), 2, "each key added once");
    assert.equal(q.waitingCount(), 0);
  });

  it("addRateLimited waits 5 ms, then 10, 20... per key, and forget resets the backoff", async () => {
    const { clock, q } = queue();
    for (const delay of [5, 10, 20, 40]) {
      q.addRateLimited("a");
      await clock.advance(delay - 1);
      assert.equal(q.len(), 0, `not before ${delay} ms`);
      await clock.advance(1);
      assert.equal(q.len(), 1, `after ${delay} ms`);
      assert.equal(await q.get(), "a");
      q.done("a");
    }
    assert.equal(q.numRequeues("a"), 4);
    q.forget("a");
    assert.equal(q.numRequeues("a"), 0);
    q.addRateLimited("a");
    await clock.advance(5);
    assert.equal(q.len(), 1, "back to 5 ms after forget");
  });

  it("shutDown resolves waiting getters with undefined, cancels timers and ignores later adds", async () => {
    const { clock, q } = queue();
    const waiting = pendingGet(q);
    q.addAfter("later", 1000);
    q.shutDown();
    await settle();
    assert.deepEqual(waiting, { done: true, key: undefined });
    assert.equal(clock.pending(), 0);
    q.add("a");
    q.addRateLimited("b");
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
    assert.equal(q.shuttingDown, true);
  });
});

describe("rate limiters", () => {
  it("exponential backoff doubles from the base and stops at the cap", () => {
    const limiter = new ExponentialBackoffLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
    const delays = Array.from({ length: 20 }, () => limiter.when("a"));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(delays[17], 5 * 2 ** 17);
    assert.equal(delays[18], 1000_000, "5 ms × 2^18 is past the 1000 s cap");
    for (let i = 0; i < 2000; i++) limiter.when("a");
    assert.equal(limiter.when("a"), 1000_000, "huge failure counts stay at the cap");
    assert.equal(limiter.when("b"), 5, "per key");
  });

  it("the token bucket lets a burst through, then spaces items at its rate and refills over time", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketLimiter<string>({ qps: 10, burst: 100, clock });
    for (let i = 0; i < 100; i++) assert.equal(bucket.when(`k${i}`), 0);
    assert.equal(bucket.when("x"), 100);
    assert.equal(bucket.when("y"), 200);
    await clock.advance(1000);
    assert.equal(bucket.when("z"), 0, "10 tokens came back in a second, 2 were owed");
  });

  it("the controller default is the larger of the per-key backoff and the shared bucket", () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>(clock);
    for (let i = 0; i < 100; i++) assert.equal(limiter.when(`k${i}`), 5);
    assert.equal(limiter.when("k100"), 100, "the 101st failure in a burst waits for the bucket");
    assert.equal(limiter.numRequeues("k1"), 1);
    limiter.forget("k1");
    assert.equal(limiter.numRequeues("k1"), 0);
  });
});
