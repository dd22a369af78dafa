// kubelite's built-in ingress controller (ADR 0014), run by `kubelite server` unless
// --disable-ingress: ensures the default `kubelite` IngressClass, follows Ingresses,
// IngressClasses, Services, EndpointSlices and kubernetes.io/tls Secrets through its own
// informers, serves HTTP and HTTPS on the host's bind address (127.0.0.1 by default), forwards to
// ready pods through the nodes' pod networks, and writes status and events on the Ingresses.
import { createSecureContext } from "node:tls";
import type { Registry } from "prom-client";
import type { CertKeyPair } from "../auth/certificate-issuer.js";
import { CORE_V1, type Client } from "../client/client.js";
import { EventRecorder } from "../client/event-recorder.js";
import { InformerFactory } from "../client/informer-factory.js";
import type { EventHandler } from "../client/informer.js";
import type { KubeObject } from "../api/resource.js";
import type { Logger } from "../log.js";
import { SLICES_BY_SERVICE, ServiceBackends, sliceServiceKey } from "./backends.js";
import { IngressCertificates } from "./certificates.js";
import { INGRESS_CLASSES, INGRESSES, ensureIngressClass, ingressClassOf } from "./ingress-class.js";
import { INGRESSES_BY_SECRET, INGRESSES_BY_SERVICE, ingressStatusController, secretsOf, servicesOf } from "./ingress-status.js";
import { IngressMetrics } from "./ingress-metrics.js";
import { openListeners } from "./listeners.js";
import type { PodDialer } from "./pod-agent.js";
import { IngressProxy } from "./proxy.js";
import { ServedIngresses } from "./served-ingresses.js";

const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };

/** Calls `handle` with every object added, changed (before and after) or deleted. */
function onChange(handle: (obj: KubeObject) => void): EventHandler {
  return { onAdd: handle, onUpdate: (before, after) => (handle(before), handle(after)), onDelete: handle };
}

/** spec changes bump metadata.generation; the class may also come from the legacy annotation. */
function routingMayDiffer(before: KubeObject, after: KubeObject): boolean {
  return before.metadata?.generation !== after.metadata?.generation || ingressClassOf(before) !== ingressClassOf(after);
}

export interface IngressOptions {
  /** Acts as the ingress controller's identity. */
  client: Client;
  log: Logger;
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  /** Reaches a pod on a node of this process. */
  dial: PodDialer;
  /** Where the ingress's metrics are registered (the API server's /metrics). */
  metricsRegistry?: Registry;
  /** The certificate for HTTPS clients whose SNI name no Ingress's TLS Secret covers. */
  defaultCertificate(): Promise<CertKeyPair>;
}

export interface RunningIngress {
  /** The listening ports; undefined for a listener that could not open. */
  httpPort?: number;
  httpsPort?: number;
  stop(): Promise<void>;
}

export async function startIngress(options: IngressOptions): Promise<RunningIngress> {
  const { client, log } = options;
  await ensureIngressClass(client);
  const informers = new InformerFactory(client, { logger: log });
  const ingresses = informers.informerFor(INGRESSES);
  const classes = informers.informerFor(INGRESS_CLASSES);
  const services = informers.informerFor(CORE_V1("services"));
  const slices = informers.informerFor(ENDPOINT_SLICES);
  const secrets = informers.informerFor(CORE_V1("secrets"), { fieldSelector: "type=kubernetes.io/tls" });
  ingresses.addIndexer(INGRESSES_BY_SERVICE, servicesOf);
  ingresses.addIndexer(INGRESSES_BY_SECRET, secretsOf);
  slices.addIndexer(SLICES_BY_SERVICE, sliceServiceKey);

  const defaultCertificate = await options.defaultCertificate();
  const backends = new ServiceBackends(services, slices);
  const certificates = new IngressCertificates(secrets, createSecureContext({ key: defaultCertificate.keyPem, cert: defaultCertificate.certPem }));
  const served = new ServedIngresses(ingresses, classes, certificates);
  const markChanged = () => served.markChanged();
  // Status writes (ours among them) do not change routes: only a new generation or class does.
  ingresses.addEventHandler({ onAdd: markChanged, onDelete: markChanged, onUpdate: (before, after) => routingMayDiffer(before, after) && markChanged() });
  classes.addEventHandler(onChange(markChanged));
  services.addEventHandler(onChange((svc) => backends.invalidate(`${svc.metadata?.namespace}/${svc.metadata?.name}`)));
  slices.addEventHandler(onChange((slice) => sliceServiceKey(slice).forEach((key) => backends.invalidate(key))));
  secrets.addEventHandler(onChange((secret) => certificates.forget(`${secret.metadata?.namespace}/${secret.metadata?.name}`)));
  informers.start();
  await informers.waitForSync();

  const metrics = options.metricsRegistry && new IngressMetrics(options.metricsRegistry);
  const proxy = new IngressProxy({ routes: () => served.routes(), backends, dial: options.dial, log, metrics });
  const listeners = await openListeners({ bindAddress: options.bindAddress, httpPort: options.httpPort, httpsPort: options.httpsPort, proxy, served, defaultCertificate, log });
  const ports = [listeners.httpPort, listeners.httpsPort].filter((port): port is number => port !== undefined);
  const ip = ["0.0.0.0", "::"].includes(options.bindAddress) ? "127.0.0.1" : options.bindAddress;
  const recorder = new EventRecorder({ client, component: "kubelite-ingress", log });
  const controller = ingressStatusController({ client, recorder, ingresses, classes, services, secrets, backends, certificates, address: { ip, ports }, log });
  await controller.start();
  log.info("ingress serving", { address: ip, httpPort: listeners.httpPort, httpsPort: listeners.httpsPort });
  return {
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    async stop() {
      await controller.stop();
      await listeners.close();
      proxy.close();
      await informers.stop();
    },
  };
}
