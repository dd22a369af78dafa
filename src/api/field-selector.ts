// Field selectors as upstream parses and matches them (k8s.io/apimachinery pkg/fields, v1.32): terms
// `field=value`, `field==value` or `field!=value` joined by commas, values escaped with \\, \= and \,.
// Parse errors are thrown as SelectorError with upstream's message; the HTTP edge turns them into
// 400 BadRequest. Which fields a kind supports is the caller's business (unsupportedField).
import { SelectorError } from "./selector-error.js";
import { goQuote } from "./validation/go-quote.js";

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
