// The Service environment variables containers get, as upstream's kubelet names them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { containerEnvironment } from "../../src/node/container-env.js";
import type { Pod } from "../../src/node/pod-types.js";

const svc = (namespace: string, name: string, clusterIP: string, ports: object[]): KubeObject => ({ metadata: { namespace, name }, spec: { clusterIP, ports } });
const services = [
  svc("default", "kubernetes", "10.43.0.1", [{ name: "https", port: 443, protocol: "TCP" }]),
  svc("shop", "api-server", "10.43.5.6", [{ name: "http", port: 8080, protocol: "TCP" }, { port: 53, protocol: "UDP" }]),
  svc("shop", "headless", "None", [{ port: 80, protocol: "TCP" }]),
  svc("other", "elsewhere", "10.43.9.9", [{ port: 80, protocol: "TCP" }]),
];

async function envOf(podSpec: object, container: object = {}): Promise<Record<string, string>> {
  const pod = { metadata: { namespace: "shop", name: "p" }, spec: { containers: [], ...podSpec } } as unknown as Pod;
  const config = { configMap: async () => undefined, secret: async () => undefined, services: (ns: string) => services.filter((s) => s.metadata?.namespace === ns || s.metadata?.namespace === "default") };
  const env = await containerEnvironment({ pod, container: { name: "c", ...container } as Pod["spec"]["containers"][number], hostIP: "10.42.0.1", podIPs: ["10.42.0.5"], nodeAllocatable: {}, config });
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

describe("service environment variables", () => {
  it("names every Service of the pod's namespace and the kubernetes Service", async () => {
    const env = await envOf({});
    assert.equal(env.KUBERNETES_SERVICE_HOST, "10.43.0.1");
    assert.equal(env.KUBERNETES_SERVICE_PORT, "443");
    assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, "443");
    assert.equal(env.KUBERNETES_PORT, "tcp://10.43.0.1:443");
    assert.equal(env.API_SERVER_SERVICE_HOST, "10.43.5.6");
    assert.equal(env.API_SERVER_SERVICE_PORT_HTTP, "8080");
    assert.equal(env.API_SERVER_PORT_53_UDP, "udp://10.43.5.6:53");
    assert.equal(env.API_SERVER_PORT_53_UDP_PROTO, "udp");
    assert.equal(env.API_SERVER_PORT_8080_TCP_ADDR, "10.43.5.6");
    assert.equal(env.HEADLESS_SERVICE_HOST, undefined);
    assert.equal(env.ELSEWHERE_SERVICE_HOST, undefined);
  });

  it("keeps only the kubernetes Service with enableServiceLinks: false", async () => {
    const env = await envOf({ enableServiceLinks: false });
    assert.equal(env.KUBERNETES_SERVICE_HOST, "10.43.0.1");
    assert.equal(env.API_SERVER_SERVICE_HOST, undefined);
  });

  it("lets the container's own variables win and refer to the Services'", async () => {
    const env = await envOf({}, { env: [{ name: "API_SERVER_SERVICE_PORT", value: "1" }, { name: "URL", value: "http://$(API_SERVER_SERVICE_HOST):8080" }] });
    assert.equal(env.API_SERVER_SERVICE_PORT, "1");
    assert.equal(env.URL, "http://10.43.5.6:8080");
  });
});
