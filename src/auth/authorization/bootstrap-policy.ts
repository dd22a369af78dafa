// The default ClusterRoles and ClusterRoleBindings reconciled at every server start, written from
// upstream's bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy, v1.32): the
// user-facing roles (cluster-admin, and admin/edit/view aggregated from system:aggregate-to-*),
// discovery and public info, the components' roles (scheduler, controller manager and one role per
// controller, nodes, the node proxier), the CSR roles a joining node uses, monitoring and
// auth delegation. kubelite's own parts get roles of their own: the built-in ingress, and the
// simulated nodes (one identity manages many nodes, which the Node authorizer cannot allow).
import { controllerRoles, controllerRoleBindings } from "./controller-roles.js";
import {
  clusterRoleBindingObject, clusterRoleObject, eventsRule, group, READ, READ_WRITE, rule, serviceAccount, urls, user, WRITE, type ClusterRoleSpec,
} from "./policy-builders.js";
import type { KubeObject } from "../../api/resource.js";
import type { PolicyRule } from "./policy-rule.js";
import { AUTHENTICATED_GROUP } from "../authenticate.js";
import { NODES_GROUP } from "../csr-signers.js";
import { MASTERS_GROUP } from "../pki.js";
import { BOOTSTRAPPERS_GROUP } from "../tokens.js";

export const SCHEDULER_USER = "system:kube-scheduler";
export const CONTROLLER_MANAGER_USER = "system:kube-controller-manager";
export const KUBE_PROXY_USER = "system:kube-proxy";
export const SIMULATED_NODES_USER = "system:kubelite:simulated-nodes";
/** The built-in ingress runs as this service account of kube-system (src/server.ts). */
export const INGRESS_ACCOUNT = "kubelite-ingress";
export const UNAUTHENTICATED_GROUP = "system:unauthenticated";
export const MONITORING_GROUP = "system:monitoring";

const AGGREGATE_TO = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true" });

function viewRules(): PolicyRule[] {
  return [
    rule(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"]),
    rule(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "replicationcontrollers/status", "pods/log", "pods/status", "resourcequotas/status", "namespaces/status"]),
    // Reading namespaces at the namespace scope means reading *this* namespace.
    rule(READ, [""], ["namespaces"]),
    rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
    rule(READ, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
    rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
    rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
    rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"]),
    rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
    rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
  ];
}

function editRules(): PolicyRule[] {
  return [
    rule(["impersonate"], [""], ["serviceaccounts"]),
    rule(WRITE, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
    rule(["create"], [""], ["pods/eviction"]),
    rule(WRITE, [""], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
    rule(["create"], [""], ["serviceaccounts/token"]),
    rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
    rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
    rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
    rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"]),
    rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
    rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
    rule(["create", "update", "patch", "delete", "get", "list", "watch"], ["coordination.k8s.io"], ["leases"]),
    // What view leaves out because it could be used to escalate (secrets, exec-like subresources).
    rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
  ];
}

function adminRules(): PolicyRule[] {
  return [
    rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
    rule(READ_WRITE, ["rbac.authorization.k8s.io"], ["roles", "rolebindings"]),
  ];
}

/** The rules the Node authorizer applies to every node (upstream NodeRules); object checks come on top. */
export function nodeRules(): PolicyRule[] {
  return [
    rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
    rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews", "localsubjectaccessreviews"]),
    rule(READ, [""], ["services", "endpoints"]),
    rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
    rule(["create", "get", "list", "watch"], [""], ["nodes"]),
    rule(["update", "patch"], [""], ["nodes/status"]),
    rule(["update", "patch", "delete"], [""], ["nodes"]),
    rule(["create", "update", "patch"], ["", "events.k8s.io"], ["events"]),
    rule(READ, [""], ["pods"]),
    rule(["create", "delete"], [""], ["pods"]),
    rule(["update", "patch"], [""], ["pods/status"]),
    rule(["create"], [""], ["pods/eviction"]),
    rule(["get"], [""], ["secrets", "configmaps", "persistentvolumeclaims", "persistentvolumes"]),
    rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
    rule(["get", "create", "update", "patch", "delete"], ["coordination.k8s.io"], ["leases"]),
    rule(["create"], [""], ["serviceaccounts/token"]),
    rule(READ, ["storage.k8s.io"], ["csidrivers", "csinodes", "storageclasses"]),
    rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
  ];
}

function schedulerRules(): PolicyRule[] {
  return [
    eventsRule(),
    rule(["create"], ["coordination.k8s.io"], ["leases"]),
    rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-scheduler"]),
    rule(["delete", "get", "list", "watch"], [""], ["pods"]),
    rule(READ, [""], ["nodes", "namespaces", "replicationcontrollers", "services", "persistentvolumeclaims", "persistentvolumes"]),
    // upstream's system:volume-scheduler: VolumeBinding writes claimRefs and selected-node annotations.
    rule(["update", "patch"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
    rule(["create"], [""], ["pods/binding", "bindings"]),
    rule(["patch", "update"], [""], ["pods/status"]),
    rule(READ, ["apps", "extensions"], ["replicasets", "statefulsets"]),
    rule(READ, ["policy"], ["poddisruptionbudgets"]),
    rule(READ, ["storage.k8s.io"], ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities"]),
    rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
    rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  ];
}

function controllerManagerRules(): PolicyRule[] {
  return [
    eventsRule(),
    rule(["create"], ["coordination.k8s.io"], ["leases"]),
    rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-controller-manager"]),
    rule(["create"], [""], ["secrets", "serviceaccounts"]),
    rule(["delete"], [""], ["secrets"]),
    rule(["get"], [""], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
    rule(["update"], [""], ["secrets", "serviceaccounts"]),
    rule(["create"], [""], ["serviceaccounts/token"]),
    // The shared informers list and watch everything.
    rule(["list", "watch"], ["*"], ["*"]),
    rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
    rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  ];
}

function simulatedNodesRules(): PolicyRule[] {
  return [
    eventsRule(),
    rule(["create", "get", "list", "watch", "update", "patch", "delete"], [""], ["nodes"]),
    rule(["update", "patch"], [""], ["nodes/status"]),
    rule(["get", "list", "watch", "delete"], [""], ["pods"]),
    rule(["update", "patch"], [""], ["pods/status"]),
    rule(["get", "create", "update", "patch", "delete"], ["coordination.k8s.io"], ["leases"]),
  ];
}

/** The built-in ingress (as an ingress controller's usual ClusterRole): routes from Ingresses, Services, EndpointSlices and TLS Secrets. */
function ingressRules(): PolicyRule[] {
  return [
    eventsRule(),
    rule(READ, ["networking.k8s.io"], ["ingresses", "ingressclasses"]),
    rule(["update", "patch"], ["networking.k8s.io"], ["ingresses/status"]),
    rule(["create"], ["networking.k8s.io"], ["ingressclasses"]),
    rule(READ, [""], ["services", "secrets"]),
    rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  ];
}

function clusterRoleSpecs(): ClusterRoleSpec[] {
  const certificateRequests = (signer: string) => rule(["create"], ["certificates.k8s.io"], [`certificatesigningrequests/${signer}`]);
  return [
    { name: "cluster-admin", rules: [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])] },
    { name: "system:discovery", rules: [urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])] },
    { name: "system:public-info-viewer", rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])] },
    { name: "system:monitoring", rules: [urls(["get"], ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"])] },
    {
      name: "system:basic-user",
      rules: [rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]), rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])],
    },
    { name: "admin", rules: [], aggregateFrom: [AGGREGATE_TO("admin")] },
    { name: "edit", rules: [], labels: AGGREGATE_TO("admin"), aggregateFrom: [AGGREGATE_TO("edit")] },
    { name: "view", rules: [], labels: AGGREGATE_TO("edit"), aggregateFrom: [AGGREGATE_TO("view")] },
    { name: "system:aggregate-to-admin", rules: adminRules(), labels: AGGREGATE_TO("admin") },
    { name: "system:aggregate-to-edit", rules: editRules(), labels: AGGREGATE_TO("edit") },
    { name: "system:aggregate-to-view", rules: viewRules(), labels: AGGREGATE_TO("view") },
    { name: "system:auth-delegator", rules: [rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]), rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])] },
    { name: "system:node", rules: nodeRules() },
    { name: "system:node-proxier", rules: [rule(["list", "watch"], [""], ["services", "endpoints"]), rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]), rule(READ, [""], ["nodes"]), eventsRule()] },
    { name: "system:node-bootstrapper", rules: [rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"])] },
    { name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient", rules: [certificateRequests("nodeclient")] },
    { name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", rules: [certificateRequests("selfnodeclient")] },
    { name: "system:certificates.k8s.io:kube-apiserver-client-approver", rules: [rule(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kube-apiserver-client"])] },
    { name: "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", rules: [rule(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kube-apiserver-client-kubelet"])] },
    { name: "system:certificates.k8s.io:kubelet-serving-approver", rules: [rule(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kubelet-serving"])] },
    { name: "system:kube-scheduler", rules: schedulerRules() },
    { name: "system:kube-controller-manager", rules: controllerManagerRules() },
    { name: "system:kubelite:simulated-nodes", rules: simulatedNodesRules() },
    { name: "system:kubelite:ingress", rules: ingressRules() },
    // Node agents enforce NetworkPolicy (ADR 0015): they follow every policy and namespace.
    { name: "system:kubelite:network-policy", rules: [rule(["list", "watch"], [""], ["namespaces"]), rule(["list", "watch"], ["networking.k8s.io"], ["networkpolicies"])] },
    ...controllerRoles(),
  ];
}

export function defaultClusterRoles(): KubeObject[] {
  return clusterRoleSpecs().map(clusterRoleObject);
}

export function defaultClusterRoleBindings(): KubeObject[] {
  return [
    clusterRoleBindingObject("cluster-admin", "cluster-admin", [group(MASTERS_GROUP)]),
    clusterRoleBindingObject("system:discovery", "system:discovery", [group(AUTHENTICATED_GROUP)]),
    clusterRoleBindingObject("system:basic-user", "system:basic-user", [group(AUTHENTICATED_GROUP)]),
    clusterRoleBindingObject("system:public-info-viewer", "system:public-info-viewer", [group(AUTHENTICATED_GROUP), group(UNAUTHENTICATED_GROUP)]),
    clusterRoleBindingObject("system:monitoring", "system:monitoring", [group(MONITORING_GROUP)]),
    clusterRoleBindingObject("system:node-proxier", "system:node-proxier", [user(KUBE_PROXY_USER)]),
    clusterRoleBindingObject("system:kube-scheduler", "system:kube-scheduler", [user(SCHEDULER_USER)]),
    clusterRoleBindingObject("system:kube-controller-manager", "system:kube-controller-manager", [user(CONTROLLER_MANAGER_USER)]),
    clusterRoleBindingObject("system:kubelite:simulated-nodes", "system:kubelite:simulated-nodes", [user(SIMULATED_NODES_USER)]),
    clusterRoleBindingObject("system:kubelite:ingress", "system:kubelite:ingress", [serviceAccount("kube-system", INGRESS_ACCOUNT)]),
    clusterRoleBindingObject("system:kubelite:network-policy", "system:kubelite:network-policy", [group(NODES_GROUP)]),
    // What kubeadm binds for joining nodes: bootstrappers ask for node client certificates, nodes renew their own.
    clusterRoleBindingObject("system:node-bootstrapper", "system:node-bootstrapper", [group(BOOTSTRAPPERS_GROUP)]),
    clusterRoleBindingObject("system:certificates.k8s.io:certificatesigningrequests:nodeclient", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", [group(BOOTSTRAPPERS_GROUP)]),
    clusterRoleBindingObject("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [group(NODES_GROUP)]),
    ...controllerRoleBindings(),
  ];
}
