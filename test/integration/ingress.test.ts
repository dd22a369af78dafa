// The built-in ingress controller end to end: a real server with its node agent (pods in their own
// network namespaces, so this needs root and the CNI plugins) and the ingress on free ports of
// 127.0.0.1, driven by the stock kubectl. Requests go only to 127.0.0.1, naming hosts in the Host
// header and, for HTTPS, the SNI name; the ingress reaches the pods through the node's dial helper.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { promisify } from "node:util";
import { WebSocket } from "ws";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces)" : support.ok ? undefined : support.reason;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The certificate the server presented (HTTPS). */
  certificate?: { subject: Record<string, string>; issuer: Record<string, string> };
}

interface Echo {
  hostname: string;
  path: string;
  headers: Record<string, string>;
}

/**
 * A pod that streams a response in two parts half a second apart, echoes WebSocket messages (with
 * the ws package, read from this checkout: the process runtime shares the host's filesystem) and
 * echoes the bytes of any other upgraded connection.
 */
const STREAMER = `
const http = require("node:http");
const { WebSocketServer } = require(${JSON.stringify(createRequire(import.meta.url).resolve("ws"))});
const sockets = new WebSocketServer({ noServer: true });
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.write("first\\n");
  setTimeout(() => res.end("last\\n"), 500);
});
server.on("upgrade", (req, socket, head) => {
  if (req.headers.upgrade === "websocket") {
    return sockets.handleUpgrade(req, socket, head, (ws) => ws.on("message", (data) => ws.send("echo: " + data + " via " + req.headers["x-forwarded-proto"])));
  }
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\nX-Seen-Forwarded-Proto: " + req.headers["x-forwarded-proto"] + "\\r\\n\\r\\n");
  socket.pipe(socket);
});
server.listen(8080);
`;

function deployment(name: string, replicas: number, container: object): object {
  const probe = { tcpSocket: { port: 8080 }, periodSeconds: 1 };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ports: [{ containerPort: 8080 }], readinessProbe: probe, ...container }] } },
    },
  };
}

function service(name: string, port: number, portName: string): object {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: name }, ports: [{ name: portName, port, targetPort: 8080 }] } };
}

const INGRESS = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "demo" },
  spec: {
    tls: [{ hosts: ["alpha.example.com"], secretName: "alpha-tls" }],
    rules: [
      {
        host: "alpha.example.com",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend: { service: { name: "alpha", port: { number: 80 } } } },
            { path: "/exact", pathType: "Exact", backend: { service: { name: "beta", port: { name: "web" } } } },
          ],
        },
      },
      { host: "*.beta.example.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "beta", port: { name: "web" } } } }] } },
      { host: "stream.example.com", http: { paths: [{ path: "/", pathType: "ImplementationSpecific", backend: { service: { name: "streamer", port: { number: 80 } } } }] } },
    ],
  },
};

describe("ingress", { skip }, () => {
  let server: TestServer;
  let dir: string;
  let httpPort: number;
  let httpsPort: number;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });
  const apply = (...manifests: object[]) => kubectl(["apply", "-f", "-"], manifests.map((m) => JSON.stringify(m)).join("\n"));
  const get = (host: string, path: string) => send({ port: httpPort, host, path });
  const echo = async (host: string, path: string) => {
    const reply = await get(host, path);
    assert.equal(reply.status, 200, `${host}${path}: ${reply.body}`);
    return JSON.parse(reply.body) as Echo;
  };
  const events = async () => kubectl(["get", "events", "--field-selector", "involvedObject.name=demo", "-o", "jsonpath={range .items[*]}{.type} {.reason}: {.message}{\"\\n\"}{end}"]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-ingress-test-"));
    server = await startTestServer({ agent: true, ingress: true });
    httpPort = server.ingress!.httpPort!;
    httpsPort = server.ingress!.httpsPort!;
    await apply(
      deployment("alpha", 2, { image: "kubelite/echo-server" }),
      deployment("beta", 1, { image: "kubelite/echo-server" }),
      deployment("streamer", 1, { image: "kubelite/pause", command: [process.execPath, "-e", STREAMER] }),
      service("alpha", 80, "http"),
      service("beta", 8080, "web"),
      service("streamer", 80, "http"),
    );
    for (const name of ["alpha", "beta", "streamer"]) await kubectl(["rollout", "status", `deployment/${name}`, "--timeout=60s"]);
    await apply(INGRESS);
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the default kubelite IngressClass and reports where the Ingress is served", async () => {
    const ingressClass = JSON.parse(await kubectl(["get", "ingressclass", "kubelite", "-o", "json"])) as { spec: { controller: string }; metadata: { annotations: Record<string, string> } };
    assert.equal(ingressClass.spec.controller, "kubelite.io/ingress");
    assert.equal(ingressClass.metadata.annotations["ingressclass.kubernetes.io/is-default-class"], "true");
    await waitFor(async () => (await kubectl(["get", "ingress", "demo", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])) === "127.0.0.1", "the Ingress's address");
    const ports = await kubectl(["get", "ingress", "demo", "-o", "jsonpath={.status.loadBalancer.ingress[0].ports[*].port}"]);
    assert.equal(ports, `${httpPort} ${httpsPort}`);
    assert.match(await kubectl(["get", "ingress", "demo"]), /demo\s+kubelite\s+alpha\.example\.com,\*\.beta\.example\.com,stream\.example\.com\s+127\.0\.0\.1\s+80, 443/);
  });

  it("routes hosts and paths to their Services, round robin over the ready pods, with X-Forwarded headers", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const reply = await echo("alpha.example.com", `/hello/${i}?q=1`);
      assert.match(reply.hostname, /^alpha-/);
      assert.equal(reply.path, `/hello/${i}`);
      seen.add(reply.hostname);
    }
    assert.equal(seen.size, 2, "both alpha pods answered");
    const forwarded = await echo("alpha.example.com:1234", "/");
    assert.equal(forwarded.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(forwarded.headers["x-forwarded-proto"], "http");
    assert.equal(forwarded.headers["x-forwarded-host"], "alpha.example.com:1234");
    assert.equal(forwarded.headers.host, "alpha.example.com:1234");
    // Exact beats the Prefix "/" only for exactly that path.
    assert.match((await echo("alpha.example.com", "/exact")).hostname, /^beta-/);
    assert.match((await echo("alpha.example.com", "/exact/more")).hostname, /^alpha-/);
    // A wildcard matches exactly one label; Prefix matches whole path elements.
    assert.match((await echo("one.beta.example.com", "/api/v1")).hostname, /^beta-/);
    assert.equal((await get("two.one.beta.example.com", "/api")).status, 404);
    assert.equal((await get("one.beta.example.com", "/apis")).status, 404);
    const metrics = await kubectl(["get", "--raw", "/metrics"]);
    assert.match(metrics, /^kubelite_ingress_requests_total\{ingress="default\/demo",code="200"\} ([1-9]\d*)$/m);
    assert.match(metrics, /^kubelite_ingress_requests_total\{ingress="",code="404"\} [1-9]/m);
  });

  it("keeps answering through a rolling restart of the backend", async () => {
    const failures: string[] = [];
    let answered = 0;
    let rolling = true;
    const traffic = (async () => {
      while (rolling) {
        const reply = await get("alpha.example.com", "/during-rollout");
        if (reply.status === 200) answered++;
        else failures.push(`${reply.status} ${reply.body}`);
      }
    })();
    await kubectl(["rollout", "restart", "deployment/alpha"]);
    await kubectl(["rollout", "status", "deployment/alpha", "--timeout=60s"]);
    rolling = false;
    await traffic;
    assert.deepEqual(failures, []);
    assert.ok(answered > 10, `${answered} requests answered`);
  });

  it("answers 404 with the reason for an unknown host, and sends it to the default backend once there is one", async () => {
    const reply = await get("unknown.example.com", "/x");
    assert.equal(reply.status, 404);
    assert.equal(reply.body, 'no Ingress rule matches host "unknown.example.com" and path "/x"\n');
    await kubectl(["patch", "ingress", "demo", "--type=merge", "-p", JSON.stringify({ spec: { defaultBackend: { service: { name: "beta", port: { number: 8080 } } } } })]);
    await waitFor(async () => (await get("unknown.example.com", "/x")).status === 200, "the default backend");
    assert.match((await echo("unknown.example.com", "/x")).hostname, /^beta-/);
  });

  it("streams responses as they come and passes protocol upgrades, WebSocket among them, through", async () => {
    const started = Date.now();
    const chunks: { at: number; text: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: httpPort, path: "/", headers: { host: "stream.example.com" } }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (text: string) => chunks.push({ at: Date.now() - started, text }));
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(chunks.map((c) => c.text).join(""), "first\nlast\n");
    assert.ok(chunks[chunks.length - 1]!.at - chunks[0]!.at >= 300, `the first part came before the last: ${JSON.stringify(chunks)}`);

    const { socket, headers } = await new Promise<{ socket: Socket; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: httpPort, path: "/ws", headers: { host: "stream.example.com", connection: "Upgrade", upgrade: "echo" } });
      req.on("upgrade", (res, upgraded) => resolve({ socket: upgraded, headers: res.headers }));
      req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on("error", reject);
      req.end();
    });
    assert.equal(headers["x-seen-forwarded-proto"], "http");
    socket.write("ping through the ingress");
    const answer = await new Promise<string>((resolve) => socket.once("data", (data: Buffer) => resolve(data.toString())));
    assert.equal(answer, "ping through the ingress");
    socket.destroy();

    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/chat`, { headers: { host: "stream.example.com" } });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    ws.send("hello");
    const message = await new Promise<string>((resolve) => ws.once("message", (data: Buffer) => resolve(data.toString())));
    assert.equal(message, "echo: hello via http");
    ws.close();
  });

  it("serves HTTPS with the TLS Secret chosen by SNI, reloads it when it changes, and falls back to the default certificate", async () => {
    await waitFor(async () => /Warning TLSSecretNotFound: TLS secret "default\/alpha-tls" not found/.test(await events()), "the missing Secret's event");
    const fallback = await send({ port: httpsPort, host: "alpha.example.com", path: "/", tls: { servername: "alpha.example.com" } });
    assert.match(fallback.certificate!.issuer.CN ?? "", /kubelite/i, "the default certificate, issued by the cluster CA");

    const first = await certificate(dir, "alpha.example.com", "first");
    await kubectl(["create", "secret", "tls", "alpha-tls", `--cert=${first.certPath}`, `--key=${first.keyPath}`]);
    await waitFor(async () => (await send({ port: httpsPort, host: "alpha.example.com", path: "/", tls: { servername: "alpha.example.com" } })).certificate?.subject.O === "first", "the Secret's certificate");
    const secure = await send({ port: httpsPort, host: "alpha.example.com", path: "/secure", tls: { servername: "alpha.example.com", ca: first.certPem } });
    const reply = JSON.parse(secure.body) as Echo;
    assert.match(reply.hostname, /^alpha-/);
    assert.equal(reply.headers["x-forwarded-proto"], "https");

    const second = await certificate(dir, "alpha.example.com", "second");
    const manifest = await kubectl(["create", "secret", "tls", "alpha-tls", `--cert=${second.certPath}`, `--key=${second.keyPath}`, "--dry-run=client", "-o", "json"]);
    await kubectl(["apply", "-f", "-"], manifest);
    await waitFor(async () => (await send({ port: httpsPort, host: "alpha.example.com", path: "/", tls: { servername: "alpha.example.com" } })).certificate?.subject.O === "second", "the changed Secret's certificate");
    const other = await send({ port: httpsPort, host: "one.beta.example.com", path: "/api", tls: { servername: "one.beta.example.com" } });
    assert.match(other.certificate!.issuer.CN ?? "", /kubelite/i);
    assert.equal(other.status, 200);
  });

  it("runs the README's example: kubectl create deployment, expose and create ingress with TLS", async () => {
    const cert = await certificate(dir, "web.localhost", "web");
    await kubectl(["create", "deployment", "web", "--image=kubelite/echo-server", "--replicas=2", "--port=8080"]);
    await kubectl(["expose", "deployment", "web", "--port=80", "--target-port=8080"]);
    await kubectl(["create", "secret", "tls", "web-tls", `--cert=${cert.certPath}`, `--key=${cert.keyPath}`]);
    await kubectl(["create", "ingress", "web", "--rule=web.localhost/*=web:80,tls=web-tls"]);
    await kubectl(["rollout", "status", "deployment/web", "--timeout=60s"]);
    await waitFor(async () => (await get("web.localhost", "/")).status === 200, "the example's route");
    assert.match((await echo("web.localhost", "/hello")).hostname, /^web-/);
    const secure = await send({ port: httpsPort, host: "web.localhost", path: "/hello", tls: { servername: "web.localhost", ca: cert.certPem } });
    assert.match((JSON.parse(secure.body) as Echo).hostname, /^web-/);
    // No class named: the DefaultIngressClass admission plugin filled in the default, `kubelite`.
    assert.match(await kubectl(["get", "ingress", "web"]), /web\s+kubelite\s+web\.localhost\s+127\.0\.0\.1\s+80, 443/);
  });

  it("refuses invalid Ingresses with upstream's messages", async () => {
    const bad = (path: string, pathType: string) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "bad" },
      spec: { rules: [{ http: { paths: [{ path, pathType, backend: { service: { name: "alpha", port: { number: 80 } } } }] } }] },
    });
    let result = await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(bad("/", "Regex")) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"/);
    result = await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(bad("api", "Prefix")) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "api": must be an absolute path/);
    // Two default classes: which one a class-less Ingress means is unknown, so it is refused.
    await apply({ apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "other", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } }, spec: { controller: "example.com/other" } });
    result = await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(bad("/", "Prefix")) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /ingresses\.networking\.k8s\.io "bad" is forbidden: Internal error occurred: 2 default IngressClasses were found, only 1 allowed/);
    // An Ingress of another class is not served, and loses our address when it moves there.
    await apply({ ...bad("/", "Prefix"), metadata: { name: "moving" }, spec: { ...bad("/", "Prefix").spec, ingressClassName: "kubelite" } });
    await waitFor(async () => (await kubectl(["get", "ingress", "moving", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])) === "127.0.0.1", "the address");
    await kubectl(["patch", "ingress", "moving", "--type=merge", "-p", JSON.stringify({ spec: { ingressClassName: "other" } })]);
    await waitFor(async () => (await kubectl(["get", "ingress", "moving", "-o", "jsonpath={.status.loadBalancer}"])) === "{}", "the address removed");
    await kubectl(["delete", "ingress", "moving"]);
    await kubectl(["delete", "ingressclass", "other"]);
  });

  it("answers 503 saying which Service is missing once a backend Service is deleted, and records an event", async () => {
    await kubectl(["delete", "service", "beta"]);
    await waitFor(async () => (await get("one.beta.example.com", "/api")).status === 503, "a 503 for the deleted Service");
    const reply = await get("one.beta.example.com", "/api");
    assert.equal(reply.body, 'Ingress default/demo: service "default/beta" not found\n');
    await waitFor(async () => /Warning ServiceNotFound: service "default\/beta" not found/.test(await events()), "the missing Service's event");
    const described = await kubectl(["describe", "ingress", "demo"]);
    assert.match(described, /Warning\s+ServiceNotFound\s+.*service "default\/beta" not found/);
    assert.match(described, /alpha\.example\.com\s+\/\s+alpha:80 \(/);
  });
});

interface SendOptions {
  port: number;
  host: string;
  path: string;
  tls?: { servername: string; ca?: string };
}

/** One request to the ingress on 127.0.0.1 with this Host header (and SNI name over TLS). */
function send(options: SendOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = { host: "127.0.0.1", port: options.port, path: options.path, headers: { host: options.host }, agent: false };
    const onResponse = (res: import("node:http").IncomingMessage) => {
      const chunks: Buffer[] = [];
      const peer = options.tls ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          certificate: peer && { subject: peer.subject as unknown as Record<string, string>, issuer: peer.issuer as unknown as Record<string, string> },
        }),
      );
    };
    const req = options.tls
      ? httpsRequest({ ...common, servername: options.tls.servername, ca: options.tls.ca, rejectUnauthorized: options.tls.ca !== undefined }, onResponse)
      : httpRequest(common, onResponse);
    // A request the ingress never answers fails the test instead of hanging the suite.
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer from the ingress within 15 s for ${options.host}${options.path}`)));
    req.on("error", reject);
    req.end();
  });
}

/** A self-signed certificate for `host` whose subject's O names it apart from others. */
async function certificate(dir: string, host: string, organization: string): Promise<{ certPath: string; keyPath: string; certPem: string }> {
  const certPath = join(dir, `${organization}.crt`);
  const keyPath = join(dir, `${organization}.key`);
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
    "-keyout", keyPath, "-out", certPath, "-subj", `/O=${organization}/CN=${host}`, "-addext", `subjectAltName=DNS:${host}`,
  ]);
  return { certPath, keyPath, certPem: await readFile(certPath, "utf8") };
}
