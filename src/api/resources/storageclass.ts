// storage.k8s.io/v1 StorageClass: sc, cluster-scoped; reclaimPolicy Delete and volumeBindingMode
// Immediate by default; provisioner, parameters, policies validated, and immutable after creation
// as upstream; the printer marks the default class "name (default)".
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isQualifiedName } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { booleanAt, defaultString, jsonEqual, recordAt, stringAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn } from "./printing.js";

const RECLAIM_POLICIES = ["Delete", "Retain"];
const BINDING_MODES = ["Immediate", "WaitForFirstConsumer"];
const MAX_PARAMETERS_SIZE = 256 * 1024;
const DEFAULT_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

export function storageClassResource(): ResourceDef {
  const doc = (field: string) => fieldDoc("storage.v1.StorageClass", field);
  return {
    group: "storage.k8s.io",
    version: "v1",
    kind: "StorageClass",
    plural: "storageclasses",
    singular: "storageclass",
    namespaced: false,
    shortNames: ["sc"],
    verbs: ALL_VERBS,
    defaults: (obj) => {
      defaultString(obj, "reclaimPolicy", "Delete");
      defaultString(obj, "volumeBindingMode", "Immediate");
    },
    validate: validateStorageClass,
    table: {
      columns: [
        nameColumn(), column("Provisioner", "string", doc("provisioner")), column("ReclaimPolicy", "string", doc("reclaimPolicy")),
        column("VolumeBindingMode", "string", doc("volumeBindingMode")), column("AllowVolumeExpansion", "string", doc("allowVolumeExpansion")), ageColumn(),
      ],
      cells: (obj, now) => [
        isDefaultClass(obj) ? `${obj.metadata?.name ?? ""} (default)` : obj.metadata?.name ?? "", stringAt(obj, "provisioner") ?? "", stringAt(obj, "reclaimPolicy") ?? "Delete",
        stringAt(obj, "volumeBindingMode") ?? "Immediate", booleanAt(obj, "allowVolumeExpansion") ?? false, ageOf(obj, now),
      ],
    },
  };
}

/** upstream IsDefaultAnnotation. */
export function isDefaultClass(obj: KubeObject): boolean {
  return DEFAULT_ANNOTATIONS.some((a) => obj.metadata?.annotations?.[a] === "true");
}

function validateStorageClass(obj: KubeObject, context: ValidationContext): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = stringAt(obj, "provisioner") ?? "";
  if (provisioner === "") errs.push(required("provisioner", provisioner));
  else errs.push(...isQualifiedName(provisioner.toLowerCase()).map((msg) => invalid("provisioner", provisioner.toLowerCase(), msg)));
  const parameters = recordAt(obj, "parameters") ?? {};
  let size = 0;
  for (const [key, value] of Object.entries(parameters)) {
    if (key === "") errs.push(invalid("parameters", key, "field can not be empty."));
    size += key.length + (typeof value === "string" ? value.length : 0);
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push({ type: "FieldValueTooLong", field: "parameters", value: "", detail: `must have at most ${MAX_PARAMETERS_SIZE} bytes` });
  const reclaim = stringAt(obj, "reclaimPolicy");
  if (reclaim !== undefined && !RECLAIM_POLICIES.includes(reclaim)) errs.push(notSupported("reclaimPolicy", reclaim, RECLAIM_POLICIES));
  const mode = stringAt(obj, "volumeBindingMode");
  if (mode !== undefined && !BINDING_MODES.includes(mode)) errs.push(notSupported("volumeBindingMode", mode, BINDING_MODES));
  if (context.old) errs.push(...validateUpdate(obj, context.old));
  return errs;
}

function validateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!jsonEqual(obj.parameters ?? null, old.parameters ?? null)) errs.push(forbiddenField("parameters", "updates to parameters are forbidden."));
  if (obj.provisioner !== old.provisioner) errs.push(forbiddenField("provisioner", "updates to provisioner are forbidden."));
  if (obj.reclaimPolicy !== old.reclaimPolicy) errs.push(forbiddenField("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  return [...errs, ...validateImmutableField(obj.volumeBindingMode, old.volumeBindingMode, path("volumeBindingMode"))];
}
