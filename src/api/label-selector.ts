// Label selectors as upstream parses and matches them (k8s.io/apimachinery pkg/labels and
// metav1.LabelSelectorAsSelector, v1.32), with upstream's error messages, and the validation of a
// metav1.LabelSelector and of label maps (metav1validation). A selector is compiled once
// (requirements sorted, values in sets, integers pre-parsed) and then matched against many objects
// without allocating: LIST filtering of tens of thousands of objects runs through here.
// Parse errors are thrown as SelectorError; the HTTP edge turns them into 400 BadRequest.
import { compileRequirement, type LabelRequirement, type Labels, type Matcher, newRequirement, requirementString, type SelectorOperator } from "./label-requirement.js";
import { parseLabelRequirements } from "./label-selector-parser.js";
import { SelectorError } from "./selector-error.js";
import { type FieldError, forbiddenField, invalid, required } from "./validation/field-errors.js";
import { goQuote } from "./validation/go-quote.js";
import { isQualifiedName, isValidLabelValue } from "./validation/names.js";

export type { LabelRequirement, Labels, SelectorOperator } from "./label-requirement.js";

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

export class LabelSelector {
  private readonly matchers: readonly Matcher[];

  private constructor(readonly requirements: readonly LabelRequirement[], private readonly nothing = false) {
    this.matchers = requirements.map(compileRequirement);
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
    return new LabelSelector(sortByKey(parseLabelRequirements(text)));
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
