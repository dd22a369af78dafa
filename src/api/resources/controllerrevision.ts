// apps/v1 ControllerRevision: the immutable history StatefulSets and DaemonSets roll back to;
// ValidateControllerRevision (data mandatory and immutable, revision ≥ 0) and its printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { validateImmutableField, validateNonnegativeField } from "./field-rules.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export function controllerRevisionResource(): ResourceDef {
  return {
    group: "apps",
    version: "v1",
    kind: "ControllerRevision",
    plural: "controllerrevisions",
    singular: "controllerrevision",
    namespaced: true,
    verbs: ALL_VERBS,
    validate: validateControllerRevision,
    table: {
      columns: [nameColumn(), column("Controller", "string", "Controller of the object"), column("Revision", "string", fieldDoc("apps.v1.ControllerRevision", "revision")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), controllerOf(obj), obj.revision ?? 0, ageOf(obj, now)],
    },
  };
}

function validateControllerRevision(obj: KubeObject, context: ValidationContext): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required("data", "data is mandatory"));
  errs.push(...validateNonnegativeField(obj.revision, path("revision")));
  if (context.old) errs.push(...validateImmutableField(obj.data, context.old.data, path("data")));
  return errs;
}

/** "statefulset.apps/web" from the controller owner reference, or "<none>" (upstream formatResourceName). */
export function controllerOf(obj: KubeObject): string {
  const owner = obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
  if (!owner) return "<none>";
  const slash = owner.apiVersion.indexOf("/");
  const group = slash >= 0 ? owner.apiVersion.slice(0, slash) : "";
  const kind = group ? `${owner.kind}.${group}` : owner.kind;
  return kind ? `${kind.toLowerCase()}/${owner.name}` : owner.name;
}
