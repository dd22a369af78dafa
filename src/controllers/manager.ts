// The controller manager inside `kubelite server`: builds every registered controller with its own
// identity and a shared informer factory, starts the informers, then the controllers (their workers
// wait for the informers they use), and stops them all on close.
import type { UserInfo } from "../auth/authenticate.js";
import type { Client } from "../client/client.js";
import { realClock, type Clock } from "../client/clock.js";
import type { Controller } from "../client/controller.js";
import { EventRecorder } from "../client/event-recorder.js";
import { InformerFactory } from "../client/informer-factory.js";
import type { Logger } from "../log.js";
import type { ServiceAccountTokenIssuer } from "../auth/service-account-token.js";
import { DEFAULT_CONTROLLER_SETTINGS, type CertificateSigner, type ControllerRegistration, type ControllerSettings } from "./controller-context.js";

export interface ControllerManagerOptions {
  registrations: readonly ControllerRegistration[];
  /** The informers shared with the other components of the server (scheduler, simulated nodes). */
  informers: InformerFactory;
  /** A Client acting as the given identity (in-process in `kubelite server`). */
  clientFor(user: UserInfo, fieldManager: string): Client;
  log: Logger;
  clock?: Clock;
  settings?: Partial<ControllerSettings>;
  /** The cluster CA's signer for the CSR signing controller. */
  signer?: CertificateSigner;
  /** Signs legacy service-account tokens (the tokens controller). */
  tokenIssuer?: ServiceAccountTokenIssuer;
}

export class ControllerManager {
  private readonly controllers: Controller[] = [];
  private readonly informers: InformerFactory;

  constructor(private readonly options: ControllerManagerOptions) {
    checkUnique(options.registrations);
    const clock = options.clock ?? realClock;
    this.informers = options.informers;
    const settings = { ...DEFAULT_CONTROLLER_SETTINGS, ...options.settings };
    for (const registration of options.registrations) {
      const account = serviceAccountOf(registration);
      const client = options.clientFor(identity(account), "kube-controller-manager");
      const log = options.log.child({ controller: registration.name });
      const recorder = new EventRecorder({ client, component: registration.component, log, now: () => new Date(clock.now()) });
      this.controllers.push(registration.create({ client, informers: this.informers, recorder, log, clock, settings, signer: options.signer, tokenIssuer: options.tokenIssuer }));
    }
  }

  /** Starts the controllers; their workers begin once the (separately started) informers synced. */
  async start(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.stop()));
  }
}

/** The controller's service account: its own when it names one, else `<name>-controller`. */
export function serviceAccountOf(registration: ControllerRegistration): string {
  return registration.serviceAccount ?? (registration.name.endsWith("-controller") ? registration.name : `${registration.name}-controller`);
}

/** Upstream runs each controller as a service account of kube-system (--use-service-account-credentials). */
export function identity(name: string): UserInfo {
  return { name: `system:serviceaccount:kube-system:${name}`, groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"] };
}

function checkUnique(registrations: readonly ControllerRegistration[]): void {
  const seen = new Set<string>();
  for (const r of registrations) {
    if (seen.has(r.name)) throw new Error(`two controllers are registered as ${JSON.stringify(r.name)}`);
    seen.add(r.name);
  }
}
