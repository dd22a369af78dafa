// The built-in admission plugins, in the order upstream's API server runs them. Each plugin is one
// file in this directory; what it needs from the server (caches, clients, settings) comes in through
// AdmissionDeps.
import type { ApiContext } from "../handlers/api-context.js";
import type { AdmissionPlugin } from "./admission.js";
import { LimitRangerPlugin } from "./limit-ranger.js";
import { ResourceQuotaPlugin } from "./resource-quota/plugin.js";
import { ValidatingAdmissionPolicyPlugin } from "./validating-policy/plugin.js";
import { MutatingWebhookPlugin, ValidatingWebhookPlugin } from "./webhook/plugins.js";

export interface AdmissionDeps {
  api: ApiContext;
}

export function builtinAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  // Upstream's order: NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, ...,
  // MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota (last).
  return [
    new LimitRangerPlugin(deps.api),
    new MutatingWebhookPlugin(deps.api),
    new ValidatingAdmissionPolicyPlugin(deps.api),
    new ValidatingWebhookPlugin(deps.api),
    new ResourceQuotaPlugin(deps.api),
  ];
}
