// One HTTPS POST of an AdmissionReview to a webhook, bounded by its timeout (the `?timeout=Ns`
// parameter tells the webhook, as upstream's client does). A URL is connected to directly; a
// service's pod through the node dialer, with TLS on top of that connection. Failures read as
// Go's client prints them: `Post "https://...?timeout=10s": dial tcp 127.0.0.1:9443: connect:
// connection refused`.
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { errorReason } from "../../../node/probes/dial-errors.js";
import type { PodDialer, WebhookEndpoint } from "./endpoint.js";

const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

export async function postReview(endpoint: WebhookEndpoint, body: unknown, timeoutSeconds: number, dialPod: PodDialer | undefined): Promise<unknown> {
  const url = new URL(endpoint.url);
  url.searchParams.set("timeout", `${timeoutSeconds}s`);
  const where = `Post "${url.toString()}"`;
  const host = endpoint.pod?.ip ?? url.hostname.replace(/^\[|\]$/g, "");
  const port = endpoint.pod?.port ?? (url.port ? Number(url.port) : 443);
  const servername = isIp(endpoint.serverName) ? undefined : endpoint.serverName;
  let podSocket: Duplex | undefined;
  if (endpoint.pod) {
    if (!dialPod) throw new Error(`${where}: no node agent runs here to reach pod ${host}:${port}`);
    try {
      podSocket = await dialPod(endpoint.pod.nodeName, host, port);
    } catch (err) {
      throw new Error(`${where}: dial tcp ${host}:${port}: ${errorReason(err)}`);
    }
  }
  const payload = Buffer.from(JSON.stringify(body));
  const options: RequestOptions = {
    host,
    port,
    path: `${url.pathname}${url.search}`,
    method: "POST",
    servername,
    ca: endpoint.ca,
    headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": payload.length, Host: url.host },
    timeout: timeoutSeconds * 1000,
  };
  if (podSocket) {
    const socket = podSocket;
    options.createConnection = () => tlsConnect({ socket, servername: servername ?? endpoint.serverName, ca: endpoint.ca });
  }
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${where}: ${why}`));
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) req.destroy(new Error("response body too large"));
        else chunks.push(chunk);
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if ((res.statusCode ?? 0) >= 300) return fail(`the server responded with the status code ${res.statusCode} but did not return more information`);
        try {
          resolve(JSON.parse(text));
        } catch {
          fail("the response is not JSON");
        }
      });
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("context deadline exceeded"), { code: "TIMEOUT" })));
    req.on("error", (err: Error & { code?: string }) => {
      if (err.code === "TIMEOUT") return fail("context deadline exceeded");
      if ((err.code && err.code.startsWith("ERR_TLS")) || /certificate|self.signed|unable to verify/i.test(err.message)) return fail(`tls: failed to verify certificate: ${err.message}`);
      fail(err.code && err.code.startsWith("E") && !err.code.startsWith("ERR_") ? `dial tcp ${host}:${port}: ${errorReason(err)}` : err.message);
    });
    req.end(payload);
  });
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(":");
}
