// Every built-in kind kubelite serves, one factory per kind file. builtinResources() builds a fresh
// list (no module-level state) and refuses duplicates: a group/version may serve a plural or a kind
// only once (events and HPAs appear twice, in different group/versions over one storage resource).
import type { ResourceDef } from "../resource.js";
import { certificateSigningRequestResource } from "./certificatesigningrequest.js";
import { clusterRoleResource } from "./clusterrole.js";
import { clusterRoleBindingResource } from "./clusterrolebinding.js";
import { configMapResource } from "./configmap.js";
import { controllerRevisionResource } from "./controllerrevision.js";
import { cronJobResource } from "./cronjob.js";
import { customResourceDefinitionResource } from "./customresourcedefinition.js";
import { daemonSetResource } from "./daemonset.js";
import { deploymentResource } from "./deployment.js";
import { endpointsResource } from "./endpoints.js";
import { endpointSliceResource } from "./endpointslice.js";
import { eventResource } from "./event.js";
import { eventsV1Resource } from "./events-v1.js";
import { hpaV2Resource } from "./horizontalpodautoscaler.js";
import { hpaV1Resource } from "./horizontalpodautoscaler-v1.js";
import { ingressResource } from "./ingress.js";
import { ingressClassResource } from "./ingressclass.js";
import { jobResource } from "./job.js";
import { clusterPolicyResource, namespacedPolicyResource } from "./kyverno-policy.js";
import { leaseResource } from "./lease.js";
import { limitRangeResource } from "./limitrange.js";
import { namespaceResource } from "./namespace.js";
import { networkPolicyResource } from "./networkpolicy.js";
import { nodeResource } from "./node.js";
import { persistentVolumeResource } from "./persistentvolume.js";
import { persistentVolumeClaimResource } from "./persistentvolumeclaim.js";
import { podResource } from "./pod.js";
import { policyReportResource } from "./policyreport.js";
import { podDisruptionBudgetResource } from "./poddisruptionbudget.js";
import { priorityClassResource } from "./priorityclass.js";
import { replicaSetResource } from "./replicaset.js";
import { resourceQuotaResource } from "./resourcequota.js";
import { roleResource } from "./role.js";
import { roleBindingResource } from "./rolebinding.js";
import { secretResource } from "./secret.js";
import { serviceResource } from "./service.js";
import { serviceAccountResource } from "./serviceaccount.js";
import { statefulSetResource } from "./statefulset.js";
import { storageClassResource } from "./storageclass.js";


const FACTORIES: ReadonlyArray<() => ResourceDef> = [
  namespaceResource, podResource, nodeResource, serviceResource, endpointsResource, configMapResource, secretResource, serviceAccountResource,
  eventResource, persistentVolumeResource, persistentVolumeClaimResource, limitRangeResource, resourceQuotaResource,
  deploymentResource, replicaSetResource, statefulSetResource, daemonSetResource, controllerRevisionResource,
  jobResource, cronJobResource,
  hpaV2Resource, hpaV1Resource,
  leaseResource, endpointSliceResource, eventsV1Resource,
  networkPolicyResource, ingressResource, ingressClassResource,
  podDisruptionBudgetResource,
  roleResource, clusterRoleResource, roleBindingResource, clusterRoleBindingResource,
  storageClassResource, priorityClassResource, customResourceDefinitionResource,
  certificateSigningRequestResource,
  clusterPolicyResource, namespacedPolicyResource, policyReportResource,
];

/** The definitions of every built-in kind, checked for duplicates. */
export function builtinResources(): ResourceDef[] {
  return checkUnique(FACTORIES.map((factory) => factory()));
}

/**
 * Throws when two definitions serve the same plural or kind in one group/version, or when a storage
 * resource (storage keys carry no group) is shared without exactly one definition storing as-is.
 */
export function checkUnique<T extends ResourceDef>(defs: T[]): T[] {
  const seen = new Set<string>();
  for (const def of defs) {
    const gv = def.group ? `${def.group}/${def.version}` : def.version;
    for (const key of [`${gv} resource ${def.plural}`, `${gv} kind ${def.kind}`]) {
      if (seen.has(key)) throw new Error(`duplicate resource definition: ${key}`);
      seen.add(key);
    }
  }
  checkSharedStorage(defs);
  return defs;
}

function checkSharedStorage(defs: ResourceDef[]): void {
  const byStorage = new Map<string, ResourceDef[]>();
  for (const def of defs) {
    const key = def.storageResource ?? def.plural;
    byStorage.set(key, [...(byStorage.get(key) ?? []), def]);
  }
  for (const [key, sharing] of byStorage) {
    const unconverted = sharing.filter((def) => !def.conversion);
    if (sharing.length > 1 && unconverted.length !== 1) throw new Error(`storage resource ${key} is shared by ${sharing.length} definitions but ${unconverted.length} store without conversion (need exactly one)`);
  }
}
