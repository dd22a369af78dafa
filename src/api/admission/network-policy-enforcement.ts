// Warns (an admission Warning, printed by kubectl) when a NetworkPolicy is created or changed while
// some or all nodes cannot enforce it: nodes with host networking have no pod network namespaces
// to filter between. The policy is still stored, as upstream stores policies no plugin enforces;
// the warning and the nodes' NetworkPolicyNotEnforced events keep it from looking enforced (ADR 0015).
import { ENFORCED, ENFORCEMENT_LABEL } from "../../netpol/enforcement-label.js";
import type { ApiContext } from "../handlers/api-context.js";
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";

export function networkPolicyEnforcement(api: ApiContext): AdmissionPlugin {
  return {
    name: "NetworkPolicyEnforcement",
    validate(request: AdmissionRequest): void {
      const { def, operation, subresource } = request;
      if (def.group !== "networking.k8s.io" || def.kind !== "NetworkPolicy" || subresource || (operation !== "CREATE" && operation !== "UPDATE")) return;
      const nodes = api.cache.get("nodes").list(undefined);
      const unenforced = nodes.filter((node) => node.labels[ENFORCEMENT_LABEL] !== ENFORCED);
      if (nodes.length === 0 || unenforced.length === 0) return;
      const names = unenforced.slice(0, 3).map((n) => n.name).join(", ") + (unenforced.length > 3 ? `, and ${unenforced.length - 3} more` : "");
      request.ctx.warnings.push(
        unenforced.length === nodes.length
          ? `no node enforces NetworkPolicy (${names}: no pod network namespaces to filter between); this policy is stored but not in force`
          : `${unenforced.length} of ${nodes.length} nodes do not enforce NetworkPolicy (${names}); pods there are not restricted by this policy`,
      );
    },
  };
}
