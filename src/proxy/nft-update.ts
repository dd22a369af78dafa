// The change from one rendering of some Services to the next as an nft script for the loaded
// table, so a single endpoint change costs a few commands instead of reloading every Service's
// rules (one `nft -f` is still one kernel transaction). Order matters to the kernel: elements that
// point at chains go first, then changed chains are flushed and dropped chains and sets deleted,
// then new sets, chains and rules are added, and the new elements last. Chains whose rules did
// not change are left alone, so ClientIP affinity state survives unrelated changes. Pure.
import { TABLE, type NftChain, type RenderedService } from "./nft-ruleset.js";

export interface ServiceChange {
  /** The Service's part as loaded now (absent: a new Service). */
  before?: RenderedService;
  /** Its part from now on (absent: the Service is gone). */
  after?: RenderedService;
}

type CollectionField = "serviceIPs" | "nodePorts" | "noEndpointServices" | "noEndpointNodePorts";

const COLLECTIONS: [CollectionField, string][] = [
  ["serviceIPs", "service-ips"],
  ["nodePorts", "node-ports"],
  ["noEndpointServices", "no-endpoint-services"],
  ["noEndpointNodePorts", "no-endpoint-nodeports"],
];

export function renderUpdate(changes: readonly ServiceChange[], hairpin: { added: string[]; removed: string[] }): string {
  const lines: string[] = [];
  const addElements: string[] = [];
  for (const [field, name] of COLLECTIONS) {
    const removed: string[] = [];
    const added: string[] = [];
    for (const { before, after } of changes) {
      const old = new Set(before?.[field] ?? []);
      const next = new Set(after?.[field] ?? []);
      for (const element of old) if (!next.has(element)) removed.push(element.split(" : ")[0]!);
      for (const element of next) if (!old.has(element)) added.push(element);
    }
    if (removed.length > 0) lines.push(`delete element ip ${TABLE} ${name} { ${removed.join(", ")} }`);
    if (added.length > 0) addElements.push(`add element ip ${TABLE} ${name} { ${added.join(", ")} }`);
  }
  if (hairpin.removed.length > 0) lines.push(`delete element ip ${TABLE} hairpin { ${hairpin.removed.join(", ")} }`);
  if (hairpin.added.length > 0) addElements.push(`add element ip ${TABLE} hairpin { ${hairpin.added.join(", ")} }`);

  const flushes: string[] = [];
  const deletes: string[] = [];
  const additions: string[] = [];
  const rules: string[] = [];
  for (const { before, after } of changes) {
    const oldChains = byName(before?.chains ?? []);
    const newChains = byName(after?.chains ?? []);
    for (const [name, chain] of oldChains) {
      const next = newChains.get(name);
      if (next && sameStatements(chain, next)) continue;
      flushes.push(`flush chain ip ${TABLE} ${name}`);
      if (!next) deletes.push(`delete chain ip ${TABLE} ${name}`);
    }
    const newSets = new Set((after?.sets ?? []).map((s) => s.name));
    for (const set of before?.sets ?? []) if (!newSets.has(set.name)) deletes.push(`delete set ip ${TABLE} ${set.name}`);
    for (const set of after?.sets ?? []) additions.push(`add set ip ${TABLE} ${set.name} { ${set.declaration} }`);
    for (const [name, chain] of newChains) {
      const old = oldChains.get(name);
      if (old && sameStatements(old, chain)) continue;
      additions.push(`add chain ip ${TABLE} ${name}`);
      for (const statement of chain.statements) rules.push(`add rule ip ${TABLE} ${name} ${statement}`);
    }
  }
  return [...lines, ...flushes, ...deletes, ...additions, ...rules, ...addElements].map((line) => `${line}\n`).join("");
}

function byName(chains: NftChain[]): Map<string, NftChain> {
  return new Map(chains.map((c) => [c.name, c]));
}

function sameStatements(a: NftChain, b: NftChain): boolean {
  return a.statements.length === b.statements.length && a.statements.every((s, i) => s === b.statements[i]);
}
