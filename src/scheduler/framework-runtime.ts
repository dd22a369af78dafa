// The framework runtime (upstream framework/runtime frameworkImpl): builds a profile's plugins from a
// registry and runs them at each extension point with upstream's rules — Skip from PreFilter/PreScore
// turns the plugin's Filter/Score off for the cycle, the first rejecting Filter decides a node, scores
// are normalized, checked to lie in [0, 100] and weighted, Unreserve runs in reverse order.
import type { Client } from "../client/client.js";
import type { InformerFactory } from "../client/informer-factory.js";
import type { Pod } from "./api-types.js";
import { CycleState } from "./cycle-state.js";
import type { NodeToStatus } from "./fit-error.js";
import {
  type BindPlugin, type FilterPlugin, type Handle, isBindPlugin, isFilterPlugin, isPostFilterPlugin, isPreBindPlugin, isPreFilterPlugin, isPreScorePlugin,
  isReservePlugin, isScorePlugin, MAX_NODE_SCORE, MIN_NODE_SCORE, type Plugin, type PluginFactory, type PodNominator,
  type PostFilterOutcome, type PostFilterPlugin, type PostFilterResult, type PreBindPlugin, type PreFilterPlugin, PreFilterResult, type PreScorePlugin, type Profile,
  type ReservePlugin, type ScorePlugin, type SharedLister,
} from "./framework.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import { type PluginStatus, Status } from "./status.js";

export type Registry = ReadonlyMap<string, PluginFactory>;

export interface FrameworkOptions {
  profile: Profile;
  registry: Registry;
  snapshot: SharedLister;
  /** A number in [0, 1). */
  random: () => number;
  nominator?: PodNominator;
  bindPod?: (pod: Pod, nodeName: string) => Promise<void>;
  informers?: InformerFactory;
  client?: Client;
}

export interface PreFilterRun {
  result: PreFilterResult | undefined;
  status: PluginStatus;
  /** Plugins that narrowed the node set (upstream's pluginsWithNodes). */
  unschedulablePlugins: string[];
}

export class Framework implements Handle {
  readonly profile: Profile;
  readonly snapshot: SharedLister;
  readonly nominator: PodNominator | undefined;
  readonly random: () => number;
  readonly bindPod: ((pod: Pod, nodeName: string) => Promise<void>) | undefined;
  readonly informers: InformerFactory | undefined;
  readonly client: Client | undefined;
  readonly plugins: readonly Plugin[];
  private readonly preFilterPlugins: PreFilterPlugin[];
  private readonly filterPlugins: FilterPlugin[];
  private readonly postFilterPlugins: PostFilterPlugin[];
  private readonly preScorePlugins: PreScorePlugin[];
  private readonly scorePlugins: ScorePlugin[];
  private readonly reservePlugins: ReservePlugin[];
  private readonly preBindPlugins: PreBindPlugin[];
  private readonly bindPlugins: BindPlugin[];
  private readonly weights = new Map<string, number>();
  /** One plugin's scores for the nodes being scored, reused: Score runs for hundreds of nodes per pod. */
  private readonly scoreScratch: number[] = [];

  constructor(o: FrameworkOptions) {
    this.profile = o.profile;
    this.snapshot = o.snapshot;
    this.nominator = o.nominator;
    this.random = o.random;
    this.bindPod = o.bindPod;
    this.informers = o.informers;
    this.client = o.client;
    this.plugins = this.buildPlugins(o.registry);
    this.preFilterPlugins = this.plugins.filter(isPreFilterPlugin);
    this.filterPlugins = this.plugins.filter(isFilterPlugin);
    this.postFilterPlugins = this.plugins.filter(isPostFilterPlugin);
    this.preScorePlugins = this.plugins.filter(isPreScorePlugin);
    this.scorePlugins = this.plugins.filter(isScorePlugin);
    this.reservePlugins = this.plugins.filter(isReservePlugin);
    this.preBindPlugins = this.plugins.filter(isPreBindPlugin);
    this.bindPlugins = this.plugins.filter(isBindPlugin);
  }

  private buildPlugins(registry: Registry): Plugin[] {
    const seen = new Set<string>();
    return this.profile.plugins.map((cfg) => {
      if (seen.has(cfg.name)) throw new Error(`repeated config for plugin ${JSON.stringify(cfg.name)}`);
      seen.add(cfg.name);
      const factory = registry.get(cfg.name);
      if (!factory) throw new Error(`${JSON.stringify(cfg.name)} does not exist`);
      const weight = cfg.weight ?? 1;
      if (!Number.isInteger(weight) || weight < 0) throw new Error(`plugin ${JSON.stringify(cfg.name)}: weight must be a non-negative integer`);
      this.weights.set(cfg.name, weight);
      return factory(this, cfg.args);
    });
  }

  hasFilterPlugins(): boolean { return this.filterPlugins.length > 0; }
  hasScorePlugins(): boolean { return this.scorePlugins.length > 0; }
  hasPostFilterPlugins(): boolean { return this.postFilterPlugins.length > 0; }

  // ---- PreFilter ------------------------------------------------------------------------------

  /** upstream RunPreFilterPlugins. */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterRun {
    let result: PreFilterResult | undefined;
    const withNodes: string[] = [];
    let rejected: Status | null = null;
    for (const pl of this.preFilterPlugins) {
      const out = pl.preFilter(state, pod, nodes);
      if (out instanceof Status && out.isSkip()) {
        state.skipFilterPlugins.add(pl.name);
        continue;
      }
      if (out instanceof Status && !out.isSuccess()) {
        const s = out.withPlugin(pl.name);
        if (s.code === "UnschedulableAndUnresolvable") return { result: undefined, status: s, unschedulablePlugins: [] };
        if (s.code === "Unschedulable") {
          rejected = s;
          continue;
        }
        return { result: undefined, status: Status.error(`running PreFilter plugin ${JSON.stringify(pl.name)}: ${s.message()}`).withPlugin(pl.name), unschedulablePlugins: [] };
      }
      if (!(out instanceof PreFilterResult)) continue;
      withNodes.push(pl.name);
      result = out.merge(result);
      if (result.nodeNames.size === 0) return { result, status: Status.unresolvable(noNodesLeftMessage(withNodes)), unschedulablePlugins: withNodes };
    }
    return { result, status: rejected, unschedulablePlugins: withNodes };
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: PodInfo, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    return this.runExtensions(state, (ext, st) => ext.addPod(st, podToSchedule, podInfoToAdd, nodeInfo), "AddPod");
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: PodInfo, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    return this.runExtensions(state, (ext, st) => ext.removePod(st, podToSchedule, podInfoToRemove, nodeInfo), "RemovePod");
  }

  private runExtensions(state: CycleState, run: (ext: NonNullable<PreFilterPlugin["preFilterExtensions"]>, st: CycleState) => PluginStatus, what: string): PluginStatus {
    for (const pl of this.preFilterPlugins) {
      if (!pl.preFilterExtensions || state.skipFilterPlugins.has(pl.name)) continue;
      const s = run(pl.preFilterExtensions, state);
      if (s && !s.isSuccess()) return Status.error(`running ${what} on PreFilter plugin ${JSON.stringify(pl.name)}: ${s.message()}`).withPlugin(pl.name);
    }
    return null;
  }

  // ---- Filter ---------------------------------------------------------------------------------

  /** upstream RunFilterPlugins: the first plugin that rejects the node decides. */
  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const plugins = state.activeFilterPlugins ?? this.activateFilters(state);
    for (let i = 0; i < plugins.length; i++) {
      const pl = plugins[i] as FilterPlugin;
      const s = pl.filter(state, pod, nodeInfo);
      if (s === null || s.isSuccess()) continue;
      if (!s.isRejected()) return Status.error(`running ${JSON.stringify(pl.name)} filter plugin: ${s.message()}`).withPlugin(pl.name);
      return s.withPlugin(pl.name);
    }
    return null;
  }

  /**
   * The Filter plugins that run in this cycle, worked out once per cycle. A method of its own: a
   * closure over `state` in runFilterPlugins would cost an allocation for every node filtered.
   */
  private activateFilters(state: CycleState): readonly FilterPlugin[] {
    const plugins = this.filterPlugins.filter((p) => !state.skipFilterPlugins.has(p.name));
    state.activeFilterPlugins = plugins;
    return plugins;
  }

  /**
   * upstream RunFilterPluginsWithNominatedPods: when pods of equal or higher priority are nominated to
   * the node, the node must fit with them counted and without them.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const all = this.nominator?.nominatedPodsForNode(nodeInfo.name);
    if (!all || all.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const nominated = nominatedBefore(all, pod);
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const withNominated = nodeInfo.clone();
    const stateWith = state.clone();
    for (const p of nominated) {
      const placed = p.withNodeName(nodeInfo.name);
      withNominated.addPod(placed);
      const s = this.runPreFilterExtensionAddPod(stateWith, pod, placed, withNominated);
      if (s) return s;
    }
    const first = this.runFilterPlugins(stateWith, pod, withNominated);
    if (first !== null) return first;
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  // ---- PostFilter -----------------------------------------------------------------------------

  /** upstream RunPostFilterPlugins. */
  runPostFilterPlugins(state: CycleState, pod: PodInfo, m: NodeToStatus): PostFilterOutcome {
    let result: PostFilterResult | undefined;
    const reasons: string[] = [];
    let rejector = "";
    for (const pl of this.postFilterPlugins) {
      const out = pl.postFilter(state, pod, m);
      const s = out.status;
      if (s.isSuccess()) return out;
      if (s.code === "UnschedulableAndUnresolvable") return { result: out.result, status: s.withPlugin(pl.name) };
      if (!s.isRejected()) return { status: Status.error(s.message()).withPlugin(pl.name) };
      if (out.result) result = out.result;
      reasons.push(...s.reasons);
      if (rejector === "") rejector = pl.name;
    }
    return { result, status: Status.unschedulable(...reasons).withPlugin(rejector) };
  }

  // ---- Score ----------------------------------------------------------------------------------

  /** upstream RunPreScorePlugins. */
  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PluginStatus {
    for (const pl of this.preScorePlugins) {
      const s = pl.preScore(state, pod, nodes);
      if (s === null || s.isSuccess()) continue;
      if (s.isSkip()) {
        state.skipScorePlugins.add(pl.name);
        continue;
      }
      return Status.error(`running PreScore plugin ${JSON.stringify(pl.name)}: ${s.message()}`).withPlugin(pl.name);
    }
    return null;
  }

  /** upstream RunScorePlugins: the weighted sum of every plugin's normalized score, per node. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    for (const pl of this.scorePlugins) {
      if (state.skipScorePlugins.has(pl.name)) continue;
      const scores = this.scoreScratch;
      scores.length = nodes.length;
      if (pl.scoreNodes) pl.scoreNodes(state, pod, nodes, scores);
      else for (let i = 0; i < nodes.length; i++) scores[i] = pl.score(state, pod, nodes[i] as NodeInfo);
      const s = pl.normalizeScore?.(state, pod, nodes, scores) ?? null;
      if (s && !s.isSuccess()) throw new Error(`running Normalize on Score plugins: plugin ${JSON.stringify(pl.name)} failed with: ${s.message()}`);
      const weight = this.weights.get(pl.name) ?? 1;
      for (let i = 0; i < scores.length; i++) {
        const score = scores[i] as number;
        if (score > MAX_NODE_SCORE || score < MIN_NODE_SCORE) {
          throw new Error(`applying score defaultWeights on Score plugins: plugin ${JSON.stringify(pl.name)} returns an invalid score ${score}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`);
        }
        totals[i] = (totals[i] as number) + score * weight;
      }
    }
    return totals;
  }

  // ---- Reserve and Bind -----------------------------------------------------------------------

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): PluginStatus {
    for (const pl of this.reservePlugins) {
      const s = pl.reserve(state, pod, nodeName);
      if (s === null || s.isSuccess()) continue;
      if (s.isRejected()) return s.withPlugin(pl.name);
      return Status.error(`running Reserve plugin ${JSON.stringify(pl.name)}: ${s.message()}`).withPlugin(pl.name);
    }
    return null;
  }

  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) this.reservePlugins[i]?.unreserve(state, pod, nodeName);
  }

  /** upstream RunPreBindPlugins: every plugin must succeed, in order. */
  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const pl of this.preBindPlugins) {
      const s = await pl.preBind(state, pod, nodeName);
      if (s === null || s.isSuccess()) continue;
      if (s.isRejected()) return s.withPlugin(pl.name);
      return Status.error(`running PreBind plugin ${JSON.stringify(pl.name)}: ${s.message()}`).withPlugin(pl.name);
    }
    return Status.success();
  }

  /** upstream RunBindPlugins: the first plugin that does not Skip binds. */
  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const pl of this.bindPlugins) {
      const s = await pl.bind(state, pod, nodeName);
      if (s?.isSkip()) continue;
      if (s === null || s.isSuccess()) return Status.success();
      if (s.isRejected()) return s.withPlugin(pl.name);
      return Status.error(`running Bind plugin ${JSON.stringify(pl.name)}: ${s.message()}`).withPlugin(pl.name);
    }
    return Status.skip();
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}

/** Go's fmt of a sorted []string: "[a b]". */
export function goStringList(names: Iterable<string>): string {
  return `[${[...names].sort().join(" ")}]`;
}

function noNodesLeftMessage(withNodes: string[]): string {
  if (withNodes.length === 1) return `node(s) didn't satisfy plugin ${withNodes[0]}`;
  return `node(s) didn't satisfy plugin(s) ${goStringList(withNodes)} simultaneously`;
}

/** Pods nominated to a node that go before `pod`: equal or higher priority, other than itself. */
function nominatedBefore(nominated: readonly PodInfo[], pod: PodInfo): PodInfo[] {
  return nominated.filter((p) => p.priority >= pod.priority && p.key !== pod.key);
}
