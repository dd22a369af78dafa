// CrashLoopBackOff timing as the kubelet keeps it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContainerBackoff } from "../../src/node/container-backoff.js";

describe("container back-off", () => {
  it("restarts at once after the first exit, then waits 10 s, 20 s, 40 s ... up to 300 s", () => {
    const backoff = new ContainerBackoff();
    let t = 1_000_000;
    assert.equal(backoff.restartDelay("p/c", t, t), 0);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      t += 1_000; // the container crashes a second after its restart
      const wait = backoff.restartDelay("p/c", t, t);
      waits.push(wait);
      t += wait;
      assert.equal(backoff.restartDelay("p/c", t - wait, t), 0, "restarts once the wait is over");
    }
    assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it("asks again for the time still left while in back-off", () => {
    const backoff = new ContainerBackoff();
    backoff.restartDelay("k", 0, 0);
    assert.equal(backoff.restartDelay("k", 1_000, 4_000), 7_000);
    assert.equal(backoff.restartDelay("k", 1_000, 10_000), 1_000);
    assert.equal(backoff.currentDelayMs("k"), 10_000);
  });

  it("starts from nothing when the container ran for more than ten minutes", () => {
    const backoff = new ContainerBackoff();
    backoff.restartDelay("k", 0, 0);
    backoff.restartDelay("k", 1_000, 11_000);
    assert.equal(backoff.currentDelayMs("k"), 20_000);
    assert.equal(backoff.restartDelay("k", 1_000 + 11 * 60_000, 1_000 + 11 * 60_000), 0);
    assert.equal(backoff.currentDelayMs("k"), 10_000);
  });

  it("forgets a pod's containers", () => {
    const backoff = new ContainerBackoff();
    backoff.restartDelay("uid1/a", 0, 0);
    backoff.restartDelay("uid1/a", 1, 1);
    backoff.forget("uid1/");
    assert.equal(backoff.restartDelay("uid1/a", 2, 2), 0);
  });
});
