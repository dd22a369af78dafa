// The ingress proxy against real HTTP servers on 127.0.0.1 standing in for pods: endpoints taken
// round robin, a failed dial retried on the next endpoint, 502 when none answers, 503 when the
// Service has no ready endpoints. The dialer maps pod addresses to the local servers, as the
// nodes' dial helpers map them into their namespaces.
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import net, { type AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { Indexer } from "../../src/client/indexer.js";
import { createLogger } from "../../src/log.js";
import { SLICES_BY_SERVICE, ServiceBackends, sliceServiceKey } from "../../src/ingress/backends.js";
import { IngressProxy } from "../../src/ingress/proxy.js";
import { RouteTable } from "../../src/ingress/routes.js";

const pods = new Map<string, number>(); // pod IP → local port of its stand-in server
const servers: Server[] = [];
let proxyServer: Server;
let proxyPort: number;
const services = new Indexer();
const slices = new Indexer();
slices.addIndex(SLICES_BY_SERVICE, sliceServiceKey);

function endpointSlice(service: string, ips: string[], conditions: object = { ready: true }): KubeObject {
  return {
    metadata: { name: `${service}-x`, namespace: "default", labels: { "kubernetes.io/service-name": service } },
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: "node-a", conditions })),
  } as KubeObject;
}

before(async () => {
  for (const ip of ["10.42.0.10", "10.42.0.11"]) {
    const server = createServer((_req, res) => res.end(ip));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    pods.set(ip, (server.address() as AddressInfo).port);
    servers.push(server);
  }
  services.upsert("default/web", { metadata: { name: "web", namespace: "default" }, spec: { ports: [{ name: "http", port: 80, protocol: "TCP" }] } });
  // 10.42.0.99 has no server: dialing it is refused.
  slices.upsert("default/web-x", endpointSlice("web", ["10.42.0.10", "10.42.0.99", "10.42.0.11"]));
  services.upsert("default/idle", { metadata: { name: "idle", namespace: "default" }, spec: { ports: [{ name: "http", port: 80 }] } });
  services.upsert("default/broken", { metadata: { name: "broken", namespace: "default" }, spec: { ports: [{ name: "http", port: 80 }] } });
  slices.upsert("default/broken-x", endpointSlice("broken", ["10.42.0.99"]));
  services.upsert("default/draining", { metadata: { name: "draining", namespace: "default" }, spec: { ports: [{ name: "http", port: 80 }] } });
  slices.upsert("default/draining-x", endpointSlice("draining", ["10.42.0.11"], { ready: false, serving: true, terminating: true }));
  const backends = new ServiceBackends(services, slices);
  const rule = (host: string, service: string) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: 80 } } } }] } });
  const routes = new RouteTable([{ metadata: { name: "ing", namespace: "default" }, spec: { rules: [rule("web.test", "web"), rule("idle.test", "idle"), rule("broken.test", "broken"), rule("draining.test", "draining")] } }]);
  const dial = (_node: string, ip: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: pods.get(ip) ?? 1 });
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
    });
  const proxy = new IngressProxy({ routes: () => routes, backends, dial, log: createLogger("error") });
  proxyServer = createServer((req, res) => proxy.handle(req, res, { scheme: "http", port: proxyPort }));
  await new Promise<void>((resolve) => proxyServer.listen(0, "127.0.0.1", resolve));
  proxyPort = (proxyServer.address() as AddressInfo).port;
});

after(() => {
  for (const server of [...servers, proxyServer]) server.close();
  for (const server of [...servers, proxyServer]) server.closeAllConnections();
});

function get(host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: proxyPort, path: "/", headers: { host }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("requests go round robin over the ready endpoints, and a refused dial moves on to the next one", async () => {
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const reply = await get("web.test");
    assert.equal(reply.status, 200);
    answers.push(reply.body);
  }
  assert.deepEqual(new Set(answers), new Set(["10.42.0.10", "10.42.0.11"]));
  assert.ok(answers.filter((a) => a === "10.42.0.10").length >= 2 && answers.filter((a) => a === "10.42.0.11").length >= 2, answers.join(" "));
});

test("no endpoint answering is a 502 naming the Service and what failed; none ready is a 503", async () => {
  const broken = await get("broken.test");
  assert.equal(broken.status, 502);
  assert.match(broken.body, /^could not get a response from service "default\/broken": 10\.42\.0\.99:8080: /);
  const idle = await get("idle.test");
  assert.equal(idle.status, 503);
  assert.equal(idle.body, 'Ingress default/ing: service "default/idle" has no ready endpoints for port 80\n');
});

test("with no ready endpoint, pods still serving while they terminate take the requests", async () => {
  const reply = await get("draining.test");
  assert.equal(reply.status, 200);
  assert.equal(reply.body, "10.42.0.11");
});

test("a pod that closes its side of a kept-alive connection does not leave the next request waiting", async () => {
  // A backend that answers one keep-alive request per connection, then ends its side, as a pod
  // being stopped does; the dialer's sockets allow half-open connections, as the dial helper's do.
  const backend = net.createServer((socket) => {
    socket.once("data", () => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok");
      setTimeout(() => socket.end(), 20);
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const port = (backend.address() as AddressInfo).port;
  const halfOpenDial = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
    });
  const proxy = new IngressProxy({ routes: () => new RouteTable([{ metadata: { name: "ing", namespace: "default" }, spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } }]), backends: new ServiceBackends(services, slices), dial: halfOpenDial, log: createLogger("error") });
  const front = createServer((req, res) => proxy.handle(req, res, { scheme: "http", port: 0 }));
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const ask = () =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: (front.address() as AddressInfo).port, path: "/", agent: false, timeout: 5_000 }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
      req.on("error", reject);
      req.end();
    });
  try {
    assert.equal(await ask(), 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await ask(), 200);
  } finally {
    proxy.close();
    front.close();
    backend.close();
  }
});
