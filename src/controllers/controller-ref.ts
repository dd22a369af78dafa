// Controller ownerReferences (metav1.GetControllerOf, metav1.NewControllerRef): the one owner
// reference with controller: true that ties an object to the controller that manages it, and that
// the garbage collector follows (blockOwnerDeletion) when the owner is deleted in the foreground.
import type { KubeObject, OwnerReference } from "../api/resource.js";

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

/** metav1.NewControllerRef: the reference a controller puts on what it creates or adopts. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? "", uid: owner.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true };
}
