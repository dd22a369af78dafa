// Every controller the controller manager runs, one file each. Add a controller by adding its
// registration here; duplicate names are refused when the manager starts.
import type { ControllerRegistration } from "./controller-context.js";
import { clusterRoleAggregationController } from "./clusterrole-aggregation.js";
import { cronJobController } from "./cronjob.js";
import { csrApprovingController } from "./csr-approving.js";
import { csrSigningController } from "./csr-signing.js";
import { daemonSetController } from "./daemonset.js";
import { deploymentController } from "./deployment.js";
import { disruptionController } from "./disruption.js";
import { endpointsController } from "./endpoints.js";
import { endpointSliceController } from "./endpointslice.js";
import { garbageCollectorController } from "./garbage-collector.js";
import { jobController } from "./job.js";
import { localPathProvisionerController } from "./local-path-provisioner.js";
import { namespaceController } from "./namespace.js";
import { nodeIpamController } from "./node-ipam.js";
import { nodeLifecycleController } from "./node-lifecycle.js";
import { persistentVolumeBinderController } from "./persistentvolume-binder.js";
import { podGCController } from "./pod-gc.js";
import { pvcProtectionController } from "./pvc-protection.js";
import { pvProtectionController } from "./pv-protection.js";
import { replicaSetController } from "./replicaset.js";
import { resourceQuotaController } from "./resourcequota.js";
import { rootCAPublisherController } from "./root-ca-publisher.js";
import { serviceAccountTokensController } from "./serviceaccount-tokens.js";
import { serviceAccountController } from "./serviceaccount.js";
import { serviceLoadBalancerController } from "./service-load-balancer.js";
import { statefulSetController } from "./statefulset.js";
import { taintEvictionController } from "./taint-eviction.js";
import { ttlAfterFinishedController } from "./ttl-after-finished.js";
import { validatingAdmissionPolicyStatusController } from "./validatingadmissionpolicy-status.js";

export function builtinControllers(): ControllerRegistration[] {
  return [
    replicaSetController,
    deploymentController,
    daemonSetController,
    statefulSetController,
    endpointsController,
    endpointSliceController,
    disruptionController,
    nodeIpamController,
    nodeLifecycleController,
    taintEvictionController,
    garbageCollectorController,
    namespaceController,
    serviceAccountController,
    serviceLoadBalancerController,
    rootCAPublisherController,
    serviceAccountTokensController,
    podGCController,
    jobController,
    cronJobController,
    ttlAfterFinishedController,
    csrApprovingController,
    csrSigningController,
    clusterRoleAggregationController,
    resourceQuotaController,
    validatingAdmissionPolicyStatusController,
    persistentVolumeBinderController,
    pvcProtectionController,
    pvProtectionController,
    localPathProvisionerController,
  ];
}
