// What `kubelite server` is configured with (DESIGN.md §3 CLI), its defaults, and the checks on
// values. The CLI parses flags into ServerOptions with these parsers; programmatic callers (tests)
// use defaultServerOptions() and validateServerOptions(). Parsers throw Error with a message
// that names the problem; they never read the environment except defaultServerOptions' host name
// and whether the process runs as root.
import { BlockList, isIP, isIPv4 } from "node:net";
import { hostname } from "node:os";
import type { LogLevel } from "./log.js";

export const DATASTORES = ["sqlite", "memory", "etcd"] as const;
export type Datastore = (typeof DATASTORES)[number];

export const RUNTIMES = ["process", "cri", "simulated"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export const AUDIT_LEVELS = ["None", "Metadata", "Request"] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const satisfies readonly LogLevel[];

export interface ServerOptions {
  /** --data-dir: certificates, token, kubeconfig, database. */
  dataDir: string;
  /** --bind-address: the IP the API server listens on. */
  bindAddress: string;
  /** --port: 0 picks a free port (tests). */
  port: number;
  datastore: Datastore;
  /** --etcd-endpoints, required with --datastore etcd. */
  etcdEndpoints: string[];
  /** --write-kubeconfig: another path for the admin kubeconfig besides DATA_DIR/kubeconfig.yaml. */
  writeKubeconfig?: string;
  nodeName: string;
  runtime: RuntimeName;
  disableAgent: boolean;
  /** --disable-scheduler: run no scheduler in this process (k3s' flag). */
  disableScheduler: boolean;
  /** --disable-controller-manager: run no controllers in this process (k3s' flag). */
  disableControllerManager: boolean;
  /** --agents: additional in-process agents (nodes) besides the local one. */
  agents: number;
  /** --simulated-nodes: kwok-style nodes without processes. */
  simulatedNodes: number;
  /** --simulated-node-capacity: each simulated node's capacity, e.g. cpu=4,memory=16Gi,pods=110. */
  simulatedNodeCapacity: string;
  /** --image-map: a file mapping image names to commands for the process runtime. */
  imageMap?: string;
  /** --tls-san: extra names and IPs for the serving certificate. */
  tlsSan: string[];
  serviceCidr: string;
  clusterCidr: string;
  /** --cluster-dns: the kube-dns Service's cluster IP, the nameserver in pods' resolv.conf (k3s' flag). */
  clusterDns: string;
  /** --cluster-domain: the cluster's DNS zone (k3s' flag). */
  clusterDomain: string;
  /** --disable-ingress: no built-in ingress controller and no `kubelite` IngressClass. */
  disableIngress: boolean;
  /** --ingress-http-port / --ingress-https-port: the ingress's host ports (0 picks free ones). */
  ingressHttpPort: number;
  ingressHttpsPort: number;
  /** --ingress-bind-address: where the ingress listens. */
  ingressBindAddress: string;
  logLevel: LogLevel;
  /** -v / --v: klog-style verbosity; higher logs more. */
  verbosity: number;
  /** --pod-security-default: PodSecurity's policy for namespaces without labels, e.g. "enforce=baseline,warn=restricted". */
  podSecurityDefault?: string;
  /** --audit-log-path: where the audit log goes (default DATA_DIR/audit/audit.log). */
  auditLogPath?: string;
  /** --audit-level: None, Metadata (default) or Request. */
  auditLevel: AuditLevel;
  /** --audit-log-maxsize: megabytes before the audit log is rotated. */
  auditLogMaxSizeMB: number;
  /** --audit-log-maxbackup: rotated audit logs kept. */
  auditLogMaxBackups: number;
}

/** What the server returns once it is serving (src/server.ts implements it). */
export interface RunningServer {
  url: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

export type StartServer = (options: ServerOptions) => Promise<RunningServer>;

/**
 * The ingress's default ports: 80 and 443 as root (k3s' Traefik), otherwise 8081 and 8443, which
 * need no privilege and stay clear of 8080, where host-network pods commonly listen (ADR 0014).
 */
export function defaultIngressPorts(root: boolean): { http: number; https: number } {
  return root ? { http: 80, https: 443 } : { http: 8081, https: 8443 };
}

export function defaultServerOptions(hostName: string = hostname(), root: boolean = process.getuid?.() === 0): ServerOptions {
  const ingressPorts = defaultIngressPorts(root);
  return {
    dataDir: "./.kubelite",
    bindAddress: "127.0.0.1",
    port: 6443,
    datastore: "sqlite",
    etcdEndpoints: [],
    nodeName: hostName.toLowerCase(),
    runtime: "process",
    disableAgent: false,
    disableScheduler: false,
    disableControllerManager: false,
    agents: 0,
    simulatedNodes: 0,
    simulatedNodeCapacity: "cpu=4,memory=16Gi,pods=110",
    tlsSan: [],
    serviceCidr: "10.43.0.0/16",
    clusterCidr: "10.42.0.0/16",
    clusterDns: "10.43.0.10",
    clusterDomain: "cluster.local",
    disableIngress: false,
    ingressHttpPort: ingressPorts.http,
    ingressHttpsPort: ingressPorts.https,
    ingressBindAddress: "127.0.0.1",
    logLevel: "info",
    verbosity: 0,
    auditLevel: "Metadata",
    auditLogMaxSizeMB: 100,
    auditLogMaxBackups: 5,
  };
}

export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(port <= 65535)) throw new Error(`${value} is not a port number (0-65535)`);
  return port;
}

/** A non-negative decimal integer. */
export function parseCount(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) throw new Error(`${value} is not a non-negative integer`);
  return Number(value.trim());
}

export function parseIP(value: string): string {
  if (isIP(value) === 0) throw new Error(`${value} is not an IP address`);
  return value;
}

export interface Cidr {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** `10.43.0.0/16` or `fd00::/108`; host bits may be set (upstream parses CIDRs the same way). */
export function parseCidr(value: string): Cidr {
  const [address = "", prefixText = "", ...rest] = value.trim().split("/");
  const family = isIP(address) === 0 ? undefined : isIPv4(address) ? "ipv4" : "ipv6";
  const max = family === "ipv4" ? 32 : 128;
  if (family === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    throw new Error(`${value} is not a CIDR (like 10.43.0.0/16)`);
  }
  return { address, prefix: Number(prefixText), family };
}

/** A comma-separated list (dual-stack: at most one IPv4 and one IPv6 range). */
export function parseCidrList(value: string): string {
  const cidrs = splitList(value).map(parseCidr);
  const families = new Set(cidrs.map((c) => c.family));
  if (cidrs.length === 0 || cidrs.length > 2 || families.size !== cidrs.length) {
    throw new Error(`${value} must be one CIDR, or one IPv4 and one IPv6 CIDR separated by a comma`);
  }
  return cidrs.map((c) => `${c.address}/${c.prefix}`).join(",");
}

export function parseEndpoints(value: string): string[] {
  const endpoints = splitList(value);
  for (const endpoint of endpoints) {
    if (!/^https?:\/\/[^/]+/.test(endpoint) || !URL.canParse(endpoint)) {
      throw new Error(`${endpoint} is not an http(s) URL`);
    }
  }
  if (endpoints.length === 0) throw new Error("at least one endpoint is required");
  return endpoints;
}

/** A DNS domain such as cluster.local (DNS-1123 labels). */
export function parseDomain(value: string): string {
  if (!isDnsSubdomain(value)) throw new Error(`${value} is not a valid DNS domain (lower-case letters, digits, '-' and '.')`);
  return value;
}

function isDnsSubdomain(value: string): boolean {
  const label = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  return value.length <= 253 && new RegExp(`^${label}(\\.${label})*$`).test(value);
}

/** A DNS-1123 subdomain, as a Node's name must be. */
export function parseNodeName(value: string): string {
  if (!isDnsSubdomain(value)) {
    throw new Error(`${value} is not a valid node name (lower-case letters, digits, '-' and '.')`);
  }
  return value;
}

export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Checks that involve several options; throws the first problem found. */
export function validateServerOptions(options: ServerOptions): void {
  try {
    parseNodeName(options.nodeName);
  } catch (err) {
    throw new Error(`${(err as Error).message}; pass --node-name`);
  }
  if (options.datastore === "etcd" && options.etcdEndpoints.length === 0) {
    throw new Error("--datastore etcd needs --etcd-endpoints");
  }
  if (options.datastore !== "etcd" && options.etcdEndpoints.length > 0) {
    throw new Error("--etcd-endpoints is only used with --datastore etcd");
  }
  if (!options.disableIngress && options.ingressHttpPort !== 0 && options.ingressHttpPort === options.ingressHttpsPort) {
    throw new Error(`--ingress-http-port and --ingress-https-port are both ${options.ingressHttpPort}: they must differ`);
  }
  if (cidrListsOverlap(options.serviceCidr, options.clusterCidr)) {
    throw new Error(`--service-cidr ${options.serviceCidr} overlaps --cluster-cidr ${options.clusterCidr}`);
  }
}

function cidrListsOverlap(a: string, b: string): boolean {
  const left = splitList(a).map(parseCidr);
  const right = splitList(b).map(parseCidr);
  return left.some((x) => right.some((y) => x.family === y.family && (contains(x, y.address) || contains(y, x.address))));
}

/** Whether `cidr` contains `address`; two ranges overlap iff one contains the other's base. */
function contains(cidr: Cidr, address: string): boolean {
  const list = new BlockList();
  list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return list.check(address, cidr.family);
}
