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
import { KyvernoAdmission } from "./kyverno/plugin.js";
import { ResourceQuotaPlugin } from "./resource-quota/plugin.js";
import { serviceAccountAdmission } from "./service-account.js";
import { networkPolicyEnforcement } from "./network-policy-enforcement.js";
import { ValidatingAdmissionPolicyPlugin } from "./validating-policy/plugin.js";
import type { PodDialer } from "./webhook/endpoint.js";
import { MutatingWebhookPlugin, ValidatingWebhookPlugin } from "./webhook/plugins.js";

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
    new MutatingWebhookPlugin(deps.api, deps.dialPod),
    new ValidatingAdmissionPolicyPlugin(deps.api),
    new ValidatingWebhookPlugin(deps.api, deps.dialPod),
    // Where Kyverno's validating webhook would run: with the validating webhooks.
    new KyvernoAdmission(deps.api),
    new ResourceQuotaPlugin(deps.api),
  ];
}
