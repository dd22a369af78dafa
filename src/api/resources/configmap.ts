// core/v1 ConfigMap: cm; keys as IsConfigMapKey, no key in both data and binaryData, at most 1 MiB,
// and immutable contents once `immutable` is set; the DATA column counts both maps.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, invalid, tooLong, type FieldError } from "../validation/field-errors.js";
import { utf8Length } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { base64DecodedLength, isConfigMapKey } from "./formats.js";
import { jsonEqual, recordAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export const MAX_DATA_SIZE = 1024 * 1024;
export const IMMUTABLE_CONTENT = "field is immutable when `immutable` is set";

export function configMapResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    singular: "configmap",
    namespaced: true,
    shortNames: ["cm"],
    verbs: ALL_VERBS,
    validate: validateConfigMap,
    table: {
      columns: [nameColumn(), column("Data", "string", fieldDoc("core.v1.ConfigMap", "data")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), Object.keys(recordAt(obj, "data") ?? {}).length + Object.keys(recordAt(obj, "binaryData") ?? {}).length, ageOf(obj, now)],
    },
  };
}

function validateConfigMap(obj: KubeObject, context: ValidationContext): FieldError[] {
  const data = recordAt(obj, "data") ?? {};
  const binaryData = recordAt(obj, "binaryData") ?? {};
  const errs = context.old ? validateImmutableContents(obj, context.old, ["data", "binaryData"]) : [];
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((msg) => invalid(`${path("data").key(key)}`, key, msg)));
    if (key in binaryData) errs.push(invalid(`${path("data").key(key)}`, key, "duplicate of key present in binaryData"));
    size += typeof value === "string" ? utf8Length(value) : 0;
  }
  for (const [key, value] of Object.entries(binaryData)) {
    errs.push(...isConfigMapKey(key).map((msg) => invalid(`${path("binaryData").key(key)}`, key, msg)));
    const decoded = typeof value === "string" ? base64DecodedLength(value) : 0;
    if (typeof decoded === "string") errs.push(invalid(`${path("binaryData").key(key)}`, "", decoded));
    else size += decoded;
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong("", "", MAX_DATA_SIZE));
  return errs;
}

/** ConfigMaps and Secrets marked immutable keep `immutable` and their contents. */
export function validateImmutableContents(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbiddenField("immutable", IMMUTABLE_CONTENT));
  for (const field of fields) if (!jsonEqual(obj[field] ?? null, old[field] ?? null)) errs.push(forbiddenField(field, IMMUTABLE_CONTENT));
  return errs;
}
