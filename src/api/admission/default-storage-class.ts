// upstream's DefaultStorageClass admission plugin: a PersistentVolumeClaim created without a class
// (spec.storageClassName absent, not "", and no beta annotation) gets the default StorageClass's
// name. Of several defaults the newest wins (upstream GetDefaultClass since v1.26); no default:
// unchanged, and the PV binder gives it the default later if one appears (retroactive assignment).
import type { KubeObject } from "../resource.js";
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";
import type { AdmissionDeps } from "./index.js";
import { claimHasNoClass, defaultClass, type PersistentVolumeClaim } from "../../controllers/persistentvolume/volume-objects.js";

export function defaultStorageClassPlugin(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: "DefaultStorageClass",
    admit(request: AdmissionRequest): boolean {
      const { def, object } = request;
      if (request.operation !== "CREATE" || request.subresource || def.group !== "" || def.plural !== "persistentvolumeclaims" || !object) return false;
      const claim = object as PersistentVolumeClaim;
      if (!claimHasNoClass({ ...claim, spec: claim.spec ?? {} })) return false;
      const classes = deps.api.cache
        .get("storageclasses")
        .list(undefined)
        .map((cached) => cached.object ?? (JSON.parse(cached.json) as KubeObject));
      const chosen = defaultClass(classes);
      if (!chosen) return false;
      object.spec = { ...(object.spec as object | undefined), storageClassName: chosen.metadata?.name };
      return true;
    },
  };
}
