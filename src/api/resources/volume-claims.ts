// What PersistentVolumes and PersistentVolumeClaims share in validation and printing: access modes
// (upstream GetAccessModesAsString: RWO,ROX,RWX,RWOP), the storage class (the beta annotation wins
// over spec.storageClassName), storage quantities printed in canonical form.
import type { KubeObject } from "../resource.js";
import { forbiddenField, notSupported, required, type FieldError } from "../validation/field-errors.js";
import type { FieldPath } from "./field-path.js";
import { stringAt, stringsAt } from "./object-fields.js";
import { quantityOf } from "./resource-lists.js";

export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const SHORT_MODES: ReadonlyArray<[string, string]> = [["ReadWriteOnce", "RWO"], ["ReadOnlyMany", "ROX"], ["ReadWriteMany", "RWX"], ["ReadWriteOncePod", "RWOP"]];
const STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

export function accessModesString(modes: string[]): string {
  return SHORT_MODES.filter(([mode]) => modes.includes(mode)).map(([, short]) => short).join(",");
}

export function storageClassOf(obj: KubeObject): string {
  return obj.metadata?.annotations?.[STORAGE_CLASS_ANNOTATION] ?? stringAt(obj, "spec", "storageClassName") ?? "";
}

/** A quantity in canonical form, or "" when absent (upstream prints a zero Quantity as "0"). */
export function quantityString(value: unknown, absent = ""): string {
  if (value === undefined) return absent;
  const q = quantityOf(value);
  return typeof q === "string" ? String(value) : q.toString();
}

export function validateAccessModes(spec: unknown, p: FieldPath, requiredDetail?: string): FieldError[] {
  const modes = stringsAt(spec, "accessModes");
  if (modes.length === 0) return [required(`${p}`, requiredDetail)];
  const errs = modes.filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(`${p}`, m, ACCESS_MODES));
  if (modes.includes("ReadWriteOncePod") && modes.some((m) => m !== "ReadWriteOncePod")) errs.push(forbiddenField(`${p}`, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}
