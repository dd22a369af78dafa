// The service proxy on a node without its own network namespace (host networking, no root): no
// cluster IPs, but NodePort and LoadBalancer ports on 127.0.0.1 forward straight to a ready
// endpoint, and a port another program holds becomes a PortUnavailable event on the Service.
// A real server; the endpoint is a TCP server of the test's own on 127.0.0.1.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { CORE_V1, type Client } from "../../src/client/client.js";
import { createLogger } from "../../src/log.js";
import { HostNetwork } from "../../src/node/network/host-network.js";
import { PortUnavailable, ServiceProxy } from "../../src/proxy/service-proxy.js";
import { waitFor } from "../controllers/mark-ready.js";
import { freePort } from "../support/free-port.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ADMIN = { name: "test", groups: ["system:masters", "system:authenticated"] };
const SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };

describe("userspace service proxy", () => {
  let server: TestServer;
  let client: Client;
  let proxy: ServiceProxy;
  let backend: net.Server;
  let backendPort: number;

  before(async () => {
    server = await startTestServer();
    client = server.client(ADMIN, "test");
    backend = net.createServer((socket) => socket.end("hello from the endpoint\n"));
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    backendPort = (backend.address() as net.AddressInfo).port;
    proxy = new ServiceProxy({ client, nodeName: "node-a", network: new HostNetwork(), hostListeners: true, log: createLogger("error") });
    await proxy.start();
  });
  after(async () => {
    await proxy?.stop();
    backend?.close();
    await server?.close();
  });

  const createService = async (name: string, spec: object) => {
    await client.create(CORE_V1("services"), "default", { apiVersion: "v1", kind: "Service", metadata: { name }, spec });
    await client.create(SLICES, "default", {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": name } },
      addressType: "IPv4",
      ports: [{ name: "", port: backendPort, protocol: "TCP" }],
      endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true }, nodeName: "node-a" }],
    });
    return client.get(CORE_V1("services"), "default", name);
  };
  const read = (port: number) =>
    new Promise<string>((resolve, reject) => {
      let text = "";
      net.connect({ port, host: "127.0.0.1" }).on("data", (c) => (text += c)).on("end", () => resolve(text)).on("error", reject);
    });

  it("forwards a NodePort and a LoadBalancer port on 127.0.0.1 to the endpoint", async () => {
    const lbPort = await freePort();
    const np = await createService("np", { type: "NodePort", ports: [{ port: 80, targetPort: 8080 }] });
    await createService("lb", { type: "LoadBalancer", ports: [{ port: lbPort, targetPort: 8080 }] });
    const nodePort = (np.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort;
    assert.equal(await waitFor(() => read(nodePort), "the node port"), "hello from the endpoint\n");
    assert.equal(await waitFor(() => read(lbPort), "the load balancer port"), "hello from the endpoint\n");
  });

  it("reports a load balancer port another program holds as an event on the Service", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      await createService("busy", { type: "LoadBalancer", ports: [{ port: taken, targetPort: 8080 }] });
      const event = await waitFor(async () => {
        const events = await client.list(CORE_V1("events"), { namespace: "default", fieldSelector: "involvedObject.name=busy" });
        return events.items.find((e) => e.reason === PortUnavailable);
      }, "the PortUnavailable event");
      assert.match(String(event.message), new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${taken} for default/busy:${taken}/tcp load balancer: the port is in use by another program$`));
    } finally {
      holder.close();
    }
  });
});
