// NodeAffinity (upstream plugins/nodeaffinity, v1.32). PreFilter skips pods without nodeSelector or
// required node affinity, and narrows the nodes to those named by matchFields metadata.name In
// terms; Filter requires nodeSelector AND the required terms; Score sums the weights of matching
// preferred terms, normalized so the best node gets 100.
import { type CycleState, readState, type StateData } from "../cycle-state.js";
import { type FilterPlugin, MAX_NODE_SCORE, type PluginFactory, type PreFilterOutcome, type PreFilterPlugin, PreFilterResult, type PreScorePlugin, type ScorePlugin } from "../framework.js";
import { OBJECT_NAME_FIELD, PreferredSchedulingTerms, RequiredNodeAffinity } from "../node-affinity.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { defaultNormalizeScore } from "../score-normalize.js";
import { type PluginStatus, Status } from "../status.js";
import type { NodeSelectorTerm } from "../api-types.js";

export const NODE_AFFINITY = "NodeAffinity";
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";
const PRE_FILTER_KEY = `PreFilter${NODE_AFFINITY}`;
const PRE_SCORE_KEY = `PreScore${NODE_AFFINITY}`;

class PreFilterState implements StateData {
  constructor(readonly required: RequiredNodeAffinity) {}
  clone(): StateData { return this; }
}

class PreScoreState implements StateData {
  constructor(readonly preferred: PreferredSchedulingTerms) {}
  clone(): StateData { return this; }
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;
  private readonly rejected = Status.unresolvable(ERR_REASON_POD).withPlugin(NODE_AFFINITY);

  preFilter(state: CycleState, pod: PodInfo): PreFilterOutcome {
    const required = RequiredNodeAffinity.fromPod(pod.pod);
    if (required.isEmpty()) return Status.skip();
    state.write(PRE_FILTER_KEY, new PreFilterState(required));
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    return terms.length === 0 ? null : nodeNamesOf(terms);
  }

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const s = state.read(PRE_FILTER_KEY);
    const required = s instanceof PreFilterState ? s.required : RequiredNodeAffinity.fromPod(pod.pod);
    return required.matches(nodeInfo) ? null : this.rejected;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PluginStatus {
    if (nodes.length === 0) return null;
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (terms.length === 0) return Status.skip();
    try {
      state.write(PRE_SCORE_KEY, new PreScoreState(PreferredSchedulingTerms.of(terms)));
    } catch (e) {
      return Status.error(e instanceof Error ? e.message : String(e));
    }
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    return readState(state, PRE_SCORE_KEY, PreScoreState).preferred.score(nodeInfo);
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): PluginStatus {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return null;
  }
}

/**
 * upstream PreFilter's node-name narrowing: terms are ORed, so every term must name nodes
 * (metadata.name In, intersected within a term) for the union to restrict anything.
 */
function nodeNamesOf(terms: readonly NodeSelectorTerm[]): PreFilterOutcome {
  let union: Set<string> | undefined;
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== OBJECT_NAME_FIELD || r.operator !== "In") continue;
      const values = new Set(r.values ?? []);
      names = names ? new Set([...names].filter((n) => values.has(n))) : values;
    }
    if (!names) return null;
    union = new Set([...(union ?? []), ...names]);
  }
  if (union && union.size === 0) return Status.unresolvable(ERR_REASON_CONFLICT);
  return union ? new PreFilterResult(union) : null;
}

export const newNodeAffinity: PluginFactory = () => new NodeAffinity();
