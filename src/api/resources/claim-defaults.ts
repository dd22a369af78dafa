// PersistentVolumeClaim defaults (upstream SetDefaults_PersistentVolumeClaim and ..ClaimSpec), shared
// by PVCs, StatefulSet volumeClaimTemplates and ephemeral volume claim templates.
import { defaultString, ensureRecord, type JsonRecord } from "./object-fields.js";

export function defaultPersistentVolumeClaimSpec(spec: JsonRecord): void {
  defaultString(spec, "volumeMode", "Filesystem");
}

/** A whole claim: its spec, and status.phase Pending (upstream defaults it even in StatefulSet templates). */
export function defaultPersistentVolumeClaim(claim: JsonRecord): void {
  defaultPersistentVolumeClaimSpec(ensureRecord(claim, "spec"));
  defaultString(ensureRecord(claim, "status"), "phase", "Pending");
}
