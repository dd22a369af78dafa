// The ingress controller's reconcile: for each served Ingress, writes where it is served
// (status.loadBalancer.ingress: the listeners' IP and ports) and records a Warning event for each
// problem a person must fix: a backend Service that does not exist or lacks the port, a resource
// backend, a TLS Secret that is missing or unusable. A problem is reported when it appears (again
// after it was fixed); the recorder aggregates repeats. Level-triggered: an Ingress is reconciled
// when it, its class, or a Service or Secret it names changes.
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../api/resource.js";
import type { Client } from "../client/client.js";
import { defineController, type Controller } from "../client/controller.js";
import type { EventRecorder } from "../client/event-recorder.js";
import type { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";
import type { ServiceBackends } from "./backends.js";
import type { IngressCertificates } from "./certificates.js";
import { INGRESSES, isServed } from "./ingress-class.js";
import type { IngressBackend, IngressSpec } from "./routes.js";

// Besides ServiceProblem's reasons (ServiceNotFound, ServicePortNotFound, UnsupportedBackend):
export const UnsupportedBackend = "UnsupportedBackend";
export const TLSSecretNotFound = "TLSSecretNotFound";
export const InvalidTLSSecret = "InvalidTLSSecret";

/** Ingress indexes: the "namespace/name" of each Service and TLS Secret an Ingress names. */
export const INGRESSES_BY_SERVICE = "ingress:by-service";
export const INGRESSES_BY_SECRET = "ingress:by-secret";

export interface IngressStatusOptions {
  client: Client;
  recorder: EventRecorder;
  ingresses: Informer;
  classes: Informer;
  services: Informer;
  secrets: Informer;
  backends: ServiceBackends;
  certificates: IngressCertificates;
  /** What status.loadBalancer.ingress says. */
  address: { ip: string; ports: number[] };
  log: Logger;
}

interface Problem {
  reason: string;
  message: string;
}

function backendsOf(spec: IngressSpec): IngressBackend[] {
  const paths = (spec.rules ?? []).flatMap((rule) => rule.http?.paths ?? []);
  return [...(spec.defaultBackend ? [spec.defaultBackend] : []), ...paths.flatMap((p) => (p.backend ? [p.backend] : []))];
}

export function servicesOf(ingress: KubeObject): readonly string[] {
  const names = backendsOf((ingress.spec ?? {}) as IngressSpec).flatMap((b) => (b.service ? [b.service.name] : []));
  return [...new Set(names)].map((name) => `${ingress.metadata?.namespace}/${name}`);
}

export function secretsOf(ingress: KubeObject): readonly string[] {
  const names = (((ingress.spec ?? {}) as IngressSpec).tls ?? []).flatMap((tls) => (tls.secretName ? [tls.secretName] : []));
  return [...new Set(names)].map((name) => `${ingress.metadata?.namespace}/${name}`);
}

export function ingressStatusController(options: IngressStatusOptions): Controller {
  const { ingresses, classes } = options;
  /** The problems last reported per Ingress key, so each is reported when it appears. */
  const reported = new Map<string, Set<string>>();
  const dependents = (index: string) => (obj: KubeObject) => ingresses.byIndex(index, `${obj.metadata?.namespace}/${obj.metadata?.name}`).map(keyOf);
  return defineController({
    name: "kubelite-ingress",
    logger: options.log,
    watches: [
      { informer: ingresses, keys: (obj) => [keyOf(obj)] },
      { informer: classes, keys: () => ingresses.list().map(keyOf) },
      { informer: options.services, keys: dependents(INGRESSES_BY_SERVICE) },
      { informer: options.secrets, keys: dependents(INGRESSES_BY_SECRET) },
    ],
    async reconcile(key) {
      const ingress = ingresses.get(key);
      if (!ingress || !isServed(ingress, classes)) {
        reported.delete(key);
        // Moved to another class: our address no longer says where it is served.
        if (ingress && isDeepStrictEqual(loadBalancerOf(ingress), ourLoadBalancer(options))) await writeLoadBalancer(ingress, {}, options);
        return;
      }
      const problems = problemsOf(ingress, options);
      const messages = new Set(problems.map((p) => p.message));
      const before = reported.get(key) ?? new Set();
      reported.set(key, messages);
      for (const problem of problems) if (!before.has(problem.message)) await options.recorder.event(ingress, "Warning", problem.reason, problem.message);
      await writeStatus(ingress, options);
    },
  });
}

function problemsOf(ingress: KubeObject, options: IngressStatusOptions): Problem[] {
  const namespace = ingress.metadata?.namespace ?? "";
  const problems: Problem[] = [];
  for (const backend of backendsOf((ingress.spec ?? {}) as IngressSpec)) {
    if (!backend.service) {
      problems.push({ reason: UnsupportedBackend, message: `resource backend ${backend.resource?.kind ?? ""}/${backend.resource?.name ?? ""} is not served: kubelite's ingress serves Service backends` });
      continue;
    }
    const found = options.backends.serviceProblem(namespace, backend.service);
    if (found) problems.push({ reason: found.reason, message: found.problem });
  }
  for (const secret of secretsOf(ingress)) {
    const problem = options.certificates.problem(secret);
    if (problem) problems.push({ reason: options.secrets.get(secret) ? InvalidTLSSecret : TLSSecretNotFound, message: `${problem}: HTTPS for its hosts uses the default certificate` });
  }
  return dedupe(problems);
}

function dedupe(problems: Problem[]): Problem[] {
  return [...new Map(problems.map((p) => [p.message, p])).values()];
}

function ourLoadBalancer(options: IngressStatusOptions): unknown {
  const { ip, ports } = options.address;
  return { ingress: [{ ip, ...(ports.length > 0 ? { ports: ports.map((port) => ({ port, protocol: "TCP" })) } : {}) }] };
}

function loadBalancerOf(ingress: KubeObject): unknown {
  return (ingress.status as { loadBalancer?: unknown } | undefined)?.loadBalancer;
}

async function writeStatus(ingress: KubeObject, options: IngressStatusOptions): Promise<void> {
  const loadBalancer = ourLoadBalancer(options);
  if (!isDeepStrictEqual(loadBalancerOf(ingress), loadBalancer)) await writeLoadBalancer(ingress, loadBalancer, options);
}

async function writeLoadBalancer(ingress: KubeObject, loadBalancer: unknown, options: IngressStatusOptions): Promise<void> {
  const status = (ingress.status ?? {}) as Record<string, unknown>;
  await options.client.update(INGRESSES, ingress.metadata?.namespace, { ...ingress, status: { ...status, loadBalancer } }, { subresource: "status" });
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace}/${obj.metadata?.name}`;
}
