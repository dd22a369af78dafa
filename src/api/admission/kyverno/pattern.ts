// Matches a resource against a Kyverno validate `pattern` (Kyverno's pkg/engine/validate): maps
// match key by key, a list pattern's first element applies to every resource element, scalars match
// as pattern-value.ts says. The outcome is a pass, a failure at a path ("/spec/containers/0/
// securityContext/runAsNonRoot/", as Kyverno reports it), or a skip: a conditional anchor did not
// match, so the rule does not apply (a global anchor skips the whole rule).
import { type Anchor, parseAnchor } from "./anchors.js";
import { matchesValue } from "./pattern-value.js";
import { wildcardMatch } from "./wildcard.js";

export type PatternResult = { outcome: "pass" } | { outcome: "fail"; path: string; message: string } | { outcome: "skip"; message: string; global?: boolean };

const PASS: PatternResult = { outcome: "pass" };
type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function matchPattern(resource: unknown, pattern: unknown): PatternResult {
  return matchElement(resource, pattern, "/");
}

function matchElement(resource: unknown, pattern: unknown, path: string): PatternResult {
  if (isMap(pattern)) {
    if (!isMap(resource)) return fail(path, `pattern and resource have different structures. Path: ${path}`);
    return matchMap(resource, pattern, path);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(resource)) return fail(path, `validation rule failed at path ${path}, resource does not satisfy the expected overlay pattern`);
    return matchArray(resource, pattern, path);
  }
  // A scalar pattern against a list applies to each element.
  const values = Array.isArray(resource) ? resource : [resource];
  for (const value of values) {
    if (!matchesValue(value, pattern)) return fail(path, `resource value '${String(resource)}' does not match '${String(pattern)}' at path ${path}`);
  }
  return PASS;
}

function matchMap(resource: Json, pattern: Json, path: string): PatternResult {
  const expanded = expandMetadataWildcards(pattern, resource, path);
  const anchored: Array<[Anchor, unknown]> = [];
  const plain: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(expanded)) {
    const anchor = parseAnchor(key);
    if (anchor && anchor.kind !== "addIfNotPresent") anchored.push([anchor, value]);
    else if (!anchor) plain.push([key, value]);
  }
  // Anchors first (in key order, as Kyverno), so a failed condition skips the rest of the map.
  anchored.sort(([a], [b]) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const [anchor, value] of anchored) {
    const result = matchAnchor(anchor, value, resource, path);
    if (result.outcome !== "pass") return result;
  }
  // Then plain keys, those holding anchors deeper down first (their conditions may skip the map).
  plain.sort(([, a], [, b]) => Number(containsAnchor(b)) - Number(containsAnchor(a)));
  for (const [key, value] of plain) {
    const childPath = `${path}${key}/`;
    if (value === "*") {
      if (resource[key] === undefined || resource[key] === null) return fail(path, `${path}/${key} not found`);
      continue;
    }
    const result = matchElement(resource[key], value, childPath);
    if (result.outcome !== "pass") return result;
  }
  return PASS;
}

function matchAnchor(anchor: Anchor, pattern: unknown, resource: Json, path: string): PatternResult {
  const present = anchor.key in resource;
  const value = resource[anchor.key];
  const childPath = `${path}${anchor.key}/`;
  switch (anchor.kind) {
    case "negation":
      return present ? fail(childPath, `${childPath} is not allowed`) : PASS;
    case "equality":
      return present ? matchElement(value, pattern, childPath) : PASS;
    case "condition": {
      if (!present) return { outcome: "skip", message: "conditional anchor key doesn't exist in the resource" };
      const result = matchElement(value, pattern, childPath);
      return result.outcome === "fail" ? { outcome: "skip", message: result.message } : result;
    }
    case "global": {
      if (!present) return PASS;
      const result = matchElement(value, pattern, childPath);
      return result.outcome === "fail" ? { outcome: "skip", message: result.message, global: true } : result;
    }
    case "existence": {
      if (!present) return PASS;
      if (!Array.isArray(value)) return fail(childPath, `invalid resource type: Existence ^ () anchor can be used only on list/array type resource`);
      if (!Array.isArray(pattern)) return fail(childPath, "invalid pattern type: Pattern has to be of list to compare against resource");
      for (const elementPattern of pattern) {
        const found = value.some((element, i) => matchElement(element, elementPattern, `${childPath}${i}/`).outcome === "pass");
        if (!found) return fail(childPath, `existence anchor validation failed at path ${childPath}`);
      }
      return PASS;
    }
    default:
      return PASS;
  }
}

function matchArray(resource: unknown[], pattern: unknown[], path: string): PatternResult {
  if (pattern.length === 0) return fail(path, "pattern Array empty");
  const first = pattern[0];
  if (isMap(first)) return matchEach(resource, (element, i) => matchElement(element, first, `${path}${i}/`), path);
  if (!Array.isArray(first)) return matchElement(resource, first, path);
  if (resource.length < pattern.length) return fail(path, `validate Array failed, array length mismatch, resource Array len is ${resource.length} and pattern Array len is ${pattern.length}`);
  return matchEach(pattern, (element, i) => matchElement(resource[i], element, `${path}${i}/`), path);
}

/** Every element must pass; elements whose conditions skip them are left out; all skipped → skip. */
function matchEach(items: unknown[], match: (item: unknown, index: number) => PatternResult, path: string): PatternResult {
  let applied = 0;
  let skip: Extract<PatternResult, { outcome: "skip" }> | undefined;
  for (const [i, item] of items.entries()) {
    const result = match(item, i);
    if (result.outcome === "fail") return result;
    if (result.outcome === "skip") {
      if (result.global) return result;
      skip = result;
    } else {
      applied++;
    }
  }
  return applied === 0 && skip ? { ...skip, message: `${skip.message} (at ${path})` } : PASS;
}

function containsAnchor(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsAnchor);
  if (!isMap(value)) return false;
  return Object.entries(value).some(([key, child]) => parseAnchor(key) !== undefined || containsAnchor(child));
}

/**
 * Kyverno expands wildcard keys under metadata.labels and metadata.annotations: a pattern key
 * "app.*" stands for each resource key it matches (and must match one).
 */
function expandMetadataWildcards(pattern: Json, resource: Json, path: string): Json {
  if (!/\/metadata\/(labels|annotations)\/$/.test(path)) return pattern;
  const out: Json = {};
  for (const [key, value] of Object.entries(pattern)) {
    const anchor = parseAnchor(key);
    const bare = anchor?.key ?? key;
    if (!bare.includes("*") && !bare.includes("?")) {
      out[key] = value;
      continue;
    }
    const matches = Object.keys(resource).filter((k) => wildcardMatch(bare, k));
    if (matches.length === 0) out[key] = value;
    for (const match of matches) out[anchor ? key.replace(bare, match) : match] = value;
  }
  return out;
}

function fail(path: string, message: string): PatternResult {
  return { outcome: "fail", path, message };
}
