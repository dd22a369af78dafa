// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration: cluster-scoped; reinvocationPolicy
// Never by default, the rest shared with the validating kind (webhook-configuration.ts); NAME WEBHOOKS AGE.
import type { ResourceDef } from "../resource.js";
import { webhookConfigurationResource } from "./webhook-configuration.js";

export const mutatingWebhookConfigurationResource = (): ResourceDef => webhookConfigurationResource("MutatingWebhookConfiguration");
