// The admission chain every write passes, as upstream's: after defaulting, the mutating phase lets
// plugins change the object (in order); after the kind's own validation, the validating phase lets
// plugins refuse it. Both run for HTTP requests and in-process components alike, because both reach
// the Registry. A refusal is a StatusError naming the plugin's reason; plugins never see a frozen object.
import type { RequestContext } from "../request-context.js";
import type { KubeObject, ResourceDef } from "../resource.js";

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** What a write does, as upstream's admission.Attributes describe it. */
export interface AdmissionRequest {
  operation: AdmissionOperation;
  def: ResourceDef;
  /** "status", "scale", "exec"...; undefined for the main resource. */
  subresource?: string;
  namespace?: string;
  name: string;
  /** The object to be stored (CREATE, UPDATE; a private copy that mutating plugins may change), or the options of a CONNECT. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  /** Who asks, dry run, and the warnings returned to the client. */
  ctx: RequestContext;
}

export interface AdmissionPlugin {
  /** Upstream's plugin name (e.g. "PodSecurity"), for logs and metrics. */
  readonly name: string;
  /** Mutating phase: may change `request.object` in place; returns true when it did. */
  admit?(request: AdmissionRequest): boolean | Promise<boolean>;
  /** Validating phase: throws a StatusError to refuse; may add warnings to `request.ctx.warnings`. */
  validate?(request: AdmissionRequest): void | Promise<void>;
}

export class AdmissionChain {
  readonly #mutating: AdmissionPlugin[];
  readonly #validating: AdmissionPlugin[];

  constructor(readonly plugins: readonly AdmissionPlugin[] = []) {
    this.#mutating = plugins.filter((p) => p.admit);
    this.#validating = plugins.filter((p) => p.validate);
  }

  /** Runs the mutating plugins in order; true when any changed the object. */
  async admit(request: AdmissionRequest): Promise<boolean> {
    let changed = false;
    for (const plugin of this.#mutating) if (await plugin.admit!(request)) changed = true;
    return changed;
  }

  /** Runs the validating plugins in order; the first refusal ends the request. */
  async validate(request: AdmissionRequest): Promise<void> {
    for (const plugin of this.#validating) await plugin.validate!(request);
  }
}
