// The authorizer contract and the chain the API server runs (upstream's union authorizer): each
// authorizer allows, denies, or has no opinion; the first allow or deny decides, and a request no
// one allows is refused. Authorizers are synchronous: they read in-memory indexes only.
import type { Attributes } from "./attributes.js";

export type Decision = "allow" | "deny" | "noOpinion";

export interface AuthorizationResult {
  decision: Decision;
  /** Why (shown to users after a refusal, and in SubjectAccessReview status). */
  reason: string;
}

export interface Authorizer {
  authorize(attrs: Attributes): AuthorizationResult;
}

export const NO_OPINION: AuthorizationResult = { decision: "noOpinion", reason: "" };

export class AuthorizerChain implements Authorizer {
  constructor(private readonly authorizers: readonly Authorizer[]) {}

  authorize(attrs: Attributes): AuthorizationResult {
    const reasons: string[] = [];
    for (const authorizer of this.authorizers) {
      const result = authorizer.authorize(attrs);
      if (result.decision !== "noOpinion") return result;
      if (result.reason) reasons.push(result.reason);
    }
    return { decision: "noOpinion", reason: reasons.join(", ") };
  }
}
