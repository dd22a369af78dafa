// An admission plugin whose code is loaded the first time it has something to do. The
// ValidatingAdmissionPolicy, webhook and Kyverno plugins act only once a policy or a webhook
// configuration exists; until then they are a cache-size check, and their code (the CEL engine,
// the webhook client, the Kyverno engine) stays off the server's start-up (ADR 0021).
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";

export interface LazyPluginOptions {
  /** The plugin's upstream name. */
  name: string;
  /** The phases the plugin takes part in: cheap checks of whether it could act on this request. */
  admits?(request: AdmissionRequest): boolean;
  validates?(request: AdmissionRequest): boolean;
  load(): Promise<AdmissionPlugin>;
}

export function lazyPlugin(options: LazyPluginOptions): AdmissionPlugin {
  let loading: Promise<AdmissionPlugin> | undefined;
  const plugin = () => (loading ??= options.load());
  const { admits, validates } = options;
  return {
    name: options.name,
    ...(admits && {
      async admit(request: AdmissionRequest): Promise<boolean> {
        if (!admits(request)) return false;
        return (await (await plugin()).admit?.(request)) ?? false;
      },
    }),
    ...(validates && {
      async validate(request: AdmissionRequest): Promise<void> {
        if (validates(request)) await (await plugin()).validate?.(request);
      },
    }),
  };
}
