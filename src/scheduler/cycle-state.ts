// Per-cycle scratch space shared by a pod's plugins (upstream framework.CycleState): PreFilter and
// PreScore write what Filter and Score read, keyed by plugin-chosen strings. Preemption's dry runs
// work on clones, so every value knows how to copy itself.
import type { FilterPlugin } from "./framework.js";

export interface StateData {
  clone(): StateData;
}

export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins whose PreFilter returned Skip: their Filter does not run. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score does not run. */
  readonly skipScorePlugins = new Set<string>();
  /**
   * The Filter plugins that run in this cycle, worked out by the framework at the first Filter and
   * kept here because Filter runs for hundreds of nodes per cycle. Not copied by clone().
   */
  activeFilterPlugins: readonly FilterPlugin[] | undefined;

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }

  read(key: string): StateData | undefined {
    return this.data.get(key);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}

/** Reads state written under key, checking its class; throws when PreFilter/PreScore did not write it. */
export function readState<T extends StateData>(state: CycleState, key: string, type: abstract new (...args: never[]) => T): T {
  const v = state.read(key);
  if (v instanceof type) return v;
  throw new Error(`reading ${JSON.stringify(key)} from cycleState: not found`);
}
