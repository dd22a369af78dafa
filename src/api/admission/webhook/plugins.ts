// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (upstream's webhook
// dispatchers). Mutating webhooks run one after another, each seeing the previous one's patch
// (IfNeeded webhooks once more after a later change); validating webhooks run in parallel and the first refusal, in
// configuration order, wins. failurePolicy Ignore skips a webhook that cannot be called; Fail
// refuses the request with an internal error. The configuration kinds themselves are exempt.
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";
import { applyJsonPatch } from "../../patch/json-patch.js";
import { StatusError } from "../../errors.js";
import { jsonEqual, stringAt } from "../../resources/object-fields.js";
import type { AdmissionPlugin, AdmissionRequest } from "../admission.js";
import { admissionAttributes } from "../attributes.js";
import { ADMISSION_REGISTRATION_GROUP } from "../validating-policy/plugin.js";
import { CallingWebhookError, failedClosed, webhookDenied } from "./errors.js";
import type { PodDialer } from "./endpoint.js";
import { callWebhook, shouldCall, WebhookSource, type Webhook } from "./webhooks.js";

export class MutatingWebhookPlugin implements AdmissionPlugin {
  readonly name = "MutatingAdmissionWebhook";
  readonly #source: WebhookSource;

  constructor(private readonly api: ApiContext, private readonly dialPod?: PodDialer) {
    this.#source = new WebhookSource(api, "mutatingwebhookconfigurations");
  }

  async admit(request: AdmissionRequest): Promise<boolean> {
    if (request.def.group === ADMISSION_REGISTRATION_GROUP) return false;
    const hooks = this.#source.webhooks();
    if (hooks.length === 0) return false;
    // Webhooks with reinvocationPolicy IfNeeded that ran before a later webhook changed the object
    // run once more, as upstream's single reinvocation round.
    const reinvoke = new Set<Webhook>();
    let changed = false;
    for (const hook of hooks) {
      if (await this.call(hook, request)) {
        changed = true;
        for (const earlier of hooks.slice(0, hooks.indexOf(hook))) if (ifNeeded(earlier)) reinvoke.add(earlier);
      }
    }
    for (const hook of reinvoke) await this.call(hook, request);
    return changed;
  }

  /** Calls one webhook when it applies and applies its patch; true when the object changed. */
  private async call(hook: Webhook, request: AdmissionRequest): Promise<boolean> {
    const attrs = admissionAttributes(request);
    const result = await guarded(hook, async () => {
      if (!shouldCall(this.api, hook, attrs)) return undefined;
      return callWebhook(this.api, hook, attrs, true, this.dialPod);
    });
    if (!result) return false;
    request.ctx.warnings.push(...result.warnings);
    if (!result.allowed) throw webhookDenied(hook.name, result.status);
    if (result.patch === undefined || (Array.isArray(result.patch) && result.patch.length === 0)) return false;
    if (!request.object || attrs.object !== request.object) {
      throw new StatusError(500, "InternalError", `Internal error occurred: admission webhook "${hook.name}" attempted to modify the object, which is not supported for this operation`);
    }
    const patched = applyPatch(hook, request.object, result.patch);
    if (jsonEqual(patched, request.object)) return false;
    replaceContents(request.object, patched);
    return true;
  }
}

function ifNeeded(hook: Webhook): boolean {
  return stringAt(hook.config, "reinvocationPolicy") === "IfNeeded";
}

export class ValidatingWebhookPlugin implements AdmissionPlugin {
  readonly name = "ValidatingAdmissionWebhook";
  readonly #source: WebhookSource;

  constructor(private readonly api: ApiContext, private readonly dialPod?: PodDialer) {
    this.#source = new WebhookSource(api, "validatingwebhookconfigurations");
  }

  async validate(request: AdmissionRequest): Promise<void> {
    if (request.def.group === ADMISSION_REGISTRATION_GROUP) return;
    const hooks = this.#source.webhooks();
    if (hooks.length === 0) return;
    const attrs = admissionAttributes(request);
    const outcomes = await Promise.allSettled(
      hooks.map((hook) =>
        guarded(hook, async () => {
          if (!shouldCall(this.api, hook, attrs)) return;
          const result = await callWebhook(this.api, hook, attrs, false, this.dialPod);
          request.ctx.warnings.push(...result.warnings);
          if (!result.allowed) throw webhookDenied(hook.name, result.status);
        }),
      ),
    );
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  }
}

/** Runs one webhook's work; a call failure fails closed or, under Ignore, is logged and skipped. */
async function guarded<T>(hook: Webhook, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof CallingWebhookError)) throw err;
    if (hook.failurePolicy === "Ignore") return undefined;
    throw failedClosed(err);
  }
}

function applyPatch(hook: Webhook, object: KubeObject, patch: unknown): KubeObject {
  try {
    return applyJsonPatch(object, patch) as KubeObject;
  } catch (err) {
    throw new StatusError(500, "InternalError", `Internal error occurred: admission webhook "${hook.name}" returned a patch that does not apply: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The request's object is shared with the registry: change it in place. */
function replaceContents(target: KubeObject, source: KubeObject): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, source);
}
