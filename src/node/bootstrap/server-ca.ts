// Trust on first use, pinned by the join token: the agent connects to the API server without
// trusting it, reads the certificate chain the server sends (its serving certificate and the
// cluster CA), and keeps the CA whose sha256 matches the token's hash, provided it signed the
// serving certificate. Everything after that verifies the server against this CA as usual.
import { X509Certificate, createHash } from "node:crypto";
import { connect, type DetailedPeerCertificate, type PeerCertificate } from "node:tls";

export class JoinError extends Error {
  override name = "JoinError";
}

/** The cluster CA (PEM) of the server at `url`, checked against the join token's CA hash. */
export async function fetchServerCA(url: string, caHash: string): Promise<string> {
  const chain = await peerChain(new URL(url));
  const leaf = chain[0];
  const ca = chain.find((cert) => createHash("sha256").update(cert.raw).digest("hex") === caHash);
  if (!leaf || !ca) {
    throw new JoinError(`the server at ${url} does not present the cluster CA the join token names (sha256 ${caHash.slice(0, 16)}…): check --server and --token`);
  }
  const caCert = new X509Certificate(ca.raw);
  if (!caCert.ca || !new X509Certificate(leaf.raw).verify(caCert.publicKey)) {
    throw new JoinError(`the server at ${url} presents the join token's CA, but its serving certificate is not signed by it`);
  }
  return caCert.toString();
}

type ChainLink = PeerCertificate & { issuerCertificate?: DetailedPeerCertificate };

function peerChain(url: URL): Promise<ChainLink[]> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // Not verified on purpose: the chain is checked against the token's hash below.
    const socket = connect({ host, port: Number(url.port || 443), servername: isName(host) ? host : undefined, rejectUnauthorized: false }, () => {
      const chain: ChainLink[] = [];
      for (let cert: ChainLink | undefined = socket.getPeerCertificate(true); cert?.raw && !chain.includes(cert); cert = cert.issuerCertificate) chain.push(cert);
      socket.end();
      resolve(chain);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no TLS answer from ${url.host} within 10 s`)));
    socket.on("error", (err) => reject(new JoinError(`cannot reach the server at ${url.origin}: ${err.message}`)));
  });
}

function isName(host: string): boolean {
  return !/^[\d.]+$/.test(host) && !host.includes(":");
}
