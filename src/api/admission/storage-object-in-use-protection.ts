// upstream's StorageObjectInUseProtection admission plugin: new PersistentVolumeClaims get the
// kubernetes.io/pvc-protection finalizer and new PersistentVolumes kubernetes.io/pv-protection, so
// neither can vanish between its creation and the protection controllers' first look.
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from "../../controllers/persistentvolume/volume-objects.js";

const FINALIZERS: Readonly<Record<string, string>> = { persistentvolumeclaims: PVC_PROTECTION_FINALIZER, persistentvolumes: PV_PROTECTION_FINALIZER };

export function storageObjectInUseProtectionPlugin(): AdmissionPlugin {
  return {
    name: "StorageObjectInUseProtection",
    admit(request: AdmissionRequest): boolean {
      const { def, object } = request;
      const finalizer = FINALIZERS[def.plural];
      if (request.operation !== "CREATE" || request.subresource || def.group !== "" || !finalizer || !object) return false;
      const finalizers = object.metadata?.finalizers ?? [];
      if (finalizers.includes(finalizer)) return false;
      object.metadata = { ...object.metadata, finalizers: [...finalizers, finalizer] };
      return true;
    },
  };
}
