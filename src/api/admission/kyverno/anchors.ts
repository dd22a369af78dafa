// Kyverno's anchors, written around a pattern key: `(key)` conditional (the rest of the map applies
// only if this matches), `<(key)` global (the whole rule applies only if this matches), `^(key)`
// existence (some list element matches), `=(key)` equality (checked only if present), `X(key)`
// negation (must be absent), `+(key)` add-if-absent (a mutate anchor: ignored by validation).
export type AnchorKind = "condition" | "global" | "existence" | "equality" | "negation" | "addIfNotPresent";

export interface Anchor {
  kind: AnchorKind;
  key: string;
}

const PREFIXES: ReadonlyArray<[string, AnchorKind]> = [["<(", "global"], ["^(", "existence"], ["=(", "equality"], ["X(", "negation"], ["+(", "addIfNotPresent"], ["(", "condition"]];

export function parseAnchor(text: string): Anchor | undefined {
  if (!text.endsWith(")")) return undefined;
  for (const [prefix, kind] of PREFIXES) {
    if (text.startsWith(prefix) && text.length > prefix.length + 1) return { kind, key: text.slice(prefix.length, -1) };
  }
  return undefined;
}

/** The key without its anchor. */
export function anchorKey(text: string): string {
  return parseAnchor(text)?.key ?? text;
}
