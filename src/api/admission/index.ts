// The built-in admission plugins, in the order upstream's API server runs them. Each plugin is one
// file in this directory; what it needs from the server (caches, clients, settings) comes in through
// AdmissionDeps.
import type { ApiContext } from "../handlers/api-context.js";
import type { AdmissionPlugin } from "./admission.js";
import { defaultIngressClassPlugin } from "./default-ingress-class.js";
import { defaultStorageClassPlugin } from "./default-storage-class.js";
import { storageObjectInUseProtectionPlugin } from "./storage-object-in-use-protection.js";
import { LimitRangerPlugin } from "./limit-ranger.js";
import { defaultPodSecurityConfiguration, type PodSecurityConfiguration } from "./pod-security/configuration.js";
import { PodSecurityAdmission } from "./pod-security/plugin.js";
import { ResourceQuotaPlugin } from "./resource-quota/plugin.js";
import { serviceAccountAdmission } from "./service-account.js";
import { networkPolicyEnforcement } from "./network-policy-enforcement.js";
import { lazyPlugin } from "./lazy-plugin.js";
import { loadPolicyCompiler } from "./validating-policy/policy-compiler.js";
import type { PodDialer } from "./webhook/endpoint.js";

export interface AdmissionDeps {
  api: ApiContext;
  /** PodSecurity's cluster default and exemptions (`--pod-security-default`); kubelite's default when absent. */
  podSecurity?: PodSecurityConfiguration;
  /** Reaches pods through their node's network (webhooks behind a Service); absent without node agents. */
  dialPod?: PodDialer;
}

export function builtinAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  // Upstream's order: NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, ...,
  // MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota (last).
  return [
    new LimitRangerPlugin(deps.api),
    serviceAccountAdmission(deps),
    defaultIngressClassPlugin(deps),
    defaultStorageClassPlugin(deps),
    storageObjectInUseProtectionPlugin(),
    new PodSecurityAdmission(deps.api, deps.podSecurity ?? defaultPodSecurityConfiguration()),
    networkPolicyEnforcement(deps.api),
    // These act only once their configuration objects exist, and load their code then.
    lazyPlugin({
      name: "MutatingAdmissionWebhook",
      admits: () => cached(deps.api, "mutatingwebhookconfigurations"),
      load: async () => new (await import("./webhook/plugins.js")).MutatingWebhookPlugin(deps.api, deps.dialPod),
    }),
    lazyPlugin({
      name: "ValidatingAdmissionPolicy",
      // A policy being written is compiled by its validation, which comes after this phase.
      admits: (request) => request.def.group === "admissionregistration.k8s.io" && request.def.kind === "ValidatingAdmissionPolicy",
      validates: () => cached(deps.api, "validatingadmissionpolicies"),
      load: async () => {
        await loadPolicyCompiler();
        return new (await import("./validating-policy/plugin.js")).ValidatingAdmissionPolicyPlugin(deps.api);
      },
    }),
    lazyPlugin({
      name: "ValidatingAdmissionWebhook",
      validates: () => cached(deps.api, "validatingwebhookconfigurations"),
      load: async () => new (await import("./webhook/plugins.js")).ValidatingWebhookPlugin(deps.api, deps.dialPod),
    }),
    // Where Kyverno's validating webhook would run: with the validating webhooks.
    lazyPlugin({
      name: "Kyverno",
      validates: (request) => cached(deps.api, "clusterpolicies") || (request.namespace !== undefined && cached(deps.api, "policies")),
      load: async () => new (await import("./kyverno/plugin.js")).KyvernoAdmission(deps.api),
    }),
    new ResourceQuotaPlugin(deps.api),
  ];
}

/** Whether the watch cache holds any object of the storage resource. */
function cached(api: ApiContext, resource: string): boolean {
  return api.cache.get(resource).size > 0;
}
