// What server-side apply removes when an applier stops applying a field (structured-merge-diff's
// Updater.prune with addBackOwnedItems and addBackDanglingItems, collapsed into one step): the
// fields the applier owned before, less everything some manager (the applier's new set included)
// still owns, are removed from the merged object. Declared struct fields with owned fields below
// them count as owned themselves (upstream's EnsureNamedFieldsAreMembers), so removing a field
// never takes a struct that others still use with it, while a list item or map entry nobody owns
// any more goes as a whole. Fields nobody ever owned (defaults, status) are left alone.
// Pure: returns a new object.
import type { FieldSet } from "./field-set.js";
import type { FieldType, TypeResolver } from "./field-type.js";
import { removeFields } from "./remove-fields.js";

export function prune(merged: unknown, previouslyApplied: FieldSet | undefined, stillOwned: FieldSet, type: FieldType, types: TypeResolver): unknown {
  if (!previouslyApplied || previouslyApplied.isEmpty()) return merged;
  const last = withNamedFieldMembers(previouslyApplied, type, types);
  const owned = withNamedFieldMembers(stillOwned, type, types);
  return removeFields(merged, last.difference(owned), type, types) ?? {};
}

/** Adds as members the declared struct fields that have members below them. */
export function withNamedFieldMembers(set: FieldSet, type: FieldType, types: TypeResolver): FieldSet {
  if (type.kind === "deduced" || type.kind === "scalar") return set;
  return set.transformChildren((element, below) => ({
    set: withNamedFieldMembers(below, types.childType(type, element), types),
    member: "field" in element && types.isNamedField(type, element.field),
  }));
}
