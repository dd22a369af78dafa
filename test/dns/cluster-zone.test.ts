// The cluster zone's answers for every record type, through the DnsHandler with queries encoded by
// dns-packet: services, headless services and their endpoints, SRV for named ports, ExternalName,
// pod names, PTR, NODATA and NXDOMAIN with the SOA, truncation over UDP, and malformed queries.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as packet from "dns-packet";
import { DnsMetrics } from "../../src/dns/dns-metrics.js";
import { ask, data, handlerFor, pod, query, service, slice } from "./fixtures.js";

const ports = [
  { name: "http", port: 80, protocol: "TCP" },
  { name: "dns", port: 53, protocol: "UDP" },
];
const cluster = {
  services: [
    service("default", "web", { type: "ClusterIP", clusterIP: "10.43.0.20", clusterIPs: ["10.43.0.20"], ports }),
    service("default", "db", { clusterIP: "None", ports: [{ name: "pg", port: 5432, protocol: "TCP" }] }),
    service("default", "docs", { type: "ExternalName", externalName: "docs.example.com" }),
    service("default", "pending", { type: "ClusterIP", ports }),
  ],
  slices: [
    slice("default", "web", [{ ip: "10.42.0.5" }], [{ name: "http", port: 8080 }]),
    slice(
      "default",
      "db",
      [
        { ip: "10.42.0.7", hostname: "db-0" },
        { ip: "10.42.0.8", hostname: "db-1" },
        { ip: "10.42.0.9", hostname: "db-2", ready: false },
      ],
      [{ name: "pg", port: 5432 }],
    ),
  ],
  pods: [pod("default", "web-1", "10.42.0.5"), pod("default", "db-0", "10.42.0.7"), pod("team", "lonely", "10.42.0.11")],
};
const { handler } = handlerFor(cluster);

describe("cluster DNS zone", () => {
  it("answers a ClusterIP Service's A record with its cluster IP, authoritatively", async () => {
    const reply = await ask(handler, "web.default.svc.cluster.local", "A");
    assert.equal(reply.rcode, "NOERROR");
    assert.equal(reply.flag_aa, true);
    assert.deepEqual(data(reply), ["10.43.0.20"]);
    const [first] = reply.answers ?? [];
    assert.equal(first?.type === "A" ? first.ttl : undefined, 5);
  });

  it("matches names without regard to case and answers with the name as asked", async () => {
    const reply = await ask(handler, "WEB.Default.svc.Cluster.Local.", "A");
    assert.deepEqual(data(reply), ["10.43.0.20"]);
    assert.equal(reply.answers?.[0]?.name, "WEB.Default.svc.Cluster.Local");
  });

  it("answers AAAA for an IPv4-only Service with NOERROR, no records and the SOA", async () => {
    const reply = await ask(handler, "web.default.svc.cluster.local", "AAAA");
    assert.equal(reply.rcode, "NOERROR");
    assert.deepEqual(reply.answers, []);
    assert.equal(reply.authorities?.[0]?.type, "SOA");
  });

  it("answers a headless Service with its ready endpoints' addresses only", async () => {
    const reply = await ask(handler, "db.default.svc.cluster.local", "A");
    assert.deepEqual(data(reply).sort(), ["10.42.0.7", "10.42.0.8"]);
  });

  it("answers a StatefulSet pod's name under its headless Service", async () => {
    assert.deepEqual(data(await ask(handler, "db-1.db.default.svc.cluster.local", "A")), ["10.42.0.8"]);
    assert.equal((await ask(handler, "db-2.db.default.svc.cluster.local", "A")).rcode, "NXDOMAIN", "a not-ready endpoint has no name");
  });

  it("answers SRV for a ClusterIP Service's named port with the service name and its address", async () => {
    const reply = await ask(handler, "_http._tcp.web.default.svc.cluster.local", "SRV");
    assert.deepEqual(data(reply), ["80 web.default.svc.cluster.local"]);
    assert.deepEqual(reply.additionals?.map((a) => [a.name, a.type === "A" ? a.data : a.type]), [["web.default.svc.cluster.local", "10.43.0.20"]]);
    assert.deepEqual(data(await ask(handler, "_dns._udp.web.default.svc.cluster.local", "SRV")), ["53 web.default.svc.cluster.local"]);
    assert.equal((await ask(handler, "_http._udp.web.default.svc.cluster.local", "SRV")).rcode, "NXDOMAIN", "the protocol must match");
  });

  it("answers SRV at a Service's own name with every port", async () => {
    assert.deepEqual(data(await ask(handler, "web.default.svc.cluster.local", "SRV")), ["80 web.default.svc.cluster.local", "53 web.default.svc.cluster.local"]);
    assert.deepEqual(data(await ask(handler, "db.default.svc.cluster.local", "SRV")).sort(), ["5432 db-0.db.default.svc.cluster.local", "5432 db-1.db.default.svc.cluster.local"]);
  });

  it("answers SRV for a headless Service with one record per ready endpoint", async () => {
    const reply = await ask(handler, "_pg._tcp.db.default.svc.cluster.local", "SRV");
    assert.deepEqual(data(reply).sort(), ["5432 db-0.db.default.svc.cluster.local", "5432 db-1.db.default.svc.cluster.local"]);
    assert.equal(reply.additionals?.filter((a) => a.type === "A").length, 2);
  });

  it("answers an ExternalName Service with a CNAME", async () => {
    const reply = await ask(handler, "docs.default.svc.cluster.local", "A");
    assert.deepEqual(reply.answers?.map((a) => [a.type, a.type === "CNAME" ? a.data : ""]), [["CNAME", "docs.example.com"]]);
  });

  it("answers a Service without a cluster IP yet with NODATA", async () => {
    const reply = await ask(handler, "pending.default.svc.cluster.local", "A");
    assert.equal(reply.rcode, "NOERROR");
    assert.deepEqual(reply.answers, []);
  });

  it("answers pod names a-b-c-d.<ns>.pod for pods of that namespace only", async () => {
    assert.deepEqual(data(await ask(handler, "10-42-0-11.team.pod.cluster.local", "A")), ["10.42.0.11"]);
    assert.equal((await ask(handler, "10-42-0-11.default.pod.cluster.local", "A")).rcode, "NXDOMAIN");
    assert.equal((await ask(handler, "10-42-0-99.team.pod.cluster.local", "A")).rcode, "NXDOMAIN");
  });

  it("answers PTR for cluster IPs, endpoint addresses and pod IPs", async () => {
    assert.deepEqual(data(await ask(handler, "20.0.43.10.in-addr.arpa", "PTR")), ["web.default.svc.cluster.local"]);
    assert.deepEqual(data(await ask(handler, "7.0.42.10.in-addr.arpa", "PTR")), ["db-0.db.default.svc.cluster.local"]);
    assert.deepEqual(data(await ask(handler, "5.0.42.10.in-addr.arpa", "PTR")), ["10-42-0-5.web.default.svc.cluster.local"]);
    assert.deepEqual(data(await ask(handler, "11.0.42.10.in-addr.arpa", "PTR")), ["10-42-0-11.team.pod.cluster.local"]);
  });

  it("answers unknown names in the zone with NXDOMAIN and the zone's SOA", async () => {
    for (const name of ["nope.default.svc.cluster.local", "web.nope.svc.cluster.local", "x.y.z.web.default.svc.cluster.local", "what.cluster.local"]) {
      const reply = await ask(handler, name, "A");
      assert.equal(reply.rcode, "NXDOMAIN", name);
      const soa = reply.authorities?.[0];
      assert.equal(soa?.type, "SOA");
      if (soa?.type === "SOA") assert.equal(soa.data.mname, "ns.dns.cluster.local");
    }
  });

  it("answers the zone's own SOA and NS, and names that exist only as parents with NODATA", async () => {
    assert.equal((await ask(handler, "cluster.local", "SOA")).answers?.[0]?.type, "SOA");
    assert.deepEqual(data(await ask(handler, "cluster.local", "NS")), ["ns.dns.cluster.local"]);
    for (const name of ["svc.cluster.local", "default.svc.cluster.local", "pod.cluster.local"]) {
      const reply = await ask(handler, name, "A");
      assert.equal(reply.rcode, "NOERROR", name);
      assert.deepEqual(reply.answers, [], name);
    }
  });

  it("serves another cluster domain when configured", async () => {
    const custom = handlerFor(cluster, [], "kube.example").handler;
    assert.deepEqual(data(await ask(custom, "web.default.svc.kube.example", "A")), ["10.43.0.20"]);
  });

  it("sees Services and endpoints change at once", async () => {
    const live = handlerFor({ services: [], slices: [], pods: [] });
    assert.equal((await ask(live.handler, "new.default.svc.cluster.local", "A")).rcode, "NXDOMAIN");
    live.services.upsert("default/new", service("default", "new", { clusterIP: "10.43.0.30" }));
    assert.deepEqual(data(await ask(live.handler, "new.default.svc.cluster.local", "A")), ["10.43.0.30"]);
    live.services.remove("default/new");
    assert.equal((await ask(live.handler, "new.default.svc.cluster.local", "A")).rcode, "NXDOMAIN");
  });

  it("truncates a UDP answer larger than 512 bytes and gives the whole one over TCP", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.1.${i + 1}` }));
    const big = handlerFor({ services: [service("default", "big", { clusterIP: "None" })], slices: [slice("default", "big", many)], pods: [] }).handler;
    const udp = await ask(big, "big.default.svc.cluster.local", "A", "udp");
    assert.equal(udp.flag_tc, true);
    assert.deepEqual(udp.answers, []);
    const tcp = await ask(big, "big.default.svc.cluster.local", "A", "tcp");
    assert.equal(tcp.flag_tc, false);
    assert.equal(tcp.answers?.length, 60);
  });

  it("honours a larger EDNS payload size over UDP and answers with an OPT record", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.1.${i + 1}` }));
    const big = handlerFor({ services: [service("default", "big", { clusterIP: "None" })], slices: [slice("default", "big", many)], pods: [] }).handler;
    const withEdns = query("big.default.svc.cluster.local", "A", { additionals: [{ type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    const reply = packet.decode((await big.handle(withEdns, "udp"))!);
    assert.equal(reply.flag_tc, false);
    assert.equal(reply.answers?.length, 60);
    assert.ok(reply.additionals?.some((a) => a.type === "OPT"));
  });

  it("counts queries and responses in CoreDNS's metrics", async () => {
    const metrics = new DnsMetrics();
    const counted = handlerFor(cluster, [], "cluster.local", metrics).handler;
    await ask(counted, "web.default.svc.cluster.local", "A");
    await ask(counted, "nope.default.svc.cluster.local", "A", "tcp");
    const text = await metrics.registry.metrics();
    assert.match(text, /^coredns_dns_requests_total\{proto="udp",type="A"\} 1$/m);
    assert.match(text, /^coredns_dns_requests_total\{proto="tcp",type="A"\} 1$/m);
    assert.match(text, /^coredns_dns_responses_total\{rcode="NXDOMAIN"\} 1$/m);
    assert.match(text, /^coredns_dns_request_duration_seconds_count 2$/m);
  });

  it("drops what is not a DNS query and answers other opcodes with NOTIMP", async () => {
    assert.equal(await handler.handle(Buffer.from("hello"), "udp"), undefined);
    const notify = packet.encode({ type: "query", id: 7, flags: 4 << 11, questions: [{ type: "SOA", name: "cluster.local" }] });
    assert.equal((packet.decode((await handler.handle(notify, "udp"))!) as { rcode?: string }).rcode, "NOTIMP");
  });
});
