// The built-in admission plugins, in the order upstream's API server runs them. Each plugin is one
// file in this directory; what it needs from the server (caches, clients, settings) comes in through
// AdmissionDeps.
import type { ApiContext } from "../handlers/api-context.js";
import type { AdmissionPlugin } from "./admission.js";
import { serviceAccountAdmission } from "./service-account.js";

export interface AdmissionDeps {
  api: ApiContext;
}

export function builtinAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [
    serviceAccountAdmission(deps),
  ];
}
