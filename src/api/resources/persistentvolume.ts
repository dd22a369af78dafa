// core/v1 PersistentVolume: pv, cluster-scoped, status subresource; SetDefaults_PersistentVolume
// (phase Pending, reclaim Retain, Filesystem); capacity, access modes, reclaim policy and exactly
// one volume source validated, the source immutable; the persistent volume printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { defaultString, ensureRecord, isRecord, jsonEqual, recordAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf, wideColumn } from "./printing.js";
import { normalizeResourceList, validateResourceList } from "./resource-lists.js";
import { accessModesString, quantityString, storageClassOf, validateAccessModes } from "./volume-claims.js";

const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const VOLUME_MODES = ["Block", "Filesystem"];
/** PersistentVolumeSpec fields holding objects that are not volume sources. */
const NON_SOURCE_FIELDS = new Set(["capacity", "claimRef", "nodeAffinity"]);

export function persistentVolumeResource(): ResourceDef {
  const doc = (field: string) => fieldDoc("core.v1.PersistentVolumeSpec", field);
  return {
    group: "",
    version: "v1",
    kind: "PersistentVolume",
    plural: "persistentvolumes",
    singular: "persistentvolume",
    namespaced: false,
    shortNames: ["pv"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: (obj) => {
      defaultString(ensureRecord(obj, "status"), "phase", "Pending");
      const spec = ensureRecord(obj, "spec");
      defaultString(spec, "persistentVolumeReclaimPolicy", "Retain");
      defaultString(spec, "volumeMode", "Filesystem");
      normalizeResourceList(spec.capacity);
    },
    validate: validatePersistentVolume,
    table: {
      columns: [
        nameColumn(), column("Capacity", "string", doc("capacity")), column("Access Modes", "string", doc("accessModes")),
        column("Reclaim Policy", "string", doc("persistentVolumeReclaimPolicy")), column("Status", "string", fieldDoc("core.v1.PersistentVolumeStatus", "phase")),
        column("Claim", "string", doc("claimRef")), column("StorageClass", "string", "StorageClass of the pv"),
        column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"), column("Reason", "string", fieldDoc("core.v1.PersistentVolumeStatus", "reason")),
        ageColumn(), wideColumn("VolumeMode", "string", doc("volumeMode")),
      ],
      cells: persistentVolumeCells,
    },
  };
}

function validatePersistentVolume(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs = validateAccessModes(spec, p.child("accessModes"));
  const capacity = recordAt(spec, "capacity");
  if (!capacity || Object.keys(capacity).length === 0) errs.push(required(`${p.child("capacity")}`));
  else if (!("storage" in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported(`${p.child("capacity")}`, capacity, ["storage"]));
  errs.push(...validateResourceList(capacity, p.child("capacity")));
  const policy = stringAt(spec, "persistentVolumeReclaimPolicy");
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(notSupported(`${p.child("persistentVolumeReclaimPolicy")}`, policy, RECLAIM_POLICIES));
  const mode = stringAt(spec, "volumeMode");
  if (mode && !VOLUME_MODES.includes(mode)) errs.push(notSupported(`${p.child("volumeMode")}`, mode, VOLUME_MODES));
  const sources = volumeSources(spec);
  if (sources.length === 0) errs.push(required(`${p}`, "must specify a volume type"));
  if (sources.length > 1) errs.push(forbiddenField(`${p.child(sources[1] ?? "")}`, "may not specify more than 1 volume type"));
  if (context.old) errs.push(...validatePersistentVolumeUpdate(spec, recordAt(context.old, "spec") ?? {}));
  return errs;
}

function volumeSources(spec: JsonRecord): string[] {
  return Object.keys(spec).filter((k) => !NON_SOURCE_FIELDS.has(k) && isRecord(spec[k]));
}

function validatePersistentVolumeUpdate(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  const source = (s: JsonRecord) => Object.fromEntries(volumeSources(s).map((k) => [k, s[k]]));
  const errs = jsonEqual(source(spec), source(oldSpec)) ? [] : [forbiddenField("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation")];
  return [...errs, ...validateImmutableField(spec.volumeMode, oldSpec.volumeMode, path("spec", "volumeMode"))];
}

function persistentVolumeCells(obj: KubeObject, now: Date): unknown[] {
  const claim = recordAt(obj, "spec", "claimRef");
  return [
    nameOf(obj), quantityString(recordAt(obj, "spec", "capacity")?.storage, "0"), accessModesString(stringsAt(obj, "spec", "accessModes")),
    stringAt(obj, "spec", "persistentVolumeReclaimPolicy") ?? "", obj.metadata?.deletionTimestamp ? "Terminating" : stringAt(obj, "status", "phase") ?? "",
    claim ? `${stringAt(claim, "namespace") ?? ""}/${stringAt(claim, "name") ?? ""}` : "", storageClassOf(obj),
    stringAt(obj, "spec", "volumeAttributesClassName") ?? "<unset>", stringAt(obj, "status", "reason") ?? "", ageOf(obj, now),
    stringAt(obj, "spec", "volumeMode") ?? "<unset>",
  ];
}
