// The built-in admission plugins, in the order upstream's API server runs them. Each plugin is one
// file in this directory; what it needs from the server (caches, clients, settings) comes in through
// AdmissionDeps.
import type { ApiContext } from "../handlers/api-context.js";
import type { AdmissionPlugin } from "./admission.js";
import { defaultIngressClassPlugin } from "./default-ingress-class.js";
import { defaultPodSecurityConfiguration, type PodSecurityConfiguration } from "./pod-security/configuration.js";
import { PodSecurityAdmission } from "./pod-security/plugin.js";
import { KyvernoAdmission } from "./kyverno/plugin.js";
import { serviceAccountAdmission } from "./service-account.js";

export interface AdmissionDeps {
  api: ApiContext;
  /** PodSecurity's cluster default and exemptions (`--pod-security-default`); kubelite's default when absent. */
  podSecurity?: PodSecurityConfiguration;
}

export function builtinAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [
    serviceAccountAdmission(deps),
    defaultIngressClassPlugin(deps),
    new PodSecurityAdmission(deps.api, deps.podSecurity ?? defaultPodSecurityConfiguration()),
    // Where Kyverno's validating webhook would run: after the built-in plugins.
    new KyvernoAdmission(deps.api),
  ];
}
