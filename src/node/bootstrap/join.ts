// `kubelite agent`: joins a running server as a node, the way kubelets bootstrap TLS.
//   1. Pins the cluster CA: the one the server presents whose hash the join token carries.
//   2. As the bootstrap user (the token), asks for a client certificate CN=system:node:<name>,
//      O=system:nodes (signer kube-apiserver-client-kubelet), auto-approved by csrapproving.
//   3. As the node (that certificate), asks for a serving certificate for its name and --node-ip
//      (signer kubelet-serving), for the streaming server the API server dials.
//   4. Runs the node agent with an HTTP client authenticated by the client certificate.
// Certificates live in DATA_DIR/pki and are reused on restart while valid; the agent does not
// rotate them while it runs. The agent starts processes through a launcher helper, closed when
// it stops.
import { mkdir } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { KUBELET_CLIENT_SIGNER, KUBELET_CLIENT_USAGES, KUBELET_SERVING_SIGNER, KUBELET_SERVING_USAGES, NODE_USER_PREFIX, NODES_GROUP } from "../../auth/csr-signers.js";
import { parseJoinToken } from "../../auth/tokens.js";
import { CORE_V1 } from "../../client/client.js";
import { HttpClient } from "../../client/http.js";
import { StatusError } from "../../api/errors.js";
import type { Logger } from "../../log.js";
import type { NodeAgent } from "../agent.js";
import { buildNodeAgent } from "../build-agent.js";
import { InformerFactory } from "../../client/informer-factory.js";
import { startClusterDns } from "../../dns/cluster-dns.js";
import type { Upstream } from "../../dns/forwarder.js";
import { kubeDnsServiceIP } from "../../dns/kube-dns-service.js";
import { ImageMap } from "../images/image-map.js";
import { HelperLauncher } from "../launcher/helper-launcher.js";
import { isolatedNetworkSupport } from "../network/choose-network.js";
import { nodeCertificate } from "./node-certificates.js";
import { JoinError, fetchServerCA } from "./server-ca.js";

export { JoinError } from "./server-ca.js";

export interface JoinOptions {
  server: string;
  token: string;
  nodeName: string;
  dataDir: string;
  /** The address the API server dials for logs, exec and port-forward. */
  nodeIP: string;
  imageMap?: string;
  log: Logger;
  /** How long to wait for each certificate to be approved and signed. */
  approvalTimeoutMs?: number;
  /** Where the agent's cluster DNS forwards other names (default: this host's resolv.conf). */
  dnsUpstreams?: Upstream[];
}

export interface JoinedAgent {
  agent: NodeAgent;
  /** Stops the agent; pods keep running. */
  stop(): Promise<void>;
  /** Stops the agent and removes its pods and network (tests). */
  destroy(): Promise<void>;
}

export async function joinCluster(options: JoinOptions): Promise<JoinedAgent> {
  const token = parseJoinToken(options.token);
  if (!token?.caHash) throw new JoinError("the join token must be the full token from the server's DATA_DIR/token (K10<CA hash>::server:<secret>)");
  const caPem = await fetchServerCA(options.server, token.caHash);
  const pkiDir = join(options.dataDir, "pki");
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const timeoutMs = options.approvalTimeoutMs ?? 120_000;
  const user = `${NODE_USER_PREFIX}${options.nodeName}`;

  const bootstrap = new HttpClient({ server: options.server, caPem, token: options.token.trim(), userAgent: "kubelite-agent/bootstrap" });
  const clientPair = await nodeCertificate(pkiDir, caPem, bootstrap, { file: "client", signerName: KUBELET_CLIENT_SIGNER, usages: KUBELET_CLIENT_USAGES, commonName: user, organizations: [NODES_GROUP] }, timeoutMs).finally(() => bootstrap.close());
  const client = new HttpClient({ server: options.server, caPem, certPem: clientPair.certPem, keyPem: clientPair.keyPem, userAgent: `kubelite-agent/${options.nodeName}` });
  const launcher = new HelperLauncher({ log: options.log });
  let stopDns: (() => Promise<void>) | undefined;
  try {
    if (!isLoopback(options.nodeIP)) await announceAddress(client, options.nodeName, options.nodeIP);
    const images = options.imageMap ? await ImageMap.fromFile(options.imageMap) : new ImageMap();
    const agentDir = join(options.dataDir, "node");
    await mkdir(agentDir, { recursive: true, mode: 0o700 });
    // Cluster DNS for this host's pods, answered here from this agent's own informers (ADR 0013).
    const informers = new InformerFactory(client, { logger: options.log.child({ component: "dns-informers" }) });
    informers.start();
    const dns = await startClusterDns({ client, informers, dataDir: options.dataDir, log: options.log, ensureService: false, serviceIP: await kubeDnsServiceIP(client), upstreams: options.dnsUpstreams });
    stopDns = async () => {
      await dns.close();
      await informers.stop();
    };
    const agent = buildNodeAgent({
      nodeName: options.nodeName,
      dataDir: agentDir,
      client,
      images,
      log: options.log.child({ node: options.nodeName }),
      isolated: (await isolatedNetworkSupport({ launcher })).ok,
      launcher,
      nodeIP: options.nodeIP,
      processMetrics: true,
      dns: { address: dns.serviceIP, domain: dns.domain, serverSocket: dns.relaySocket },
      caPem,
      servingCertificate: (names) =>
        nodeCertificate(pkiDir, caPem, client, { file: "serving", signerName: KUBELET_SERVING_SIGNER, usages: KUBELET_SERVING_USAGES, commonName: user, organizations: [NODES_GROUP], dnsNames: names.dnsNames, ips: names.ips }, timeoutMs),
    });
    await agent.start();
    return {
      agent,
      stop: async () => {
        await agent.stop();
        await stopDns?.();
        await launcher.close();
        client.close();
      },
      destroy: async () => {
        await agent.destroy();
        await stopDns?.();
        await launcher.close();
        client.close();
      },
    };
  } catch (err) {
    await stopDns?.();
    await launcher.close();
    client.close();
    throw err;
  }
}

/**
 * The serving certificate's addresses are approved when loopback or listed by the Node: a node on
 * another address registers that address before it asks (the kubelet too registers first).
 */
async function announceAddress(client: HttpClient, nodeName: string, nodeIP: string): Promise<void> {
  const node = { apiVersion: "v1", kind: "Node", metadata: { name: nodeName }, status: { addresses: [{ type: "InternalIP", address: nodeIP }, { type: "Hostname", address: nodeName }] } };
  try {
    await client.create(CORE_V1("nodes"), undefined, node);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
    await client.patch(CORE_V1("nodes"), undefined, nodeName, "merge", { status: node.status }, { subresource: "status" });
  }
}

function isLoopback(ip: string): boolean {
  return (isIP(ip) === 4 && ip.startsWith("127.")) || ip === "::1";
}
