// upstream's DefaultIngressClass admission plugin: an Ingress created with neither
// spec.ingressClassName nor the legacy kubernetes.io/ingress.class annotation gets the name of the
// IngressClass annotated ingressclass.kubernetes.io/is-default-class: "true". No default class:
// unchanged. More than one: refused as upstream does, since which one is meant cannot be known.
import { forbidden } from "../errors.js";
import type { KubeObject } from "../resource.js";
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";
import type { AdmissionDeps } from "./index.js";

export const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
export const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

export function defaultIngressClassPlugin(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: "DefaultIngressClass",
    admit(request: AdmissionRequest): boolean {
      const { def, object } = request;
      if (request.operation !== "CREATE" || request.subresource || def.group !== "networking.k8s.io" || def.plural !== "ingresses" || !object) return false;
      const spec = (object.spec ?? {}) as { ingressClassName?: string | null };
      if ((spec.ingressClassName ?? undefined) !== undefined || object.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return false;
      const defaults = deps.api.cache
        .get("ingressclasses")
        .list(undefined)
        .map((cached) => cached.object ?? (JSON.parse(cached.json) as KubeObject))
        .filter((ingressClass) => ingressClass.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
      if (defaults.length === 0) return false;
      if (defaults.length > 1) {
        throw forbidden(`ingresses.networking.k8s.io "${request.name}" is forbidden: Internal error occurred: ${defaults.length} default IngressClasses were found, only 1 allowed`);
      }
      object.spec = { ...spec, ingressClassName: defaults[0]!.metadata?.name };
      return true;
    },
  };
}
