// Turns the labelSelector and fieldSelector query parameters into a ListFilter, refusing field
// selectors the kind does not support with upstream's 400 ("field label not supported: spec.foo").
import { badRequest } from "./errors.js";
import { FieldSelector, fieldLabelNotSupported } from "./field-selector.js";
import { LabelSelector, type LabelSelectorObject } from "./label-selector.js";
import { fieldValues, EVERYTHING, type ListFilter } from "./list-filter.js";
import type { ResourceDef } from "./resource.js";
import { SelectorError } from "./selector-error.js";

export function buildListFilter(def: ResourceDef, labelSelector: string | null | undefined, fieldSelector: string | null | undefined): ListFilter {
  const labels = parse(() => (labelSelector ? LabelSelector.parse(labelSelector) : undefined));
  const fields = parse(() => (fieldSelector ? FieldSelector.parse(fieldSelector) : undefined));
  if (fields) {
    const unsupported = fields.unsupportedField((f) => f === "metadata.name" || f === "metadata.namespace" || f in (def.fieldSelectors ?? {}));
    if (unsupported) throw badRequest(fieldLabelNotSupported(unsupported));
  }
  const labelsEmpty = !labels || labels.isEmpty();
  const fieldsEmpty = !fields || fields.isEmpty();
  if (labelsEmpty && fieldsEmpty) return EVERYTHING;
  return {
    everything: false,
    matches: (o) => (labelsEmpty || labels!.matches(o.labels)) && (fieldsEmpty || fields!.matches((f) => o.fields[f])),
    matchesObject: (obj) => {
      if (!labelsEmpty && !labels!.matches(obj.metadata?.labels ?? {})) return false;
      if (fieldsEmpty) return true;
      const values = fieldValues(def, obj);
      return fields!.matches((f) => values[f]);
    },
  };
}

/** A metav1.LabelSelector as the selector string the Scale subresource reports. */
export function labelSelectorString(selector: Record<string, unknown>): string {
  return parse(() => LabelSelector.fromObject(selector as LabelSelectorObject)).toString();
}

function parse<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}
