// admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration: cluster-scoped; defaults and
// checks shared with the mutating kind (webhook-configuration.ts); NAME WEBHOOKS AGE.
import type { ResourceDef } from "../resource.js";
import { webhookConfigurationResource } from "./webhook-configuration.js";

export const validatingWebhookConfigurationResource = (): ResourceDef => webhookConfigurationResource("ValidatingWebhookConfiguration");
