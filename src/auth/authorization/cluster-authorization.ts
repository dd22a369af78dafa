// The API server's authorization, assembled: system:masters, then the Node authorizer, then RBAC
// (upstream's default --authorization-mode=Node,RBAC behind the privileged group). Built before
// the watch caches start (the RBAC kinds' escalation checks need it), attached once they have.
// A refusal is looked at again once the caches caught up with every acknowledged write, so a
// request right after a RoleBinding was created sees it.
import type { ClusterCache } from "../../api/cluster-cache.js";
import type { UserInfo } from "../authenticate.js";
import type { Attributes } from "./attributes.js";
import { AuthorizerChain, type AuthorizationResult, type Authorizer } from "./authorizer.js";
import { nodeRules } from "./bootstrap-policy.js";
import { EscalationGuard } from "./escalation.js";
import { forbidden } from "./forbidden.js";
import { NodeAuthorizer, nodeNameOf } from "./node-authorizer.js";
import { NodeGraph } from "./node-graph.js";
import type { PolicyRule } from "./policy-rule.js";
import { RbacAuthorizer } from "./rbac-authorizer.js";
import { RbacIndex } from "./rbac-index.js";
import { SuperuserAuthorizer } from "./superuser.js";

export class ClusterAuthorization implements Authorizer {
  readonly index = new RbacIndex();
  readonly rbac = new RbacAuthorizer(this.index);
  readonly escalation: EscalationGuard;
  private readonly graph = new NodeGraph();
  private readonly chain: Authorizer;
  private cache: ClusterCache | undefined;

  constructor() {
    this.chain = new AuthorizerChain([new SuperuserAuthorizer(), new NodeAuthorizer(this.graph), this.rbac]);
    this.escalation = new EscalationGuard(this.rbac, this.chain);
  }

  attach(cache: ClusterCache): void {
    this.cache = cache;
    this.index.attach(cache);
    this.graph.attach(cache);
  }

  detach(): void {
    this.index.detach();
    this.graph.detach();
  }

  authorize(attrs: Attributes): AuthorizationResult {
    return this.chain.authorize(attrs);
  }

  /** Throws a 403 unless allowed, after giving the caches a chance to catch up with recent writes. */
  async check(attrs: Attributes): Promise<void> {
    if (this.chain.authorize(attrs).decision === "allow") return;
    await this.cache?.waitFresh();
    const result = this.chain.authorize(attrs);
    if (result.decision !== "allow") throw forbidden(attrs, result.reason);
  }

  /** What the user may do in the namespace (SelfSubjectRulesReview): RBAC's rules, and a node's own. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const resolved = this.rbac.rulesFor(user, namespace);
    const isNode = nodeNameOf({ kind: "nonResource", user, verb: "", path: "" }) !== undefined;
    return isNode ? { rules: [...nodeRules(), ...resolved.rules], errors: resolved.errors } : resolved;
  }
}
