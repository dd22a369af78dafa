// What every controller of the controller manager gets: a Client acting as its own identity, the
// shared informers, an event recorder, a logger and a clock. A controller is one file exporting a
// ControllerRegistration; src/controllers/index.ts lists them (duplicate names are an error).
import type { CertificateContent } from "../auth/certificate-issuer.js";
import type { Client } from "../client/client.js";
import type { Clock } from "../client/clock.js";
import type { Controller } from "../client/controller.js";
import type { EventRecorder } from "../client/event-recorder.js";
import type { InformerFactory } from "../client/informer-factory.js";
import type { Logger } from "../log.js";
import type { ServiceAccountTokenIssuer } from "../auth/service-account-token.js";

/** Settings of the controller manager that controllers read (upstream's kube-controller-manager flags). */
export interface ControllerSettings {
  /** --node-monitor-grace-period: a node whose lease is older is NotReady/Unknown (default 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** Default toleration seconds for not-ready/unreachable NoExecute taints (default 300 s). */
  defaultTolerationSeconds: number;
  /** Terminated pods kept before the pod GC deletes the oldest (upstream: 12,500). */
  terminatedPodGCThreshold: number;
  /** --cluster-cidr: the range nodes' pod CIDRs come from (default 10.42.0.0/16). */
  clusterCIDR: string;
  /** The prefix length of each node's pod CIDR (default 24). */
  nodeCIDRMaskSize: number;
}

export const DEFAULT_CONTROLLER_SETTINGS: ControllerSettings = {
  nodeMonitorGracePeriodMs: 40_000,
  defaultTolerationSeconds: 300,
  terminatedPodGCThreshold: 12_500,
  clusterCIDR: "10.42.0.0/16",
  nodeCIDRMaskSize: 24,
};

/**
 * Signing with the cluster CA, without the CA key itself: the CSR signer's only access to it, so
 * the key is in no object a controller could log.
 */
export interface CertificateSigner {
  readonly caCertPem: string;
  /** A PEM certificate for this content, signed by the cluster CA. */
  sign(content: CertificateContent): Promise<string>;
}

export interface ControllerContext {
  /** In-process client acting as system:serviceaccount:kube-system:<name>. */
  client: Client;
  informers: InformerFactory;
  /** Records Events as this controller (upstream's component names, e.g. "deployment-controller"). */
  recorder: EventRecorder;
  log: Logger;
  clock: Clock;
  settings: ControllerSettings;
  /** The cluster CA's signer, when the server has one (the CSR signing controller needs it). */
  signer?: CertificateSigner;
  /** Signs legacy service-account tokens (the tokens controller). */
  tokenIssuer?: ServiceAccountTokenIssuer;
}

export interface ControllerRegistration {
  /** Upstream's controller name: "deployment", "replicaset", "garbage-collector", "namespace"... */
  name: string;
  /** The component name events are recorded under ("deployment-controller"). */
  component: string;
  /** Its service account in kube-system, when upstream's is not `<name>-controller` ("persistent-volume-binder"). */
  serviceAccount?: string;
  /** Builds the controller (its informers come from ctx.informers); the manager starts and stops it. */
  create(ctx: ControllerContext): Controller;
}
