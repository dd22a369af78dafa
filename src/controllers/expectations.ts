// Upstream's UIDTrackingControllerExpectations (pkg/controller/controller_utils.go): what a
// controller still expects to see in its informer after its own creates and deletes, so it does not
// act twice on a cache that has not caught up (a second sync creating the same pods again).
// - expectCreations/expectDeletions replace whatever was expected for the key;
// - creations are counted; deletions are tracked by pod key, so a graceful deletion (an update that
//   sets deletionTimestamp) and the final delete count once;
// - a key is satisfied when nothing is outstanding, when it expects nothing at all, or when its
//   expectations are older than the TTL (5 minutes upstream: a dropped watch event must not stall
//   a controller forever).
// Time comes from the injected clock. In memory only: after a restart nothing is expected.
import type { Clock } from "../client/clock.js";

/** ExpectationsTimeout upstream. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expected {
  adds: number;
  dels: number;
  /** Pod keys whose deletion is still expected. */
  deleteKeys: Set<string>;
  setAtMs: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** SatisfiedExpectations: true when the controller may act on its cache for this key. */
  satisfied(controllerKey: string): boolean {
    const exp = this.byKey.get(controllerKey);
    if (!exp) return true;
    if (exp.adds <= 0 && exp.dels <= 0) return true;
    return this.clock.now() - exp.setAtMs > this.ttlMs;
  }

  expectCreations(controllerKey: string, adds: number): void {
    this.byKey.set(controllerKey, { adds, dels: 0, deleteKeys: new Set(), setAtMs: this.clock.now() });
  }

  expectDeletions(controllerKey: string, podKeys: readonly string[]): void {
    const deleteKeys = new Set(podKeys);
    this.byKey.set(controllerKey, { adds: 0, dels: deleteKeys.size, deleteKeys, setAtMs: this.clock.now() });
  }

  creationObserved(controllerKey: string): void {
    const exp = this.byKey.get(controllerKey);
    if (exp) exp.adds -= 1;
  }

  /** Counts the deletion of podKey once, if this controller expected it. */
  deletionObserved(controllerKey: string, podKey: string): void {
    const exp = this.byKey.get(controllerKey);
    if (!exp || !exp.deleteKeys.delete(podKey)) return;
    exp.dels -= 1;
  }

  /** Forgets the key (its object was deleted, so a new one of the same name starts clean). */
  delete(controllerKey: string): void {
    this.byKey.delete(controllerKey);
  }
}
