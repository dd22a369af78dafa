// `kubelite server`: wires the control plane together and serves it over HTTPS. Certificates, the
// join token and the kubeconfig live in the data dir (created on first start, reused after); the
// Store is opened, the watch caches loaded, the system namespaces ensured, then the API serves.
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { Socket } from "node:net";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { RequestAuthenticator, type UserInfo } from "./auth/authenticate.js";
import { ClusterAuthorization } from "./auth/authorization/cluster-authorization.js";
import { guardRbacWrites } from "./auth/authorization/escalation.js";
import { reconcileDefaultPolicy } from "./auth/authorization/reconcile-policy.js";
import { reviewResources } from "./auth/authorization/reviews.js";
import { INGRESS_ACCOUNT } from "./auth/authorization/bootstrap-policy.js";
import { writeKubeconfig } from "./auth/kubeconfig.js";
import { loadOrCreatePKI } from "./auth/pki.js";
import { joinTokenAuthenticator, loadOrCreateJoinToken } from "./auth/tokens.js";
import { loadOrCreateServiceAccountKey } from "./auth/service-account-key.js";
import { ServiceAccountTokenIssuer } from "./auth/service-account-token.js";
import { ServiceAccountTokenAuthenticator } from "./auth/service-account-authenticator.js";
import { CachedObjects } from "./api/cached-objects.js";
import { expiryWarnings, reloadServingCertificate } from "./auth/certificate-lifetime.js";
import { ApiServer } from "./api/api-server.js";
import { AuditLogFile } from "./api/audit/audit-log-file.js";
import { AuditLogger } from "./api/audit/audit-logger.js";
import { ClusterCache } from "./api/cluster-cache.js";
import { ObjectChecks } from "./api/object-checks.js";
import { Discovery } from "./api/discovery.js";
import { POD_STREAM_DISCOVERY } from "./api/handlers/pod-streams.js";
import type { ApiContext } from "./api/handlers/api-context.js";
import { fieldValues } from "./api/list-filter.js";
import { ApiMetrics } from "./api/metrics.js";
import { OpenAPIDocuments } from "./api/openapi.js";
import { AdmissionChain } from "./api/admission/admission.js";
import { builtinAdmissionPlugins } from "./api/admission/index.js";
import { defaultPodSecurityConfiguration } from "./api/admission/pod-security/configuration.js";
import { SecretsEncryption } from "./api/secrets-encryption.js";
import { Registry } from "./api/registry.js";
import { ServiceAllocator } from "./api/service-allocation/service-allocator.js";
import { kubernetesServiceIP } from "./api/service-allocation/cluster-ip-range.js";
import { builtinResources } from "./api/resources/index.js";
import type { ResourceDef } from "./api/resource.js";
import { builtinSchemas } from "./api/schema.js";
import { API_SERVER_USER, ensureSystemNamespaces } from "./api/system-namespaces.js";
import { ensureLocalPathStorageClass } from "./api/local-path-storage-class.js";
import type { ClusterDns } from "./dns/cluster-dns.js";
import type { Upstream } from "./dns/forwarder.js";
import { createLogger, type Logger } from "./log.js";
import type { RunningServer, ServerOptions } from "./server-options.js";
import { EncryptingStore } from "./storage/encrypting-store.js";
import { EncryptionKeys } from "./storage/encryption/encryption-keys.js";
import { openStore } from "./storage/open.js";
import type { Store } from "./storage/store.js";
import type { Client } from "./client/client.js";
import { InProcessClient } from "./client/in-process.js";
import type { ControllerSettings } from "./controllers/controller-context.js";
import type { SimulatedNodes } from "./node/simulated/simulated-nodes.js";
import type { LocalAgents } from "./node/local-agents.js";
import { noLocalAgents } from "./node/no-local-agents.js";
import { startKubernetesService } from "./controllers/kubernetes-service.js";
import { identity } from "./controllers/manager.js";
import type { RunningIngress } from "./ingress/start-ingress.js";

const KUBERNETES_SERVICE_NAMES = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

export const KUBERNETES_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0+kubelite" };

/** Subresources served by dedicated handlers, for discovery. */
const EXTRA_SUBRESOURCES = {
  "/pods": [{ name: "binding", kind: "Binding", verbs: ["create"] }, ...POD_STREAM_DISCOVERY],
  "/namespaces": [{ name: "finalize", kind: "Namespace", verbs: ["update"] }],
  "/nodes": [{ name: "proxy", kind: "NodeProxyOptions", verbs: ["get"] }],
  "/serviceaccounts": [{ name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }],
};

export interface StartServerHooks {
  /** The clock (tests pin it). */
  now?: () => Date;
  log?: Logger;
  bookmarkIntervalMs?: number;
  /** Settings of the controllers (tests shorten grace periods). */
  controllerSettings?: Partial<ControllerSettings>;
  /** How often simulated nodes and agents renew their Leases. */
  leaseRenewIntervalMs?: number;
  /** On close, also remove the agents' pods and node networks (tests); by default pods outlive the server. */
  removePodsOnClose?: boolean;
  /** Where cluster DNS forwards other names (default: the host's resolv.conf); tests keep it on 127.0.0.1. */
  dnsUpstreams?: Upstream[];
  /** Also serve cluster DNS on 127.0.0.1 over UDP and TCP at this port (0: a free one). */
  dnsLocalPort?: number;
}

export interface StartedServer extends RunningServer {
  port: number;
  store: Store;
  /** A Client for a component of this server, acting as `user` and writing as `fieldManager`. */
  client(user: UserInfo, fieldManager: string): Client;
  /** The simulated nodes (with --simulated-nodes). */
  simulatedNodes?: SimulatedNodes;
  /** The node agents running in this process. */
  agents: LocalAgents;
  /** Cluster DNS. */
  dns: ClusterDns;
  /** The built-in ingress, unless --disable-ingress. */
  ingress?: RunningIngress;
}

export async function startServer(options: ServerOptions, hooks: StartServerHooks = {}): Promise<StartedServer> {
  const log = hooks.log ?? createLogger(options.logLevel);
  const now = hooks.now ?? (() => new Date());
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  refuseUnavailable(options);
  // Certificates (CPU) and the store (a writer thread, fsyncs) are prepared side by side.
  const prepared = Promise.all([
    loadOrCreatePKI({
      dataDir,
      // Pods reach this server as the `kubernetes` Service, by name or address.
      hostnames: [...options.tlsSan.filter((s) => isIP(s) === 0), ...KUBERNETES_SERVICE_NAMES],
      ips: [...options.tlsSan.filter((s) => isIP(s) !== 0), ...(isIP(options.bindAddress) && !["0.0.0.0", "::"].includes(options.bindAddress) ? [options.bindAddress] : []), kubernetesServiceIP(options.serviceCidr)],
    }),
    openStore({ backend: options.datastore === "memory" ? "memory" : "sqlite", dataDir }),
    EncryptionKeys.loadOrCreate(dataDir, now),
    loadOrCreateServiceAccountKey(dataDir),
  ]);
  // The resource definitions and schemas need neither: built while the store's thread starts.
  const authorization = new ClusterAuthorization();
  const resources = builtinResources();
  guardRbacWrites(resources, authorization.escalation);
  const schemas = builtinSchemas();
  const [pki, backend, encryptionKeys, serviceAccountKey] = await prepared;
  // Secrets are sealed (AES-GCM) below everything else: the cache and the registry see plaintext.
  const store = new EncryptingStore(backend, encryptionKeys);
  const secretsEncryption = new SecretsEncryption(store, encryptionKeys, log.child({ component: "secrets-encryption" }), now);
  const joinToken = await loadOrCreateJoinToken({ dataDir, caCertPem: pki.caCertPem });
  const cache = new ClusterCache(store);
  for (const def of storageDefs(resources)) cache.register(def.storageResource ?? def.plural, (obj) => fieldValues(def, obj));
  await cache.start();
  authorization.attach(cache);

  const serviceAllocator = new ServiceAllocator({ serviceCIDR: options.serviceCidr, cache });
  serviceAllocator.start();
  const registry = new Registry(store, cache, new ObjectChecks(schemas), now, Math.random, { services: serviceAllocator });
  const discovery = new Discovery([...resources, ...reviewResources(authorization)], { autoscaling: "v2" }, EXTRA_SUBRESOURCES);
  const api: ApiContext = {
    registry,
    store,
    cache,
    discovery,
    schemas,
    now,
    log,
    bookmarkIntervalMs: hooks.bookmarkIntervalMs ?? 60_000,
    defaultWatchTimeoutMs: () => (1800 + Math.random() * 1800) * 1000,
    nodeClient: { caPem: pki.caCertPem, certPem: pki.kubeletClient.certPem, keyPem: pki.kubeletClient.keyPem },
    authorization,
    serviceAccountTokens: new ServiceAccountTokenIssuer(serviceAccountKey, now),
  };
  // Webhooks behind a Service reach their pods through the node agents, which start later.
  let dialPod: LocalAgents["dial"] | undefined;
  registry.admission = new AdmissionChain(
    builtinAdmissionPlugins({
      api,
      podSecurity: defaultPodSecurityConfiguration(options.podSecurityDefault),
      dialPod: (nodeName, ip, port) => (dialPod ? dialPod(nodeName, ip, port) : Promise.reject(new Error("the node agents have not started yet"))),
    }),
  );
  await ensureSystemNamespaces(api);
  await ensureLocalPathStorageClass(api);
  await reconcileDefaultPolicy(api);
  void secretsEncryption.sealStale().catch((err: unknown) => log.error("could not encrypt the Secrets stored before encryption at rest was on", { error: err }));

  const audit =
    options.auditLevel === "None"
      ? undefined
      : new AuditLogger(
          await AuditLogFile.open({ path: options.auditLogPath ?? join(dataDir, "audit", "audit.log"), maxBytes: options.auditLogMaxSizeMB * 1024 * 1024, maxBackups: options.auditLogMaxBackups, now }),
          options.auditLevel,
          now,
        );
  const metrics = new ApiMetrics();
  const openapi = new OpenAPIDocuments(schemas);
  let kubeconfigWritten = false;
  const apiServer = new ApiServer({
    api,
    authenticator: new RequestAuthenticator([
      joinTokenAuthenticator(joinToken),
      new ServiceAccountTokenAuthenticator({ key: serviceAccountKey, objects: new CachedObjects(cache), log: log.child({ component: "authentication" }), now }),
    ]),
    openapi,
    metrics,
    serverAddress: `${options.bindAddress}:${options.port}`,
    readyChecks: { "informer-sync": () => cache.revision > 0, "kubeconfig": () => kubeconfigWritten, "certificates": () => expiryWarnings(pki.expiries, now()).length === 0 },
    secretsEncryption,
    audit,
    version: { ...KUBERNETES_VERSION, gitCommit: "", gitTreeState: "clean", buildDate: "", goVersion: `node${process.versions.node}`, compiler: "kubelite", platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}` },
  });

  // The chain goes out whole (serving certificate, then the CA): `kubelite agent` pins the CA it
  // finds there against the join token's hash before it trusts the server.
  const server = createServer({ key: pki.server.keyPem, cert: pki.server.certPem + pki.caCertPem, ca: [pki.caCertPem], requestCert: true, rejectUnauthorized: false }, apiServer.handle);
  server.on("upgrade", apiServer.handleUpgrade);
  const stopCertificateReload = reloadServingCertificate(server, pki.dir, pki.caCertPem, log);
  for (const warning of expiryWarnings(pki.expiries, now())) log.warn(warning);
  const sockets = trackSockets(server);
  const port = await listen(server, options.port, options.bindAddress);
  const host = options.bindAddress === "0.0.0.0" ? "127.0.0.1" : options.bindAddress;
  const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const kubeconfigPath = join(dataDir, "kubeconfig.yaml");
  const kubeconfig = { server: url, caPem: pki.caCertPem, certPem: pki.admin.certPem, keyPem: pki.admin.keyPem };
  await writeKubeconfig(kubeconfigPath, kubeconfig);
  if (options.writeKubeconfig) await writeKubeconfig(resolve(options.writeKubeconfig), kubeconfig);
  kubeconfigWritten = true;
  log.debug("serving", { url, kubeconfig: kubeconfigPath });
  // The API serves (and /readyz answers) from here on. What runs beside it, as upstream's
  // controller manager, scheduler, CoreDNS, kubelets and ingress controller run beside
  // kube-apiserver, starts now, each loaded only when it starts (start-up time, ADR 0021).
  const { startComponents } = await import("./components.js");
  const components = await startComponents({
    clientFor: (user, fieldManager) => new InProcessClient(api, user, fieldManager),
    log,
    simulatedNodes: options.simulatedNodes,
    simulatedNodeCapacity: options.simulatedNodeCapacity,
    disableScheduler: options.disableScheduler,
    logLevel: options.logLevel,
    disableControllerManager: options.disableControllerManager,
    controllerSettings: hooks.controllerSettings,
    leaseRenewIntervalMs: hooks.leaseRenewIntervalMs,
    clusterCIDR: options.clusterCidr,
    signer: { caCertPem: pki.caCertPem, sign: (content) => pki.signCertificate(content) },
    tokenIssuer: api.serviceAccountTokens,
  });

  const [{ startClusterDns }, { WatchCachePods }] = await Promise.all([import("./dns/cluster-dns.js"), import("./dns/watch-cache-pods.js")]);
  const dnsPods = new WatchCachePods(cache);
  const dns = await startClusterDns({
    client: new InProcessClient(api, API_SERVER_USER, "kubelite-cluster-dns"),
    informers: components.informers,
    pods: dnsPods,
    dataDir,
    log,
    serviceIP: options.clusterDns,
    domain: options.clusterDomain,
    upstreams: hooks.dnsUpstreams,
    localPort: hooks.dnsLocalPort,
    metricsRegistry: metrics.registry,
  });

  const kubernetesService = startKubernetesService({
    client: new InProcessClient(api, { name: "system:apiserver", groups: ["system:masters", "system:authenticated"] }, "kube-apiserver"),
    serviceIP: serviceAllocator.kubernetesServiceIP,
    address: isIP(host) === 4 ? host : "127.0.0.1",
    port,
    log,
  });

  // Without node agents (--disable-agent and no --agents) their code is never loaded.
  const agents = options.disableAgent && options.agents === 0 ? noLocalAgents() : await (await import("./node/local-agents.js")).startLocalAgents({
    dataDir,
    nodeName: options.nodeName,
    local: !options.disableAgent,
    extra: options.agents,
    imageMap: options.imageMap,
    pki,
    clientFor: (user, fieldManager) => new InProcessClient(api, user, fieldManager),
    log: log.child({ component: "agent" }),
    leaseRenewIntervalMs: hooks.leaseRenewIntervalMs,
    dns: { address: dns.serviceIP, domain: dns.domain, serverSocket: dns.relaySocket },
    serviceCIDR: options.serviceCidr,
  });
  dialPod = (nodeName, ip, port) => agents.dial(nodeName, ip, port);
  const ingress = options.disableIngress
    ? undefined
    : await (await import("./ingress/start-ingress.js")).startIngress({
        client: new InProcessClient(api, identity(INGRESS_ACCOUNT), "kubelite-ingress"),
        log: log.child({ component: "ingress" }),
        bindAddress: options.ingressBindAddress,
        httpPort: options.ingressHttpPort,
        httpsPort: options.ingressHttpsPort,
        dial: (nodeName, ip, port) => agents.dial(nodeName, ip, port),
        metricsRegistry: metrics.registry,
        defaultCertificate: () => pki.issueServingCertificate({ dnsNames: ["kubelite-ingress", "localhost"], ips: ["127.0.0.1"] }),
      });

  // Once everything runs, the OpenAPI documents are built in the background rather than on
  // kubectl's first apply (not sooner: /readyz and the first requests would wait behind them).
  void openapi.warm().catch((err: unknown) => log.warn("could not build the OpenAPI documents", { error: err }));

  return {
    url,
    port,
    store,
    kubeconfigPath,
    client: (user, fieldManager) => new InProcessClient(api, user, fieldManager),
    simulatedNodes: components.simulatedNodes,
    agents,
    dns,
    ingress,
    async close() {
      kubernetesService.stop();
      stopCertificateReload();
      await ingress?.stop();
      await (hooks.removePodsOnClose ? agents.destroy() : agents.stop());
      await new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      await dns.close();
      dnsPods.stop();
      await components.stop();
      serviceAllocator.stop();
      await audit?.close();
      authorization.detach();
      cache.stop();
      await store.close();
    },
  };
}

/** Flags for parts not built yet are refused with a clear message rather than silently ignored. */
function refuseUnavailable(options: ServerOptions): void {
  if (options.datastore === "etcd") throw new Error("the etcd datastore is not available yet: use --datastore sqlite (the default) or memory");
}

/** One def per storage resource: the one stored as-is (several API versions may share it). */
function storageDefs(resources: ResourceDef[]): ResourceDef[] {
  return resources.filter((def) => !def.conversion);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      const address = server.address();
      done(typeof address === "object" && address ? address.port : port);
    });
  });
}

/** Open connections, so close() does not wait for long-running watches to end by themselves. */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return sockets;
}
