// Deriving a node's service rules from Services and EndpointSlices, and rendering them as the
// nftables table: table-driven over the cases kube-proxy distinguishes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { renderService, renderTable } from "../../src/proxy/nft-ruleset.js";
import { serviceRules } from "../../src/proxy/service-rules.js";

const service = (spec: Record<string, unknown>): KubeObject => ({
  metadata: { namespace: "shop", name: "web" },
  spec: { type: "ClusterIP", clusterIP: "10.43.1.5", clusterIPs: ["10.43.1.5"], ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "web" }], ...spec },
});
const slice = (endpoints: unknown[], ports: unknown[] = [{ name: "http", port: 8080, protocol: "TCP" }]): KubeObject => ({ addressType: "IPv4", ports, endpoints });
const ep = (ip: string, nodeName: string, ready?: boolean) => ({ addresses: [ip], nodeName, ...(ready === undefined ? {} : { conditions: { ready } }) });
const slices = [slice([ep("10.42.0.5", "a"), ep("10.42.1.6", "b", true), ep("10.42.0.7", "a", false)])];

describe("service rules", () => {
  const cases: { name: string; spec: Record<string, unknown>; slices?: KubeObject[]; expect: Record<string, unknown> | undefined }[] = [
    { name: "ready endpoints with the slice's port for a named target port", spec: {}, expect: { clusterBackends: [{ ip: "10.42.0.5", port: 8080 }, { ip: "10.42.1.6", port: 8080 }] } },
    { name: "internalTrafficPolicy Local keeps this node's endpoints for the cluster IP", spec: { internalTrafficPolicy: "Local" }, expect: { clusterBackends: [{ ip: "10.42.0.5", port: 8080 }] } },
    {
      name: "externalTrafficPolicy Local keeps this node's endpoints for the node port only",
      spec: { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] },
      expect: { nodePort: 30080, externalBackends: [{ ip: "10.42.0.5", port: 8080 }], clusterBackends: [{ ip: "10.42.0.5", port: 8080 }, { ip: "10.42.1.6", port: 8080 }] },
    },
    { name: "a node port on a ClusterIP Service is ignored", spec: { ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] }, expect: { nodePort: undefined } },
    { name: "ClientIP affinity carries its timeout", spec: { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }, expect: { affinitySeconds: 60 } },
    { name: "loopback load-balancer addresses are left to the host forwarder", spec: { externalIPs: ["192.0.2.1"] }, expect: { externalIPs: ["192.0.2.1"] } },
    { name: "a slice without the port's name gives no endpoints", spec: {}, slices: [slice([ep("10.42.0.5", "a")], [{ name: "other", port: 9, protocol: "TCP" }])], expect: { clusterBackends: [] } },
    { name: "headless Services have no rules", spec: { clusterIP: "None", clusterIPs: ["None"] }, expect: undefined },
    { name: "ExternalName Services have no rules", spec: { type: "ExternalName", externalName: "example.com", clusterIPs: [] }, expect: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [rule] = serviceRules(service(c.spec), c.slices ?? slices, "a");
      if (c.expect === undefined) return assert.equal(rule, undefined);
      assert.ok(rule);
      for (const [field, value] of Object.entries(c.expect)) assert.deepEqual((rule as unknown as Record<string, unknown>)[field], value, field);
    });
  }
});

describe("nftables rendering", () => {
  it("sends a cluster IP to one of its endpoints at random", () => {
    const table = renderTable([renderService(serviceRules(service({}), slices, "a"))]);
    assert.match(table, /^table ip kubelite-services\ndelete table ip kubelite-services\ntable ip kubelite-services \{\n/);
    assert.match(table, /map service-ips \{ type ipv4_addr \. inet_proto \. inet_service : verdict; elements = \{ 10\.43\.1\.5 \. tcp \. 80 : goto svc_shop_web_http_tcp \}; \}/);
    assert.match(table, /chain svc_shop_web_http_tcp \{\n    meta l4proto tcp dnat ip to numgen random mod 2 map \{ 0 : 10\.42\.0\.5 \. 8080, 1 : 10\.42\.1\.6 \. 8080 \}\n  \}/);
    assert.match(table, /set hairpin \{ type ipv4_addr \. ipv4_addr; elements = \{ 10\.42\.0\.5 \. 10\.42\.0\.5, 10\.42\.1\.6 \. 10\.42\.1\.6 \}; \}/);
  });

  it("rejects connections to a service port without endpoints", () => {
    const table = renderTable([renderService(serviceRules(service({ type: "NodePort", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] }), [], "a"))]);
    assert.match(table, /set no-endpoint-services \{ type ipv4_addr \. inet_proto \. inet_service; elements = \{ 10\.43\.1\.5 \. tcp \. 80 \}; \}/);
    assert.match(table, /set no-endpoint-nodeports \{ type inet_proto \. inet_service; elements = \{ tcp \. 30080 \}; \}/);
    assert.doesNotMatch(table, /chain svc_/);
  });

  it("gives a node port with externalTrafficPolicy Local a chain of its own", () => {
    const spec = { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] };
    const table = renderTable([renderService(serviceRules(service(spec), slices, "a"))]);
    assert.match(table, /map node-ports \{ type inet_proto \. inet_service : verdict; elements = \{ tcp \. 30080 : goto ext_shop_web_http_tcp \}; \}/);
    assert.match(table, /chain ext_shop_web_http_tcp \{\n    meta l4proto tcp dnat ip to 10\.42\.0\.5:8080\n  \}/);
  });

  it("remembers a client's endpoint for ClientIP affinity", () => {
    const table = renderTable([renderService(serviceRules(service({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), slices, "a"))]);
    assert.match(table, /set aff_shop_web_http_tcp_0 \{ type ipv4_addr; flags dynamic,timeout; timeout 60s; \}/);
    assert.match(table, /chain ep_shop_web_http_tcp_1 \{\n    update @aff_shop_web_http_tcp_1 \{ ip saddr \}\n    meta l4proto tcp dnat ip to 10\.42\.1\.6:8080\n  \}/);
    assert.match(table, /ip saddr @aff_shop_web_http_tcp_0 goto ep_shop_web_http_tcp_0\n    ip saddr @aff_shop_web_http_tcp_1 goto ep_shop_web_http_tcp_1\n    numgen random mod 2 vmap \{ 0 : goto ep_shop_web_http_tcp_0, 1 : goto ep_shop_web_http_tcp_1 \}/);
  });

  it("treats a loopback endpoint (the API server on the host) as none: a node namespace cannot reach it", () => {
    const table = renderTable([renderService(serviceRules(service({}), [slice([ep("127.0.0.1", "a")])], "a"))]);
    assert.match(table, /set no-endpoint-services \{ type ipv4_addr \. inet_proto \. inet_service; elements = \{ 10\.43\.1\.5 \. tcp \. 80 \}; \}/);
  });

  it("keeps the first of two entries for one address and port, so one load never fails for all", () => {
    const other = { ...service({}), metadata: { namespace: "shop", name: "copy" } };
    const table = renderTable([renderService(serviceRules(service({}), slices, "a")), renderService(serviceRules(other, slices, "a"))]);
    assert.equal(table.match(/10\.43\.1\.5 \. tcp \. 80 : goto/g)?.length, 1);
  });
});
