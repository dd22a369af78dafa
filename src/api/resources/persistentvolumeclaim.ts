// core/v1 PersistentVolumeClaim: pvc, status subresource; volumeMode Filesystem and phase Pending by
// default; access modes and a positive storage request required; the spec is immutable except
// resources.requests (never lowered) and a volumeName set once; the claim printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { validateLabelSelector } from "../label-selector.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Subdomain } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { defaultPersistentVolumeClaim } from "./claim-defaults.js";
import { fieldDoc } from "./column-docs.js";
import { path, type FieldPath } from "./field-path.js";
import { labelSelectorObject } from "./label-selectors.js";
import { jsonEqual, recordAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf, wideColumn } from "./printing.js";
import { normalizeResourceList, quantityOf, validateQuantityValue } from "./resource-lists.js";
import { accessModesString, quantityString, storageClassOf, validateAccessModes } from "./volume-claims.js";

const VOLUME_MODES = ["Block", "Filesystem"];
const STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

export function persistentVolumeClaimResource(): ResourceDef {
  const doc = (type: string, field: string) => fieldDoc(`core.v1.${type}`, field);
  return {
    group: "",
    version: "v1",
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    singular: "persistentvolumeclaim",
    namespaced: true,
    shortNames: ["pvc"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: (obj) => {
      defaultPersistentVolumeClaim(obj);
      normalizeResourceList(recordAt(obj, "spec", "resources", "requests"));
      normalizeResourceList(recordAt(obj, "spec", "resources", "limits"));
    },
    validate: validatePersistentVolumeClaim,
    table: {
      columns: [
        nameColumn(), column("Status", "string", doc("PersistentVolumeClaimStatus", "phase")), column("Volume", "string", doc("PersistentVolumeClaimSpec", "volumeName")),
        column("Capacity", "string", doc("PersistentVolumeClaimStatus", "capacity")), column("Access Modes", "string", doc("PersistentVolumeClaimStatus", "accessModes")),
        column("StorageClass", "string", "StorageClass of the pvc"), column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"), ageColumn(),
        wideColumn("VolumeMode", "string", doc("PersistentVolumeClaimSpec", "volumeMode")),
      ],
      cells: claimCells,
    },
  };
}

/** upstream ValidatePersistentVolumeClaimSpec (also used for StatefulSet claim templates). */
export function validateClaimSpec(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs = validateAccessModes(spec, p.child("accessModes"), "at least 1 access mode is required");
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabelSelector(labelSelectorObject(spec.selector), `${p.child("selector")}`));
  const storage = recordAt(spec, "resources", "requests")?.storage;
  const at = p.child("resources").key("storage");
  if (storage === undefined) errs.push(required(`${at}`));
  else errs.push(...validatePositiveQuantity(storage, at));
  const className = stringAt(spec, "storageClassName");
  if (className) errs.push(...isDNS1123Subdomain(className).map((msg) => invalid(`${p.child("storageClassName")}`, className, msg)));
  const mode = stringAt(spec, "volumeMode");
  if (mode !== undefined && !VOLUME_MODES.includes(mode)) errs.push(notSupported(`${p.child("volumeMode")}`, mode, VOLUME_MODES));
  return errs;
}

function validatePositiveQuantity(value: unknown, p: FieldPath): FieldError[] {
  const q = quantityOf(value);
  if (typeof q !== "string" && q.sign() <= 0) return [invalid(`${p}`, q.toString(), "must be greater than zero")];
  return validateQuantityValue("storage", value, p);
}

function validatePersistentVolumeClaim(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const errs = validateClaimSpec(spec, path("spec"));
  if (context.old) errs.push(...validateClaimUpdate(spec, recordAt(context.old, "spec") ?? {}, context.old.metadata?.annotations?.[STORAGE_CLASS_ANNOTATION] !== undefined));
  return errs;
}

/** upstream ValidatePersistentVolumeClaimUpdate: requests may grow; volumeName may be set once. */
function validateClaimUpdate(spec: JsonRecord, oldSpec: JsonRecord, oldClassAnnotation: boolean): FieldError[] {
  const comparable = (s: JsonRecord, volumeName: unknown, storageClassName: unknown) => {
    const copy = structuredClone(s);
    delete recordAt(copy, "resources", "requests")?.storage;
    copy.volumeName = volumeName;
    copy.storageClassName = storageClassName;
    return copy;
  };
  const volumeName = stringAt(oldSpec, "volumeName") ? oldSpec.volumeName : spec.volumeName;
  // upstream validateStorageClassUpgradeFromNil: a claim without a class may be given one (the
  // retroactive default class assignment).
  const className = (oldSpec.storageClassName ?? undefined) === undefined && !oldClassAnnotation ? spec.storageClassName : oldSpec.storageClassName;
  const errs: FieldError[] = [];
  if (!jsonEqual(comparable(spec, spec.volumeName, spec.storageClassName), comparable(oldSpec, volumeName, className))) {
    errs.push(forbiddenField("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
  }
  const next = quantityOf(recordAt(spec, "resources", "requests")?.storage);
  const previous = quantityOf(recordAt(oldSpec, "resources", "requests")?.storage);
  if (typeof next !== "string" && typeof previous !== "string" && next.cmp(previous) < 0) {
    errs.push(forbiddenField("spec.resources.requests.storage", "field can not be less than previous value"));
  }
  return errs;
}

function claimCells(obj: KubeObject, now: Date): unknown[] {
  const bound = Boolean(stringAt(obj, "spec", "volumeName"));
  return [
    nameOf(obj), obj.metadata?.deletionTimestamp ? "Terminating" : stringAt(obj, "status", "phase") ?? "", stringAt(obj, "spec", "volumeName") ?? "",
    bound ? quantityString(recordAt(obj, "status", "capacity")?.storage, "0") : "", bound ? accessModesString(stringsAt(obj, "status", "accessModes")) : "",
    storageClassOf(obj), stringAt(obj, "spec", "volumeAttributesClassName") ?? "<unset>", ageOf(obj, now), stringAt(obj, "spec", "volumeMode") ?? "<unset>",
  ];
}
