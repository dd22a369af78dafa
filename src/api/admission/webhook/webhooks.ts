// The webhooks of one configuration kind as the dispatchers use them: read from the watch cache,
// each configuration's matchConditions compiled once per resourceVersion; upstream's ShouldCallHook
// (rules, namespace and object selectors, then the match conditions, whose errors follow the
// webhook's failurePolicy) and one call (dry-run guard, AdmissionReview out, verified answer back).
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";
import { numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "../../resources/object-fields.js";
import { admissionReviewRequest, type AdmissionAttributes } from "../attributes.js";
import { AdmissionCel, type CelProgram } from "../cel/environment.js";
import { toCel } from "../cel/values.js";
import { anyRuleMatches, selectorsMatch } from "../match-rules.js";
import { postReview } from "./call.js";
import { EndpointError, webhookEndpoint, type PodDialer } from "./endpoint.js";
import { CallingWebhookError, dryRunUnsupported } from "./errors.js";
import { admissionReview, verifyResponse, type ReviewResult } from "./review.js";

export interface Webhook {
  name: string;
  config: JsonRecord;
  failurePolicy: "Fail" | "Ignore";
  conditions: { name: string; program?: CelProgram; error?: string }[];
}

const MAX_TIMEOUT_SECONDS = 30;

export class WebhookSource {
  #cel: AdmissionCel | undefined;
  readonly #compiled = new Map<string, { revision: number; hooks: Webhook[] }>();

  constructor(private readonly api: ApiContext, private readonly resource: string) {}

  /** Every webhook of every configuration, in configuration-name order (upstream sorts them so). */
  webhooks(): Webhook[] {
    const cache = this.api.cache.get(this.resource);
    if (cache.size === 0) return [];
    const out: Webhook[] = [];
    const live = new Set<string>();
    for (const cached of cache.list(undefined)) {
      live.add(cached.key);
      let entry = this.#compiled.get(cached.key);
      if (!entry || entry.revision !== cached.revision) {
        entry = { revision: cached.revision, hooks: recordsAt(JSON.parse(cached.json) as KubeObject, "webhooks").map((hook) => this.compile(hook)) };
        this.#compiled.set(cached.key, entry);
      }
      out.push(...entry.hooks);
    }
    for (const key of this.#compiled.keys()) if (!live.has(key)) this.#compiled.delete(key);
    return out;
  }

  private compile(config: JsonRecord): Webhook {
    const cel = (this.#cel ??= new AdmissionCel());
    const conditions = recordsAt(config, "matchConditions").map((c) => {
      const compiled = cel.compile(stringAt(c, "expression") ?? "", false);
      return { name: stringAt(c, "name") ?? "", program: compiled.program, error: compiled.error };
    });
    return { name: stringAt(config, "name") ?? "", config, failurePolicy: stringAt(config, "failurePolicy") === "Ignore" ? "Ignore" : "Fail", conditions };
  }
}

/** Whether the webhook applies; throws CallingWebhookError when a match condition cannot be evaluated. */
export function shouldCall(api: ApiContext, hook: Webhook, attrs: AdmissionAttributes): boolean {
  if (!anyRuleMatches(recordsAt(hook.config, "rules"), attrs)) return false;
  if (!selectorsMatch(hook.config, attrs, api.cache)) return false;
  if (hook.conditions.length === 0) return true;
  const { object: _object, oldObject: _oldObject, ...request } = admissionReviewRequest(attrs, "");
  const activation = { object: toCel(attrs.object), oldObject: toCel(attrs.oldObject), request: toCel(request), namespaceObject: null, variables: {} };
  for (const condition of hook.conditions) {
    try {
      if (!condition.program) throw new Error(`compilation failed: ${condition.error}`);
      if (condition.program(activation) !== true) return false;
    } catch (err) {
      throw new CallingWebhookError(hook.name, `failed to evaluate match condition '${condition.name}': ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  }
  return true;
}

/** Calls the webhook; a transport or protocol failure is a CallingWebhookError. */
export async function callWebhook(api: ApiContext, hook: Webhook, attrs: AdmissionAttributes, mutating: boolean, dialPod: PodDialer | undefined): Promise<ReviewResult> {
  if (attrs.request.ctx.dryRun) {
    const sideEffects = stringAt(hook.config, "sideEffects");
    if (sideEffects !== "None" && sideEffects !== "NoneOnDryRun") throw dryRunUnsupported(hook.name);
  }
  let endpoint;
  try {
    endpoint = webhookEndpoint(api, recordAt(hook.config, "clientConfig"));
  } catch (err) {
    if (err instanceof EndpointError || err instanceof TypeError) throw new CallingWebhookError(hook.name, `could not get REST client: ${err.message}`);
    throw err;
  }
  const timeout = Math.min(numberAt(hook.config, "timeoutSeconds") ?? 10, MAX_TIMEOUT_SECONDS);
  const { uid, review } = admissionReview(attrs);
  let body: unknown;
  try {
    body = await postReview(endpoint, review, timeout, dialPod);
  } catch (err) {
    throw new CallingWebhookError(hook.name, `failed to call webhook: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return verifyResponse(uid, mutating, body);
  } catch (err) {
    throw new CallingWebhookError(hook.name, `received invalid webhook response: ${err instanceof Error ? err.message : String(err)}`);
  }
}
