// metav1.LabelSelector fields of kinds, read through label-selector.ts: a typed view of the JSON,
// upstream's FormatLabelSelector for printing, matching template labels, and the empty check.
import { LabelSelector, type LabelSelectorObject } from "../label-selector.js";
import { SelectorError } from "../selector-error.js";
import { isRecord, recordsAt, stringAt, stringMapAt, stringsAt } from "./object-fields.js";

/** The selector as a LabelSelectorObject, or undefined when absent (a nil selector). */
export function labelSelectorObject(value: unknown): LabelSelectorObject | undefined {
  if (!isRecord(value)) return undefined;
  return {
    matchLabels: stringMapAt(value, "matchLabels") ?? null,
    matchExpressions: recordsAt(value, "matchExpressions").map((e) => ({ key: stringAt(e, "key") ?? "", operator: stringAt(e, "operator") ?? "", values: stringsAt(e, "values") })),
  };
}

/** upstream LabelSelectorAsSelector, or undefined when the selector is invalid. */
export function selectorOf(value: unknown): LabelSelector | undefined {
  try {
    return LabelSelector.fromObject(labelSelectorObject(value));
  } catch (err) {
    if (err instanceof SelectorError) return undefined;
    throw err;
  }
}

/** metav1.FormatLabelSelector: "<none>" when it selects everything (or nothing), "<error>" when invalid. */
export function formatLabelSelector(value: unknown): string {
  const selector = selectorOf(value);
  if (!selector) return "<error>";
  return selector.toString() || "<none>";
}

/** True when a selector object has neither matchLabels nor matchExpressions. */
export function isEmptyLabelSelector(value: unknown): boolean {
  const selector = labelSelectorObject(value);
  return selector !== undefined && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
