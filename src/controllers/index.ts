// Every controller the controller manager runs, one file each. Add a controller by adding its
// registration here; duplicate names are refused when the manager starts.
import type { ControllerRegistration } from "./controller-context.js";
import { deploymentController } from "./deployment.js";
import { garbageCollectorController } from "./garbage-collector.js";
import { namespaceController } from "./namespace.js";
import { nodeLifecycleController } from "./node-lifecycle.js";
import { podGCController } from "./pod-gc.js";
import { replicaSetController } from "./replicaset.js";
import { serviceAccountController } from "./serviceaccount.js";
import { taintEvictionController } from "./taint-eviction.js";

export function builtinControllers(): ControllerRegistration[] {
  return [
    replicaSetController,
    deploymentController,
    nodeLifecycleController,
    taintEvictionController,
    garbageCollectorController,
    namespaceController,
    serviceAccountController,
    podGCController,
  ];
}
