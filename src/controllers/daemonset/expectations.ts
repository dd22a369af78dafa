// The DaemonSet controller's expectations (upstream ControllerExpectations.SetExpectations in
// pkg/controller/controller_utils.go): how many pod creates and which pod deletes a DaemonSet's
// last sync still waits to see in the informer, so that the next sync does not act twice on a
// cache that has not caught up. Unlike the ReplicaSet's, one sync sets creates and deletes
// together. Deletions are tracked by pod key, so a graceful delete (deletionTimestamp set) and the
// final removal count once. A key is satisfied when nothing is outstanding or its expectations are
// older than the TTL (5 minutes: a dropped event must not stall a DaemonSet forever).
import type { Clock } from "../../client/clock.js";
import { EXPECTATIONS_TIMEOUT_MS } from "../expectations.js";

interface Expected {
  adds: number;
  deleteKeys: Set<string>;
  setAtMs: number;
}

export class DaemonSetExpectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  satisfied(dsKey: string): boolean {
    const exp = this.byKey.get(dsKey);
    if (!exp || (exp.adds <= 0 && exp.deleteKeys.size === 0)) return true;
    return this.clock.now() - exp.setAtMs > this.ttlMs;
  }

  /** SetExpectations: replaces whatever was expected for dsKey. */
  set(dsKey: string, adds: number, deletePodKeys: readonly string[]): void {
    this.byKey.set(dsKey, { adds, deleteKeys: new Set(deletePodKeys), setAtMs: this.clock.now() });
  }

  creationObserved(dsKey: string): void {
    const exp = this.byKey.get(dsKey);
    if (exp) exp.adds -= 1;
  }

  /** LowerExpectations for creates never attempted. */
  lowerCreations(dsKey: string, count: number): void {
    const exp = this.byKey.get(dsKey);
    if (exp) exp.adds -= count;
  }

  deletionObserved(dsKey: string, podKey: string): void {
    this.byKey.get(dsKey)?.deleteKeys.delete(podKey);
  }

  delete(dsKey: string): void {
    this.byKey.delete(dsKey);
  }
}
