// One ClusterRole per controller, bound to the controller's service account in kube-system
// (upstream's controller roles, bootstrappolicy/controller_policy.go, for controllers run with
// --use-service-account-credentials, which is how the controller manager runs them here: see
// controllers/manager.ts identity()). Each grants what that controller reads and writes; its
// informers are shared and list/watch as system:kube-controller-manager.
import type { KubeObject } from "../../api/resource.js";
import { clusterRoleBindingObject, eventsRule, READ, rule, serviceAccount, type ClusterRoleSpec } from "./policy-builders.js";
import type { PolicyRule } from "./policy-rule.js";

const CONTROLLER_NAMESPACE = "kube-system";
const ROLE_PREFIX = "system:controller:";

/** Service account name (as controllers/manager.ts derives it) → rules besides events. */
function controllerRules(): Record<string, PolicyRule[]> {
  return {
    "replicaset-controller": [
      rule(["get", "list", "watch", "update"], ["apps", "extensions"], ["replicasets"]),
      rule(["update"], ["apps", "extensions"], ["replicasets/status", "replicasets/finalizers"]),
      rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"]),
    ],
    "deployment-controller": [
      rule(["get", "list", "watch", "update"], ["apps", "extensions"], ["deployments"]),
      rule(["update"], ["apps", "extensions"], ["deployments/status", "deployments/finalizers"]),
      rule(["get", "list", "watch", "create", "update", "patch", "delete"], ["apps", "extensions"], ["replicasets"]),
      rule(["get", "list", "watch", "update"], [""], ["pods"]),
    ],
    "daemonset-controller": [
      rule(READ, ["apps", "extensions"], ["daemonsets"]),
      rule(["update"], ["apps", "extensions"], ["daemonsets/status", "daemonsets/finalizers"]),
      rule(["list", "watch"], [""], ["nodes"]),
      rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
      rule(["create"], [""], ["pods/binding"]),
      rule(["get", "list", "watch", "create", "delete", "update", "patch"], ["apps"], ["controllerrevisions"]),
    ],
    "statefulset-controller": [
      rule(["list", "watch"], [""], ["pods"]),
      rule(READ, ["apps"], ["statefulsets"]),
      rule(["update"], ["apps"], ["statefulsets/status", "statefulsets/finalizers"]),
      rule(["get", "create", "delete", "update", "patch"], [""], ["pods"]),
      rule(["get", "create", "delete", "update", "patch", "list", "watch"], ["apps"], ["controllerrevisions"]),
      rule(["get", "create"], [""], ["persistentvolumeclaims"]),
      rule(["update", "delete"], [""], ["persistentvolumeclaims"]),
    ],
    "endpoint-controller": [
      rule(READ, [""], ["services", "pods"]),
      rule(["get", "list", "create", "update", "delete"], [""], ["endpoints"]),
      rule(["create"], [""], ["endpoints/restricted"]),
    ],
    "endpointslice-controller": [
      rule(READ, [""], ["services", "pods", "nodes"]),
      rule(["update"], [""], ["services/finalizers"]),
      rule(["get", "list", "create", "update", "delete"], ["discovery.k8s.io"], ["endpointslices"]),
    ],
    "disruption-controller": [
      rule(READ, ["apps", "extensions"], ["deployments", "replicasets", "statefulsets"]),
      rule(READ, [""], ["replicationcontrollers", "pods"]),
      rule(["patch", "update"], [""], ["pods/status"]),
      rule(READ, ["policy"], ["poddisruptionbudgets"]),
      rule(["update"], ["policy"], ["poddisruptionbudgets/status"]),
      rule(["get"], ["*"], ["*/scale"]),
    ],
    "node-ipam-controller": [
      rule(["get", "list", "watch", "update", "patch"], [""], ["nodes"]),
      rule(["patch", "update"], [""], ["nodes/status"]),
    ],
    "node-lifecycle-controller": [
      rule(["get", "list", "watch", "delete", "update", "patch"], [""], ["nodes"]),
      rule(["patch", "update"], [""], ["nodes/status"]),
      rule(["get", "list", "watch", "delete"], [""], ["pods"]),
      rule(["patch", "update"], [""], ["pods/status"]),
      rule(READ, ["coordination.k8s.io"], ["leases"]),
      rule(READ, ["apps"], ["daemonsets"]),
    ],
    "taint-eviction-controller": [
      rule(["get", "list", "watch", "delete"], [""], ["pods"]),
      rule(["patch", "update"], [""], ["pods/status"]),
      rule(READ, [""], ["nodes"]),
    ],
    "garbage-collector-controller": [rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], ["*"])],
    "namespace-controller": [
      rule(["get", "list", "watch", "delete"], [""], ["namespaces"]),
      rule(["update"], [""], ["namespaces/finalize", "namespaces/status"]),
      rule(["get", "list", "delete", "deletecollection"], ["*"], ["*"]),
    ],
    "serviceaccount-controller": [rule(["create"], [""], ["serviceaccounts"])],
    "service-lb-controller": [rule(READ, [""], ["services"]), rule(["patch", "update"], [""], ["services/status"])],
    "root-ca-cert-publisher-controller": [rule(["create", "update"], [""], ["configmaps"])],
    "serviceaccount-token-controller": [
      rule(["get", "list", "watch", "create", "update", "delete"], [""], ["secrets"]),
      rule(["get", "list", "watch", "update"], [""], ["serviceaccounts"]),
    ],
    "pod-garbage-collector-controller": [
      rule(["list", "watch", "delete"], [""], ["pods"]),
      rule(["patch", "update"], [""], ["pods/status"]),
      rule(READ, [""], ["nodes"]),
    ],
    "job-controller": [
      rule(["get", "list", "watch", "update", "patch"], ["batch"], ["jobs"]),
      rule(["update", "patch"], ["batch"], ["jobs/status", "jobs/finalizers"]),
      rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
    ],
    "cronjob-controller": [
      rule(["get", "list", "watch", "update"], ["batch"], ["cronjobs"]),
      rule(["get", "list", "watch", "create", "update", "delete", "patch"], ["batch"], ["jobs"]),
      rule(["update"], ["batch"], ["cronjobs/status", "cronjobs/finalizers"]),
      rule(["list", "delete"], [""], ["pods"]),
    ],
    "ttl-after-finished-controller": [rule(["get", "list", "watch", "delete"], ["batch"], ["jobs"])],
    "csrapproving-controller": [
      rule(READ, ["certificates.k8s.io"], ["certificatesigningrequests"]),
      rule(["update"], ["certificates.k8s.io"], ["certificatesigningrequests/approval"]),
      rule(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving"]),
      rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
      rule(READ, [""], ["nodes"]),
    ],
    "csrsigning-controller": [
      rule(READ, ["certificates.k8s.io"], ["certificatesigningrequests"]),
      rule(["update"], ["certificates.k8s.io"], ["certificatesigningrequests/status"]),
      rule(["sign"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"]),
    ],
    "clusterrole-aggregation-controller": [rule(["escalate", "get", "list", "patch", "update", "watch"], ["rbac.authorization.k8s.io"], ["clusterroles"])],
    "resourcequota-controller": [rule(["list", "watch"], ["*"], ["*"]), rule(["update"], [""], ["resourcequotas/status"])],
    "persistent-volume-binder": [
      rule(["get", "list", "watch", "update", "create", "delete"], [""], ["persistentvolumes"]),
      rule(["update"], [""], ["persistentvolumes/status"]),
      rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
      rule(["update"], [""], ["persistentvolumeclaims/status"]),
      rule(["list", "watch", "get", "create", "delete"], [""], ["pods"]),
      rule(READ, ["storage.k8s.io"], ["storageclasses"]),
      rule(READ, [""], ["nodes"]),
    ],
    "pvc-protection-controller": [rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]), rule(["list", "watch", "get"], [""], ["pods"])],
    "pv-protection-controller": [rule(["get", "list", "watch", "update"], [""], ["persistentvolumes"])],
    // kubelite's own provisioner, with what local-path-provisioner's ClusterRole grants it.
    "local-path-provisioner": [
      rule(["get", "list", "watch", "create", "patch", "update", "delete"], [""], ["persistentvolumes"]),
      rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
      rule(READ, [""], ["nodes"]),
      rule(READ, ["storage.k8s.io"], ["storageclasses"]),
    ],
    "validatingadmissionpolicy-status-controller": [
      rule(READ, ["admissionregistration.k8s.io"], ["validatingadmissionpolicies"]),
      rule(["update"], ["admissionregistration.k8s.io"], ["validatingadmissionpolicies/status"]),
    ],
  };
}

/** The controllers' service accounts that have a role. */
export function controllerAccounts(): string[] {
  return Object.keys(controllerRules());
}

export function controllerRoles(): ClusterRoleSpec[] {
  return Object.entries(controllerRules()).map(([account, rules]) => ({ name: `${ROLE_PREFIX}${account}`, rules: [...rules, eventsRule()] }));
}

export function controllerRoleBindings(): KubeObject[] {
  return controllerAccounts().map((account) => clusterRoleBindingObject(`${ROLE_PREFIX}${account}`, `${ROLE_PREFIX}${account}`, [serviceAccount(CONTROLLER_NAMESPACE, account)]));
}
