// Members of system:masters may do anything, as upstream's privileged-group authorizer lets them
// (it runs before RBAC, so a broken policy cannot lock the administrator out).
import type { Attributes } from "./attributes.js";
import { NO_OPINION, type AuthorizationResult, type Authorizer } from "./authorizer.js";
import { MASTERS_GROUP } from "../pki.js";

export class SuperuserAuthorizer implements Authorizer {
  authorize(attrs: Attributes): AuthorizationResult {
    return attrs.user.groups.includes(MASTERS_GROUP) ? { decision: "allow", reason: "" } : NO_OPINION;
  }
}
