// Time under the test's control: a Clock whose timers fire only when the test advances it, letting
// pending promises settle between timers; and waitUntil, which waits on a condition with a deadline
// (yielding to the event loop, never sleeping).
import type { Clock, TimerHandle } from "../../src/client/clock.js";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.time + Math.max(0, ms), seq: this.seq, fn });
    return this.seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Timers not yet fired. */
  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by ms, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (let timer = this.next(target); timer; timer = this.next(target)) {
      this.timers.delete(timer.seq);
      this.time = timer.at;
      timer.fn();
      await settle();
    }
    this.time = target;
  }

  /** Advances in steps of stepMs until cond holds or limitMs passed; returns the time it took. */
  async advanceUntil(cond: () => boolean, stepMs: number, limitMs: number): Promise<number> {
    const start = this.time;
    while (!cond()) {
      if (this.time - start >= limitMs) throw new Error(`condition not met within ${limitMs} ms of fake time`);
      await this.advance(stepMs);
    }
    return this.time - start;
  }

  private next(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.at > limit) continue;
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}

/** Lets every queued promise callback and immediate run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Waits (yielding to the event loop) until cond holds; fails after deadlineMs of real time. */
export async function waitUntil(cond: () => boolean, what = "condition", deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
