// The Node authorizer: a node (user system:node:<name> in group system:nodes) may do what
// upstream's NodeRules allow every kubelet, but only towards its own objects: its Node and its
// Lease, the pods bound to it (status, delete, eviction), and reads of the secrets, config maps,
// claims and service-account tokens those pods use (NodeGraph). Anything else about another node's
// objects gets no opinion, with the reason, so RBAC may still allow it (as upstream).
import { NODE_USER_PREFIX, NODES_GROUP } from "../csr-signers.js";
import type { Attributes, ResourceAttributes } from "./attributes.js";
import { NO_OPINION, type AuthorizationResult, type Authorizer } from "./authorizer.js";
import { nodeRules } from "./bootstrap-policy.js";
import type { NodeGraph } from "./node-graph.js";
import { ruleAllows, type PolicyRule } from "./policy-rule.js";

const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** Objects a node reads only when one of its pods uses them. */
const GRAPH_RESOURCES = new Set(["secrets", "configmaps", "persistentvolumeclaims"]);

export class NodeAuthorizer implements Authorizer {
  private readonly rules: readonly PolicyRule[] = nodeRules();

  constructor(private readonly graph: NodeGraph) {}

  authorize(attrs: Attributes): AuthorizationResult {
    const node = nodeNameOf(attrs);
    if (node === undefined || attrs.kind !== "resource") return NO_OPINION;
    const refusal = this.refusal(node, attrs);
    if (refusal) return { decision: "noOpinion", reason: refusal };
    return this.rules.some((rule) => ruleAllows(attrs, rule)) ? { decision: "allow", reason: "" } : NO_OPINION;
  }

  /** Why this node may not touch this object, when the request names another node's object. */
  private refusal(node: string, attrs: ResourceAttributes): string | undefined {
    const { apiGroup, resource, subresource, namespace, name, verb } = attrs;
    const noRelationship = `no relationship found between node '${node}' and this object`;
    if (apiGroup === "" && GRAPH_RESOURCES.has(resource) && subresource === "") {
      if (verb !== "get") return `can only get individual ${resource}`;
      return this.graph.nodeUses(node, resource, namespace, name) ? undefined : noRelationship;
    }
    if (apiGroup === "" && resource === "serviceaccounts" && subresource === "token") {
      return this.graph.nodeUses(node, "serviceaccounts", namespace, name) ? undefined : noRelationship;
    }
    if (apiGroup === "" && resource === "nodes" && (subresource !== "" || !["get", "list", "watch", "create"].includes(verb))) {
      return name === node ? undefined : `node '${node}' cannot modify node '${name}'`;
    }
    if (apiGroup === "" && resource === "pods" && (subresource !== "" || verb === "delete")) {
      return this.graph.nodeOfPod(namespace, name) === node ? undefined : noRelationship;
    }
    if (apiGroup === "coordination.k8s.io" && resource === "leases") {
      if (namespace !== NODE_LEASE_NAMESPACE) return `can only access leases in the ${NODE_LEASE_NAMESPACE} namespace`;
      return verb === "create" || name === node ? undefined : `can only access node lease with the same name as the requesting node`;
    }
    return undefined;
  }
}

/** The node a request comes from, when its user is a node. */
export function nodeNameOf(attrs: Attributes): string | undefined {
  const { user } = attrs;
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name === "" ? undefined : name;
}
