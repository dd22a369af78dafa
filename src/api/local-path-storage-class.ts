// The StorageClass every cluster starts with, as k3s ships local-path: `local-path`, the default
// class, provisioned by kubelite's local-path provisioner once a pod's node is known
// (WaitForFirstConsumer), its volumes deleted with their claims. Created when missing at each
// start; a class the user changed or replaced is left as it is (only a missing one is created).
import { LOCAL_PATH_PROVISIONER } from "../controllers/local-path-provisioner.js";
import { ANN_DEFAULT_STORAGE_CLASS } from "../controllers/persistentvolume/volume-objects.js";
import type { ApiContext } from "./handlers/api-context.js";
import { systemContext } from "./system-namespaces.js";

export const LOCAL_PATH_CLASS = "local-path";

export async function ensureLocalPathStorageClass(api: ApiContext): Promise<void> {
  const def = api.discovery.find("storage.k8s.io", "v1", "storageclasses");
  if (!def) throw new Error("the storageclasses resource is not registered");
  const cache = api.cache.get(api.registry.storageResource(def));
  if (cache.get(api.registry.key(def, undefined, LOCAL_PATH_CLASS))) return;
  const storageClass = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: LOCAL_PATH_CLASS, annotations: { [ANN_DEFAULT_STORAGE_CLASS]: "true" }, labels: { "app.kubernetes.io/managed-by": "kubelite" } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  await api.registry.create(def, undefined, storageClass, systemContext("kube-apiserver"));
}
