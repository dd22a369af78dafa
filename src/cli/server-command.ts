// `kubelite server`: parses and validates the flags into ServerOptions, starts the server from
// ../server.js (imported only once the flags are valid, so --help and usage errors stay fast),
// prints one line saying the cluster is ready and where the kubeconfig is, and on SIGTERM/SIGINT
// closes it and exits 0 (a second signal exits at once).
import { Command, Option } from "commander";
import { resolve } from "node:path";
import {
  DATASTORES,
  AUDIT_LEVELS,
  LOG_LEVELS,
  type AuditLevel,
  RUNTIMES,
  defaultServerOptions,
  parseCidrList,
  parseCount,
  parseDomain,
  parseEndpoints,
  parseIP,
  parseNodeName,
  parsePort,
  splitList,
  validateServerOptions,
  type Datastore,
  type RunningServer,
  type RuntimeName,
  type ServerOptions,
  type StartServer,
} from "../server-options.js";
import type { LogLevel } from "../log.js";
import { flag } from "./flags.js";
import { DEFAULT_POD_SECURITY_POLICY, parsePodSecurityDefault } from "../api/admission/pod-security/configuration.js";

/** Option values as commander stores them (attribute names derive from the long flags). */
interface ServerFlags {
  dataDir: string;
  bindAddress: string;
  port: number;
  datastore: Datastore;
  etcdEndpoints?: string[];
  writeKubeconfig?: string;
  nodeName: string;
  runtime: RuntimeName;
  disableAgent?: boolean;
  disableScheduler?: boolean;
  disableControllerManager?: boolean;
  agents: number;
  simulatedNodes: number;
  simulatedNodeCapacity: string;
  imageMap?: string;
  tlsSan: string[];
  serviceCidr: string;
  clusterCidr: string;
  clusterDns: string;
  clusterDomain: string;
  disableIngress?: boolean;
  ingressHttpPort: number;
  ingressHttpsPort: number;
  ingressBindAddress: string;
  logLevel: LogLevel;
  v: number;
  podSecurityDefault?: string;
  auditLogPath?: string;
  auditLevel: AuditLevel;
  auditLogMaxsize: number;
  auditLogMaxbackup: number;
}

export function registerServerCommand(program: Command, loadServer: () => Promise<StartServer> = importStartServer): Command {
  const command = program.command("server").description("Run the control plane (API server, controllers, scheduler) and, unless disabled, a local node agent.");
  addServerOptions(command);
  return command.action(async (flags: ServerFlags) => {
    const options = toServerOptions(flags);
    try {
      validateServerOptions(options);
    } catch (err) {
      command.error(`error: ${(err as Error).message}`); // exits 2 through the program's exitOverride
    }
    const server = await (await loadServer())(options);
    // Handlers first: whoever reads the ready line may signal at once.
    closeOnSignals(server);
    process.stdout.write(`kubelite is ready at ${server.url}; kubeconfig: ${server.kubeconfigPath}\n`);
  });
}

function addServerOptions(command: Command): void {
  const d = defaultServerOptions();
  command
    .option("--data-dir <dir>", "directory for certificates, the join token, the kubeconfig and the database", d.dataDir)
    .option("--bind-address <ip>", "IP address the API server listens on", flag(parseIP), d.bindAddress)
    .option("--port <port>", "HTTPS port of the API server (0 picks a free one)", flag(parsePort), d.port)
    .addOption(new Option("--datastore <kind>", "where objects are stored").choices(DATASTORES).default(d.datastore))
    .option("--etcd-endpoints <urls>", "comma-separated etcd URLs (with --datastore etcd)", flag(parseEndpoints))
    .option("--write-kubeconfig <path>", "also write the admin kubeconfig to this path")
    .option("--node-name <name>", "name of the local node", flag(parseNodeName), d.nodeName)
    .addOption(new Option("--runtime <runtime>", "container runtime of the local node").choices(RUNTIMES).default(d.runtime))
    .option("--disable-agent", "run no node agent in this process")
    .option("--disable-scheduler", "run no scheduler in this process")
    .option("--disable-controller-manager", "run no controllers in this process")
    .option("--agents <n>", "additional in-process node agents", flag(parseCount), d.agents)
    .option("--simulated-nodes <n>", "simulated nodes (pods run without processes)", flag(parseCount), d.simulatedNodes)
    .option("--simulated-node-capacity <list>", "capacity of each simulated node", d.simulatedNodeCapacity)
    .option("--image-map <file>", "file mapping image names to commands for the process runtime")
    .option("--tls-san <names>", "extra DNS names or IPs for the serving certificate (comma-separated, repeatable)", appendList, [...d.tlsSan])
    .option("--service-cidr <cidr>", "range of Service cluster IPs", flag(parseCidrList), d.serviceCidr)
    .option("--cluster-cidr <cidr>", "range of pod IPs", flag(parseCidrList), d.clusterCidr)
    .option("--cluster-dns <ip>", "cluster IP of the kube-dns Service, the nameserver pods use", flag(parseIP), d.clusterDns)
    .option("--cluster-domain <domain>", "the cluster's DNS domain", flag(parseDomain), d.clusterDomain)
    .option("--disable-ingress", "run no built-in ingress controller")
    .option("--ingress-http-port <port>", "HTTP port of the built-in ingress (80 as root, else 8081)", flag(parsePort), d.ingressHttpPort)
    .option("--ingress-https-port <port>", "HTTPS port of the built-in ingress (443 as root, else 8443)", flag(parsePort), d.ingressHttpsPort)
    .option("--ingress-bind-address <ip>", "IP address the built-in ingress listens on", flag(parseIP), d.ingressBindAddress)
    .addOption(new Option("--log-level <level>", "least severe level logged").choices(LOG_LEVELS).default(d.logLevel))
    .option("--pod-security-default <policy>", `PodSecurity levels of namespaces without labels (default "${DEFAULT_POD_SECURITY_POLICY}")`, flag(checkPodSecurityDefault))
    .option("-v, --v <level>", "log verbosity, as klog's -v (higher logs more)", flag(parseVerbosity), d.verbosity)
    .option("--audit-log-path <file>", "audit log file (default DATA_DIR/audit/audit.log)")
    .addOption(new Option("--audit-level <level>", "what the audit log records of each request").choices(AUDIT_LEVELS).default(d.auditLevel))
    .option("--audit-log-maxsize <MB>", "rotate the audit log at this size", flag(parseCount), d.auditLogMaxSizeMB)
    .option("--audit-log-maxbackup <n>", "rotated audit logs kept", flag(parseCount), d.auditLogMaxBackups);
}

function appendList(value: string, previous: string[]): string[] {
  return [...previous, ...splitList(value)];
}

function checkPodSecurityDefault(value: string): string {
  parsePodSecurityDefault(value);
  return value;
}

/** Accepts `-v 4`, `--v=4` and klog's `-v=4`. */
function parseVerbosity(value: string): number {
  return parseCount(value.replace(/^=/, ""));
}

function toServerOptions(flags: ServerFlags): ServerOptions {
  return {
    dataDir: resolve(flags.dataDir),
    bindAddress: flags.bindAddress,
    port: flags.port,
    datastore: flags.datastore,
    etcdEndpoints: flags.etcdEndpoints ?? [],
    ...(flags.writeKubeconfig === undefined ? {} : { writeKubeconfig: resolve(flags.writeKubeconfig) }),
    nodeName: flags.nodeName,
    runtime: flags.runtime,
    disableAgent: flags.disableAgent === true,
    disableScheduler: flags.disableScheduler === true,
    disableControllerManager: flags.disableControllerManager === true,
    agents: flags.agents,
    simulatedNodes: flags.simulatedNodes,
    simulatedNodeCapacity: flags.simulatedNodeCapacity,
    ...(flags.imageMap === undefined ? {} : { imageMap: resolve(flags.imageMap) }),
    tlsSan: flags.tlsSan,
    serviceCidr: flags.serviceCidr,
    clusterCidr: flags.clusterCidr,
    clusterDns: flags.clusterDns,
    clusterDomain: flags.clusterDomain,
    disableIngress: flags.disableIngress === true,
    ingressHttpPort: flags.ingressHttpPort,
    ingressHttpsPort: flags.ingressHttpsPort,
    ingressBindAddress: flags.ingressBindAddress,
    logLevel: flags.logLevel,
    verbosity: flags.v,
    ...(flags.podSecurityDefault === undefined ? {} : { podSecurityDefault: flags.podSecurityDefault }),
    ...(flags.auditLogPath === undefined ? {} : { auditLogPath: resolve(flags.auditLogPath) }),
    auditLevel: flags.auditLevel,
    auditLogMaxSizeMB: flags.auditLogMaxsize,
    auditLogMaxBackups: flags.auditLogMaxbackup,
  };
}

/** Imported on demand: --help and usage errors should not load the whole server. */
async function importStartServer(): Promise<StartServer> {
  const { startServer } = await import("../server.js");
  return (options) => startServer(options);
}

function closeOnSignals(server: RunningServer): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      process.stderr.write(`kubelite: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    closing = true;
    void server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`kubelite: error while shutting down: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
