// The components `kubelite server` runs beside the API, each through an in-process Client as its
// own identity: the controller manager and the simulated nodes (when asked for) on one shared
// informer factory (one watch and one cache per resource), and the scheduler on a thread of its
// own with its own informers.
import type { UserInfo } from "./auth/authenticate.js";
import { InformerFactory } from "./client/informer-factory.js";
import type { CertificateSigner, ControllerSettings } from "./controllers/controller-context.js";
import { builtinControllers } from "./controllers/index.js";
import { ControllerManager } from "./controllers/manager.js";
import { CONTROLLER_MANAGER_USER, SCHEDULER_USER, SIMULATED_NODES_USER } from "./auth/authorization/bootstrap-policy.js";
import type { Logger, LogLevel } from "./log.js";
import type { ServiceAccountTokenIssuer } from "./auth/service-account-token.js";
import { parseCapacity } from "./node/simulated/node-objects.js";
import { SimulatedNodes } from "./node/simulated/simulated-nodes.js";
import { SchedulerThread } from "./scheduler/scheduler-thread.js";
import type { InProcessClient } from "./client/in-process.js";

export interface ComponentOptions {
  clientFor(user: UserInfo, fieldManager: string): InProcessClient;
  log: Logger;
  /** The server's log level, which the scheduler's thread logs at. */
  logLevel: LogLevel;
  simulatedNodes: number;
  simulatedNodeCapacity: string;
  disableScheduler: boolean;
  disableControllerManager: boolean;
  /** How often simulated nodes renew their Leases (default 10 s, as kubelets). */
  leaseRenewIntervalMs?: number;
  controllerSettings?: Partial<ControllerSettings>;
  /** --cluster-cidr: where nodes' pod CIDRs come from. */
  clusterCIDR?: string;
  /** The cluster CA's signer (CertificateSigningRequests). */
  signer?: CertificateSigner;
  /** Signs legacy service-account tokens (the tokens controller). */
  tokenIssuer?: ServiceAccountTokenIssuer;
}

export interface RunningComponents {
  /** The simulated nodes, when the server runs any. */
  simulatedNodes?: SimulatedNodes;
  /** The shared informers, for other in-process readers (cluster DNS). */
  informers: InformerFactory;
  stop(): Promise<void>;
}

/** The scheduler on a thread of its own (ADR 0024), its calls made in process as system:kube-scheduler. */
function createScheduler(options: ComponentOptions): SchedulerThread {
  const user = { name: SCHEDULER_USER, groups: ["system:authenticated"] };
  return new SchedulerThread({ client: options.clientFor(user, "default-scheduler"), log: options.log.child({ component: "scheduler" }), logLevel: options.logLevel });
}

export async function startComponents(options: ComponentOptions): Promise<RunningComponents> {
  // The shared informers list and watch as the controller manager itself (upstream's system:kube-controller-manager).
  const informersUser = { name: CONTROLLER_MANAGER_USER, groups: ["system:authenticated"] };
  const informers = new InformerFactory(options.clientFor(informersUser, "kube-controller-manager"), { logger: options.log.child({ component: "informers" }) });
  const controllers = new ControllerManager({
    registrations: options.disableControllerManager ? [] : builtinControllers(),
    informers,
    clientFor: options.clientFor,
    log: options.log.child({ component: "controller-manager" }),
    settings: { ...(options.clusterCIDR ? { clusterCIDR: options.clusterCIDR.split(",")[0] } : {}), ...options.controllerSettings },
    signer: options.signer,
    tokenIssuer: options.tokenIssuer,
  });
  const simulatedNodes =
    options.simulatedNodes > 0
      ? new SimulatedNodes({
          count: options.simulatedNodes,
          capacity: parseCapacity(options.simulatedNodeCapacity),
          // One identity for many nodes: its own role (the Node authorizer allows a node only its own objects).
          client: options.clientFor({ name: SIMULATED_NODES_USER, groups: ["system:authenticated"] }, "kubelet"),
          informers,
          log: options.log.child({ component: "simulated-nodes" }),
          renewIntervalMs: options.leaseRenewIntervalMs,
        })
      : undefined;
  const scheduler = options.disableScheduler ? undefined : createScheduler(options);
  informers.start();
  await Promise.all([controllers.start(), scheduler?.start(), simulatedNodes?.start()]);
  return {
    simulatedNodes,
    informers,
    async stop() {
      await Promise.all([controllers.stop(), scheduler?.stop(), simulatedNodes?.stop()]);
      await informers.stop();
    },
  };
}
