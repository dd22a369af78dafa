// Watching the cluster's certificates while the server runs: a warning when one expires within
// 30 days and cannot be renewed at start (the CA, and the leaves it caps), and reloading the
// serving certificate when `kubelite certs rotate` (or anyone) replaces it in DATA_DIR/tls, so
// new connections get it without a restart.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { Server } from "node:https";
import { join } from "node:path";
import type { Logger } from "../log.js";
import { DAY_MS } from "./certificate-issuer.js";
import type { PKIComponent } from "./pki.js";

export const EXPIRY_WARNING_DAYS = 30;

/** One line per certificate that expires within EXPIRY_WARNING_DAYS. */
export function expiryWarnings(expiries: readonly { component: PKIComponent; notAfter: Date }[], now: Date): string[] {
  return expiries
    .filter((e) => e.notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * DAY_MS)
    .map((e) => `the ${e.component === "ca" ? "cluster CA" : `${e.component} certificate`} expires on ${e.notAfter.toISOString()}${e.component === "ca" ? ": replace DATA_DIR/tls/ca.crt and ca.key (every certificate it signed must then be re-issued)" : " and cannot be renewed beyond the CA's own expiry"}`);
}

/** Swaps in DATA_DIR/tls/server.{crt,key} whenever they change; returns the function that stops watching. */
export function reloadServingCertificate(server: Server, tlsDir: string, caPem: string, log: Logger): () => void {
  const certPath = join(tlsDir, "server.crt");
  const reload = (): void => {
    try {
      const certPem = readFileSync(certPath, "utf8");
      const keyPem = readFileSync(join(tlsDir, "server.key"), "utf8");
      // The key is written before the certificate: a certificate that does not match yet is skipped.
      if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) return;
      server.setSecureContext({ key: keyPem, cert: certPem + caPem, ca: [caPem] });
      log.info("reloaded the serving certificate", { file: certPath });
    } catch (err) {
      log.warn("could not reload the serving certificate", { file: certPath, error: err });
    }
  };
  watchFile(certPath, { interval: 1000, persistent: false }, (current, previous) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino) reload();
  });
  return () => unwatchFile(certPath);
}
