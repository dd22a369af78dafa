// Node selection as upstream component-helpers scheduling/corev1/nodeaffinity (v1.32): a pod's
// nodeSelector ANDed with its required node affinity (terms ORed; within a term, matchExpressions
// and matchFields ANDed; an empty term selects nothing; a term that fails to parse matches nothing
// and the others still count), and preferred terms scored by the sum of the weights that match.
// Operators In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields supports metadata.name In/NotIn.
import { compileRequirement, type Labels, type Matcher, newRequirement, type SelectorOperator } from "../api/label-requirement.js";
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from "./api-types.js";

export const OBJECT_NAME_FIELD = "metadata.name";

/** A node as node affinity sees it. */
export interface NodeRef {
  readonly name: string;
  readonly labels: Labels;
}

const OPERATORS: Readonly<Record<string, SelectorOperator>> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!", Gt: "gt", Lt: "lt" };

/** A parsed NodeSelectorTerm; matches() is false when the term failed to parse. */
export class NodeSelectorTermMatcher {
  private readonly labelMatchers: Matcher[] = [];
  private readonly fieldMatchers: ((name: string) => boolean)[] = [];
  readonly parseError: string | undefined;

  constructor(term: NodeSelectorTerm) {
    try {
      for (const r of term.matchExpressions ?? []) this.labelMatchers.push(compileRequirement(labelRequirement(r)));
      for (const r of term.matchFields ?? []) this.fieldMatchers.push(fieldMatcher(r));
    } catch (e) {
      this.parseError = e instanceof Error ? e.message : String(e);
    }
  }

  matches(node: NodeRef): boolean {
    if (this.parseError !== undefined) return false;
    for (const m of this.labelMatchers) if (!m(node.labels)) return false;
    for (const m of this.fieldMatchers) if (!m(node.name)) return false;
    return true;
  }
}

function labelRequirement(r: NodeSelectorRequirement): ReturnType<typeof newRequirement> {
  const op = OPERATORS[r.operator];
  if (!op) throw new Error(`${JSON.stringify(r.operator)} is not a valid node selector operator`);
  return newRequirement(r.key, op, r.values ?? []);
}

function fieldMatcher(r: NodeSelectorRequirement): (name: string) => boolean {
  if (r.key !== OBJECT_NAME_FIELD) throw new Error(`${JSON.stringify(r.key)} is not a valid field selector key`);
  const values = r.values ?? [];
  const value = values[0];
  if (values.length !== 1 || value === undefined) throw new Error(`unexpected number of value (${values.length}) for node field selector operator ${JSON.stringify(r.operator)}`);
  if (r.operator === "In") return (name) => name === value;
  if (r.operator === "NotIn") return (name) => name !== value;
  throw new Error(`${JSON.stringify(r.operator)} is not a valid node field selector operator`);
}

export function isEmptyTerm(t: NodeSelectorTerm): boolean {
  return (t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0;
}

/** upstream RequiredNodeAffinity: spec.nodeSelector AND requiredDuringSchedulingIgnoredDuringExecution. */
export class RequiredNodeAffinity {
  private constructor(
    private readonly nodeSelector: readonly (readonly [string, string])[],
    private readonly terms: readonly NodeSelectorTermMatcher[] | undefined,
  ) {}

  static fromPod(pod: Pod): RequiredNodeAffinity {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const terms = required ? (required.nodeSelectorTerms ?? []).filter((t) => !isEmptyTerm(t)).map((t) => new NodeSelectorTermMatcher(t)) : undefined;
    return new RequiredNodeAffinity(Object.entries(pod.spec?.nodeSelector ?? {}), terms);
  }

  /** No nodeSelector and no required node affinity: every node matches. */
  isEmpty(): boolean {
    return this.nodeSelector.length === 0 && this.terms === undefined;
  }

  matches(node: NodeRef): boolean {
    for (const [k, v] of this.nodeSelector) if (node.labels[k] !== v) return false;
    if (!this.terms) return true;
    for (const t of this.terms) if (t.matches(node)) return true;
    return false;
  }
}

/** upstream PreferredSchedulingTerms: empty terms are dropped, a bad one is an error. */
export class PreferredSchedulingTerms {
  private constructor(private readonly terms: readonly { matcher: NodeSelectorTermMatcher; weight: number }[]) {}

  /** Throws when a term does not parse. */
  static of(terms: readonly PreferredSchedulingTerm[]): PreferredSchedulingTerms {
    const parsed = terms.filter((t) => !isEmptyTerm(t.preference)).map((t) => ({ matcher: new NodeSelectorTermMatcher(t.preference), weight: t.weight }));
    const bad = parsed.find((t) => t.matcher.parseError !== undefined);
    if (bad) throw new Error(bad.matcher.parseError);
    return new PreferredSchedulingTerms(parsed);
  }

  score(node: NodeRef): number {
    let total = 0;
    for (const t of this.terms) if (t.matcher.matches(node)) total += t.weight;
    return total;
  }
}
