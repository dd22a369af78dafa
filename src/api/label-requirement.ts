// One label selector requirement (`key op values`) as upstream's labels.Requirement (k8s.io/apimachinery
// pkg/labels, v1.32): checked on creation with upstream's messages (NewRequirement), compiled into a
// closure that matches a label set without allocating, and printed back in upstream's String() form.
import { SelectorError } from "./selector-error.js";
import { goQuote } from "./validation/go-quote.js";
import { isQualifiedName, isValidLabelValue } from "./validation/names.js";

/** upstream selection.Operator values. */
export type SelectorOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export type Matcher = (labels: Labels) => boolean;

/** upstream labels.NewRequirement: the requirement, or a SelectorError with every problem found. */
export function newRequirement(key: string, operator: SelectorOperator, values: readonly string[]): LabelRequirement {
  const r: LabelRequirement = { key, operator, values };
  const errs = requirementErrors(r, "");
  if (errs.length) throw new SelectorError(aggregate(errs));
  return r;
}

/** upstream labels.NewRequirement's checks; `path` is the field path prefix ("" for none). */
function requirementErrors(r: LabelRequirement, path: string): string[] {
  const at = (child: string): string => (path ? `${path}.${child}` : child);
  const errs: string[] = [];
  const keyErrs = isQualifiedName(r.key);
  if (keyErrs.length) errs.push(`${at("key")}: Invalid value: ${goQuote(r.key)}: ${keyErrs.join("; ")}`);
  const n = r.values.length;
  const valuesInvalid = (detail: string): string => `${at("values")}: Invalid value: ${goStrings(r.values)}: ${detail}`;
  if ((r.operator === "in" || r.operator === "notin") && n === 0) errs.push(valuesInvalid("for 'in', 'notin' operators, values set can't be empty"));
  if ((r.operator === "=" || r.operator === "==" || r.operator === "!=") && n !== 1) errs.push(valuesInvalid("exact-match compatibility requires one single value"));
  if ((r.operator === "exists" || r.operator === "!") && n !== 0) errs.push(valuesInvalid("values set must be empty for exists and does not exist"));
  if (r.operator === "gt" || r.operator === "lt") {
    if (n !== 1) errs.push(valuesInvalid("for 'Gt', 'Lt' operators, exactly one value is required"));
    r.values.forEach((v, i) => {
      if (parseInt64(v) === undefined) errs.push(`${at("values")}[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  r.values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(`${at("values")}[${i}][${r.key}]: Invalid value: ${goQuote(v)}: ${msgs.join("; ")}`);
  });
  return errs;
}

/** Go's %#v of a []string: []string(nil) when empty (upstream always passes a nil slice then). */
function goStrings(values: readonly string[]): string {
  return values.length === 0 ? "[]string(nil)" : `[]string{${values.map(goQuote).join(", ")}}`;
}

/** upstream utilerrors aggregate text: one message, or "[a, b]" (duplicates dropped). */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(", ")}]`;
}

/** Go's strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(1n << 63n) && n < 1n << 63n ? n : undefined;
}

/** One requirement as a closure. A label value is a string, so `typeof` also rules out inherited properties. */
export function compileRequirement(r: LabelRequirement): Matcher {
  const { key, values } = r;
  const set = new Set(values);
  const one = values.length === 1 ? values[0] : undefined;
  switch (r.operator) {
    case "=": case "==": case "in":
      return one !== undefined ? (l) => l[key] === one : (l) => { const v = l[key]; return typeof v === "string" && set.has(v); };
    case "!=": case "notin":
      return (l) => { const v = l[key]; return typeof v !== "string" || !set.has(v); };
    case "exists":
      return (l) => typeof l[key] === "string";
    case "!":
      return (l) => typeof l[key] !== "string";
    case "gt": case "lt":
      return compileComparison(key, r.operator, one);
  }
}

function compileComparison(key: string, op: "gt" | "lt", value: string | undefined): Matcher {
  const bound = value === undefined ? undefined : parseInt64(value);
  if (bound === undefined) return () => false;
  return (l) => {
    const v = l[key];
    const n = typeof v === "string" ? parseInt64(v) : undefined;
    return n !== undefined && (op === "gt" ? n > bound : n < bound);
  };
}

/** upstream Requirement.String(): `a=b`, `a in (x,y)`, `!a`, `a>1`. */
export function requirementString(r: LabelRequirement): string {
  const values = r.values.length === 1 ? (r.values[0] as string) : [...r.values].sort().join(",");
  switch (r.operator) {
    case "exists": return r.key;
    case "!": return `!${r.key}`;
    case "in": case "notin": return `${r.key} ${r.operator} (${values})`;
    case "gt": return `${r.key}>${values}`;
    case "lt": return `${r.key}<${values}`;
    default: return `${r.key}${r.operator}${values}`;
  }
}
