// An admission webhook for tests: HTTPS on 127.0.0.1 with a certificate from a fresh test CA (its
// caBundle goes into the webhook configuration); each AdmissionReview is answered by `review`.
import { createPrivateKey, webcrypto, X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createCA, issueLeaf, servingSpec } from "../../src/auth/certificate-issuer.js";

export type ReviewRequest = Record<string, unknown> & { uid: string; operation: string; object?: Record<string, unknown> | null };
export type ReviewResponse = { allowed: boolean; status?: Record<string, unknown>; patch?: unknown[]; warnings?: string[] };

export interface WebhookServer {
  port: number;
  url(path: string): string;
  caBundle: string;
  received: ReviewRequest[];
  close(): Promise<void>;
}

/** `dnsNames`: the names its certificate is valid for besides 127.0.0.1 (a Service's "<name>.<namespace>.svc"). */
export async function startWebhookServer(review: (path: string, request: ReviewRequest) => ReviewResponse, dnsNames = ["localhost"]): Promise<WebhookServer> {
  const ctx = { now: () => new Date(), crypto: webcrypto as unknown as Crypto };
  const ca = await createCA(ctx);
  const leaf = await issueLeaf(ctx, { ...ca, cert: new X509Certificate(ca.certPem), key: createPrivateKey(ca.keyPem) }, servingSpec({ dnsNames, ips: ["127.0.0.1"] }));
  const received: ReviewRequest[] = [];
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { request: ReviewRequest };
      received.push(body.request);
      const answer = review(new URL(req.url ?? "/", "https://localhost").pathname, body.request);
      const response: Record<string, unknown> = { uid: body.request.uid, allowed: answer.allowed, status: answer.status, warnings: answer.warnings };
      if (answer.patch) {
        response.patchType = "JSONPatch";
        response.patch = Buffer.from(JSON.stringify(answer.patch)).toString("base64");
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `https://127.0.0.1:${port}${path}`,
    caBundle: Buffer.from(ca.certPem).toString("base64"),
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
