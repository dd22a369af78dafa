// The `kubelite` IngressClass and which Ingresses the built-in controller serves. The class is
// created at start when missing and marked as the cluster's default (an existing one is left as
// the user keeps it). An Ingress is served when its class (spec.ingressClassName, or the legacy
// kubernetes.io/ingress.class annotation) names a class whose controller is ours, or when it names
// none and one of our classes is marked default, as upstream's default IngressClass works.
import { DEFAULT_CLASS_ANNOTATION, LEGACY_CLASS_ANNOTATION } from "../api/admission/default-ingress-class.js";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import type { Client, ResourceRef } from "../client/client.js";
import type { CacheReader } from "../client/indexer.js";

export const INGRESS_CLASS_NAME = "kubelite";
export const INGRESS_CONTROLLER = "kubelite.io/ingress";

const NETWORKING_V1 = (resource: string): ResourceRef => ({ group: "networking.k8s.io", version: "v1", resource });
export const INGRESSES = NETWORKING_V1("ingresses");
export const INGRESS_CLASSES = NETWORKING_V1("ingressclasses");

/** Creates the `kubelite` IngressClass unless it exists. */
export async function ensureIngressClass(client: Client): Promise<void> {
  const ingressClass = {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: INGRESS_CLASS_NAME, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" }, labels: { "app.kubernetes.io/managed-by": "kubelite" } },
    spec: { controller: INGRESS_CONTROLLER },
  };
  try {
    await client.create(INGRESS_CLASSES, undefined, ingressClass);
  } catch (error) {
    if (!(error instanceof StatusError && error.code === 409)) throw error;
  }
}

/** The class an Ingress asks for: spec.ingressClassName, else the legacy annotation. */
export function ingressClassOf(ingress: KubeObject): string | undefined {
  const spec = ingress.spec as { ingressClassName?: string } | undefined;
  return spec?.ingressClassName || ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] || undefined;
}

/** Whether the built-in controller serves this Ingress, given the IngressClasses cached. */
export function isServed(ingress: KubeObject, classes: CacheReader): boolean {
  const name = ingressClassOf(ingress);
  if (name === undefined) return classes.list().some((c) => isOurs(c) && c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  const ingressClass = classes.get(name);
  return ingressClass !== undefined && isOurs(ingressClass);
}

function isOurs(ingressClass: KubeObject): boolean {
  return (ingressClass.spec as { controller?: string } | undefined)?.controller === INGRESS_CONTROLLER;
}
