// Label and field selectors as upstream parses and matches them (k8s.io/apimachinery pkg/labels,
// pkg/fields and metav1.LabelSelectorAsSelector, v1.32), with upstream's error messages. A selector is
// compiled once (requirements sorted, values in sets, integers pre-parsed) and then matched against
// many objects without allocating: LIST filtering of tens of thousands of objects runs through here.
// Parse errors are thrown as SelectorError; the HTTP edge turns them into 400 BadRequest.
import { type FieldError, forbiddenField, invalid, required } from "./validation/field-errors.js";
import { isQualifiedName, isValidLabelValue } from "./validation/names.js";

export class SelectorError extends Error {
  override readonly name = "SelectorError";
}

/** upstream selection.Operator values. */
export type SelectorOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

/** metav1.LabelSelector as JSON. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[] | null;
}

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

// ---- Go formatting of values in messages -----------------------------------------------------------

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const ESCAPES: Readonly<Record<string, string>> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\" };

/** Go's strconv.Quote (what %q prints). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
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

// ---- requirements ------------------------------------------------------------------------------

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

function newRequirement(key: string, operator: SelectorOperator, values: readonly string[]): LabelRequirement {
  const r: LabelRequirement = { key, operator, values };
  const errs = requirementErrors(r, "");
  if (errs.length) throw new SelectorError(aggregate(errs));
  return r;
}

/** Go's strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(1n << 63n) && n < 1n << 63n ? n : undefined;
}

type Matcher = (labels: Labels) => boolean;

/** One requirement as a closure. A label value is a string, so `typeof` also rules out inherited properties. */
function compile(r: LabelRequirement): Matcher {
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

function requirementString(r: LabelRequirement): string {
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

// ---- label selectors -------------------------------------------------------------------------------

export class LabelSelector {
  private readonly matchers: readonly Matcher[];

  private constructor(readonly requirements: readonly LabelRequirement[], private readonly nothing = false) {
    this.matchers = requirements.map(compile);
  }

  /** Matches every object (an empty selector, or an empty LabelSelector object). */
  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  /** Matches no object (a null LabelSelector object, upstream labels.Nothing()). */
  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  /** Parses the string syntax (`a=b,c!=d,e in (x,y),!f,g`); throws SelectorError with upstream's message. */
  static parse(text: string): LabelSelector {
    return new LabelSelector(sortByKey(new LabelParser(text).parse()));
  }

  /** key=value for each label, unvalidated (upstream SelectorFromValidatedSet). */
  static fromSet(labels: Labels): LabelSelector {
    return new LabelSelector(sortByKey(Object.entries(labels).map(([key, v]) => ({ key, operator: "=", values: [v] }))));
  }

  /**
   * A metav1.LabelSelector (upstream LabelSelectorAsSelector): null or undefined selects nothing,
   * an empty object everything. Throws SelectorError with upstream's message on a bad key, value or operator.
   */
  static fromObject(selector: LabelSelectorObject | null | undefined): LabelSelector {
    if (selector === null || selector === undefined) return LabelSelector.nothing();
    const reqs = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => newRequirement(key, "=", [v]));
    for (const expr of selector.matchExpressions ?? []) reqs.push(newRequirement(expr.key, expressionOperator(expr.operator), expr.values ?? []));
    return new LabelSelector(sortByKey(reqs));
  }

  matches(labels: Labels | undefined): boolean {
    if (this.nothing) return false;
    const l = labels ?? {};
    for (const m of this.matchers) if (!m(l)) return false;
    return true;
  }

  /** True when the selector does not restrict anything (never for nothing()). */
  isEmpty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return this.nothing;
  }

  /** The value a selector requires for key (=, == or a one-value in), if any. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((req) => req.key === key);
    if (!r || r.values.length !== 1 || !(r.operator === "=" || r.operator === "==" || r.operator === "in")) return undefined;
    return r.values[0];
  }

  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function expressionOperator(op: string): SelectorOperator {
  switch (op) {
    case "In": return "in";
    case "NotIn": return "notin";
    case "Exists": return "exists";
    case "DoesNotExist": return "!";
    default: throw new SelectorError(`${goQuote(op)} is not a valid label selector operator`);
  }
}

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
  allowUnknownOperatorInRequirement?: boolean;
}

/** upstream metav1validation.ValidateLabelSelector: field errors under `path` (e.g. "spec.selector"). */
export function validateLabelSelector(selector: LabelSelectorObject | null | undefined, path: string, options: LabelSelectorValidationOptions = {}): FieldError[] {
  if (!selector) return [];
  const errs = validateLabelMap(selector.matchLabels ?? {}, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((expr, i) => errs.push(...validateExpression(expr, `${path}.matchExpressions[${i}]`, options)));
  return errs;
}

/** upstream ValidateLabels: every key a qualified name, every value a label value, errors at `path`. */
export function validateLabelMap(labels: Labels, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(invalid(path, v, msg));
  }
  return errs;
}

function validateExpression(expr: LabelSelectorRequirementObject, path: string, options: LabelSelectorValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const values = expr.values ?? [];
  if (expr.operator === "In" || expr.operator === "NotIn") {
    if (values.length === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (expr.operator === "Exists" || expr.operator === "DoesNotExist") {
    if (values.length > 0) errs.push(forbiddenField(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else if (!options.allowUnknownOperatorInRequirement) {
    errs.push(invalid(`${path}.operator`, expr.operator, "not a valid selector operator"));
  }
  for (const msg of isQualifiedName(expr.key)) errs.push(invalid(`${path}.key`, expr.key, msg));
  if (!options.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalid(`${path}.values[${i}]`, v, msg));
    });
  }
  return errs;
}

// ---- the label selector string syntax ------------------------------------------------------------

type Token = "eos" | "identifier" | ")" | "," | "!" | "==" | "=" | ">" | "<" | "!=" | "in" | "notin" | "(";
interface Item { tok: Token; lit: string }

const KEYWORDS: ReadonlyMap<string, Token> = new Map<string, Token>([[")", ")"], [",", ","], ["!", "!"], ["==", "=="], ["=", "="], [">", ">"], ["in", "in"], ["<", "<"], ["!=", "!="], ["notin", "notin"], ["(", "("]]);
const isWhitespace = (ch: string): boolean => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecial = (ch: string): boolean => "=!(),><".includes(ch) && ch !== "";

/** upstream's lexer: a NUL byte, like the end, stops it. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s.charAt(pos++) : "");
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === "" || ch === "\0") return [...items, { tok: "eos", lit: "" }];
    let buf = ch;
    if (isSpecial(ch)) {
      // Longest special-symbol keyword: "!=" and "==" over "!" and "=".
      while (pos < s.length && KEYWORDS.has(buf + s.charAt(pos)) && isSpecial(s.charAt(pos))) buf += read();
      items.push({ tok: KEYWORDS.get(buf) as Token, lit: buf });
      continue;
    }
    for (ch = read(); ch !== "" && ch !== "\0" && !isSpecial(ch) && !isWhitespace(ch); ch = read()) buf += ch;
    if (ch !== "" && ch !== "\0") pos--;
    items.push({ tok: KEYWORDS.get(buf) ?? "identifier", lit: buf });
  }
}

class LabelParser {
  private readonly items: Item[];
  private position = 0;

  constructor(text: string) {
    this.items = lex(text);
  }

  /** In a values context "in" and "notin" are plain identifiers. */
  private lookahead(values: boolean): Item {
    const item = this.items[this.position] as Item;
    return values && (item.tok === "in" || item.tok === "notin") ? { tok: "identifier", lit: item.lit } : item;
  }

  private consume(values: boolean): Item {
    const item = this.lookahead(values);
    this.position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === "eos") return reqs;
      if (tok !== "identifier" && tok !== "!") throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirement());
      const next = this.consume(true);
      if (next.tok === "eos") return reqs;
      if (next.tok !== ",") throw new SelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== "identifier" && after.tok !== "!") throw new SelectorError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    try {
      const { key, operator } = this.keyAndInferredOperator();
      if (operator === "exists" || operator === "!") return newRequirement(key, operator, []);
      const op = this.operator();
      const values = op === "in" || op === "notin" ? this.valueSet() : this.exactValue();
      return newRequirement(key, op, [...values].sort());
    } catch (err) {
      throw err instanceof SelectorError ? new SelectorError(`unable to parse requirement: ${err.message}`) : err;
    }
  }

  private keyAndInferredOperator(): { key: string; operator?: SelectorOperator } {
    let item = this.consume(true);
    const negated = item.tok === "!";
    if (negated) item = this.consume(true);
    if (item.tok !== "identifier") throw new SelectorError(`found '${item.lit}', expected: identifier`);
    const errs = isQualifiedName(item.lit);
    if (errs.length) throw new SelectorError(`<nil>: Invalid value: ${goQuote(item.lit)}: ${errs.join("; ")}`);
    const next = this.lookahead(true).tok;
    if (negated) return { key: item.lit, operator: "!" };
    return { key: item.lit, operator: next === "eos" || next === "," ? "exists" : undefined };
  }

  private operator(): SelectorOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case "in": case "notin": case "=": case "==": case "!=": return tok;
      case ">": return "gt";
      case "<": return "lt";
      default: throw new SelectorError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private valueSet(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== "(") throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === ")") {
      this.consume(true);
      return new Set([""]);
    }
    if (tok !== "identifier" && tok !== ",") throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    this.consume(true); // the ")" identifiers() stopped at
    return values;
  }

  /** A comma-separated list whose items may be empty ("(a,,b)", "(,a)"), up to the closing ")". */
  private identifiers(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === "identifier") {
        values.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ")") return values;
        if (next.tok !== ",") throw new SelectorError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ",") {
        if (values.size === 0) values.add("");
        const next = this.lookahead(true).tok;
        if (next === ")") return values.add("");
        if (next === ",") {
          // v1.32 consumes the second comma of ",," here (later versions do not).
          this.consume(true);
          values.add("");
        }
      } else {
        throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const next = this.lookahead(true).tok;
    if (next === "eos" || next === ",") return new Set([""]);
    const { tok, lit } = this.consume(true);
    if (tok !== "identifier") throw new SelectorError(`found '${lit}', expected: identifier`);
    return new Set([lit]);
  }
}

// ---- field selectors -------------------------------------------------------------------------------

export interface FieldRequirement {
  readonly field: string;
  /** "==" parses as "=", as upstream's Requirements() reports it. */
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** The message upstream's per-kind field label conversion returns for an unsupported field (400). */
export const fieldLabelNotSupported = (field: string): string => `field label not supported: ${field}`;

/** The message of upstream's default conversion (kinds with only metadata.name and metadata.namespace). */
export const notAKnownFieldSelector = (field: string): string =>
  `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;

export class FieldSelector {
  private constructor(readonly requirements: readonly FieldRequirement[], private readonly nothing = false) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  static nothing(): FieldSelector {
    return new FieldSelector([], true);
  }

  /** Parses `a=b,c!=d,e==f` (values escaped with \, \= \\); throws SelectorError with upstream's message. */
  static parse(text: string): FieldSelector {
    const reqs: FieldRequirement[] = [];
    for (const part of splitTerms(text).sort()) {
      if (part === "") continue;
      const term = splitTerm(part);
      if (!term) throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
      const value = unescapeFieldValue(term.rhs);
      // upstream's Transform drops a term whose field and value are both empty.
      if (term.lhs !== "" || value !== "") reqs.push({ field: term.lhs, operator: term.op === "!=" ? "!=" : "=", value });
    }
    return new FieldSelector(reqs);
  }

  /** field=value for each entry. */
  static fromSet(fields: Readonly<Record<string, string>>): FieldSelector {
    return new FieldSelector(Object.entries(fields).map(([field, value]) => ({ field, operator: "=", value })));
  }

  /** Whether every requirement holds; a field `get` does not know reads as "" (upstream Set.Get). */
  matches(get: (field: string) => string | undefined): boolean {
    if (this.nothing) return false;
    for (const r of this.requirements) {
      const equal = (get(r.field) ?? "") === r.value;
      if (r.operator === "=" ? !equal : equal) return false;
    }
    return true;
  }

  isEmpty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === "=")?.value;
  }

  /** The first field (in upstream's order) `supported` rejects: the caller answers 400 for it. */
  unsupportedField(supported: (field: string) => boolean): string | undefined {
    return this.requirements.find((r) => !supported(r.field))?.field;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }
}

/** Splits on unescaped commas, keeping the escapes. */
function splitTerms(selector: string): string[] {
  if (selector === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first "!=", "==" or "=" splits a term (field names cannot be escaped). */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ["!=", "==", "="]) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** upstream fields.UnescapeValue, with its errors. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = "";
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}
