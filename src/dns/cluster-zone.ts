// The cluster's DNS zone, as the Kubernetes DNS specification and CoreDNS's kubernetes plugin answer
// it (default: cluster.local):
//   <svc>.<ns>.svc.<zone>               A/AAAA: the ClusterIP; headless: every ready endpoint;
//                                       ExternalName: a CNAME to spec.externalName
//   <label>.<svc>.<ns>.svc.<zone>       A: the endpoint with that hostname (or dashed IP)
//   _<port>._<proto>.<svc>.<ns>.svc...  SRV for a named port (ClusterIP: one, at the service name;
//                                       headless: one per ready endpoint), targets' A as additionals;
//                                       SRV at <svc>.<ns>.svc.<zone> itself: every port
//   <a-b-c-d>.<ns>.pod.<zone>           A: a pod of that namespace with that IP
//   <d.c.b.a>.in-addr.arpa              PTR for cluster IPs, endpoint and pod addresses
// A name that exists without records of the asked type gets NOERROR and no answer (NODATA); an
// unknown name in the zone gets NXDOMAIN; both carry the zone's SOA. Names outside the zone, and
// reverse names of addresses the cluster does not know, are not answered here (undefined): they
// go to the upstream resolvers, as CoreDNS's `fallthrough in-addr.arpa`.
import type { Answer, Question, RecordType } from "dns-packet";
import { dashed, undashed, type ClusterRecords } from "./cluster-records.js";
import { clusterIPs, isHeadless, type DnsService } from "./objects.js";

/** TTL of every answer (CoreDNS's kubernetes plugin default). */
export const RECORD_TTL = 5;

export interface ZoneAnswer {
  rcode: "NOERROR" | "NXDOMAIN";
  answers: Answer[];
  additionals: Answer[];
  /** The SOA, for NODATA and NXDOMAIN. */
  authorities: Answer[];
}

export class ClusterZone {
  private readonly suffix: string;

  constructor(
    private readonly records: ClusterRecords,
    readonly domain = "cluster.local",
  ) {
    this.domain = domain.toLowerCase().replace(/\.$/, "");
    this.suffix = `.${this.domain}`;
  }

  /** The answer to one question, or undefined when the name is not the cluster's. */
  answer(question: Question): ZoneAnswer | undefined {
    const name = question.name.toLowerCase().replace(/\.$/, "");
    if (name.endsWith(".in-addr.arpa")) return this.reverse(question, name);
    if (name === this.domain) return this.apex(question);
    if (!name.endsWith(this.suffix)) return undefined;
    const labels = name.slice(0, -this.suffix.length).split(".");
    const kind = labels.pop();
    if (kind === "svc") return this.serviceName(question, labels);
    if (kind === "pod") return this.podName(question, labels);
    return this.nxdomain();
  }

  /** The zone's SOA record (negative answers carry it, with the same short TTL). */
  soa(): Answer {
    return {
      type: "SOA",
      name: this.domain,
      ttl: RECORD_TTL,
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: RECORD_TTL },
    };
  }

  private apex(question: Question): ZoneAnswer {
    if (question.type === "SOA") return this.found([{ ...this.soa(), name: question.name }]);
    if (question.type === "NS") return this.found([{ type: "NS", name: question.name, ttl: RECORD_TTL, data: `ns.dns.${this.domain}` }]);
    return this.nodata();
  }

  /** labels: what precedes `svc.<zone>`, such as [svc, ns] or [_http, _tcp, svc, ns]. */
  private serviceName(question: Question, labels: string[]): ZoneAnswer {
    if (labels.length <= 1) return this.nodata(); // svc.<zone> and <ns>.svc.<zone>: empty non-terminals
    const [namespace = "", serviceName = ""] = labels.slice(-2).reverse();
    const service = this.records.service(namespace, serviceName);
    if (!service) return this.nxdomain();
    const serviceFqdn = `${serviceName}.${namespace}.svc.${this.domain}`;
    if (labels.length === 2) {
      if (service.spec?.type === "ExternalName") {
        const target = (service.spec.externalName ?? "").replace(/\.$/, "");
        return this.found([{ type: "CNAME", name: question.name, ttl: RECORD_TTL, data: target }]);
      }
      if (question.type === "SRV") return this.srv(question, service, serviceFqdn, () => true);
      if (!isHeadless(service)) return this.addresses(question, clusterIPs(service));
      return this.addresses(question, this.records.readyEndpoints(namespace, serviceName).map((e) => e.ip));
    }
    if (labels.length === 3) {
      const endpoint = this.records.readyEndpoints(namespace, serviceName).find((e) => e.label === labels[0]);
      return endpoint ? this.addresses(question, [endpoint.ip]) : this.nxdomain();
    }
    if (labels.length === 4 && labels[0]?.startsWith("_") && labels[1]?.startsWith("_")) {
      const [port, protocol] = [labels[0].slice(1), labels[1].slice(1)];
      const matches = (p: { name?: string; protocol?: string }) => (p.name ?? "").toLowerCase() === port && (p.protocol ?? "TCP").toLowerCase() === protocol;
      if (!(service.spec?.ports ?? []).some(matches)) return this.nxdomain();
      return question.type === "SRV" ? this.srv(question, service, serviceFqdn, matches) : this.nodata();
    }
    return this.nxdomain();
  }

  /**
   * SRV records of the Service's ports that match: a ClusterIP Service's at its own name (its
   * address as additional), a headless one's at each ready endpoint's name (with its address).
   */
  private srv(question: Question, service: DnsService, serviceFqdn: string, matches: (port: { name?: string; protocol?: string }) => boolean): ZoneAnswer {
    if (!isHeadless(service)) {
      const ips = clusterIPs(service);
      const ports = (service.spec?.ports ?? []).filter(matches);
      if (ips.length === 0 || ports.length === 0) return this.nodata();
      return this.found(ports.map((p) => srvRecord(question.name, serviceFqdn, p.port)), ips.map((ip) => addressRecord(serviceFqdn, ip)));
    }
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    for (const endpoint of this.records.readyEndpoints(service.metadata.namespace ?? "", service.metadata.name ?? "")) {
      const ports = endpoint.ports.filter(matches);
      if (ports.length === 0) continue;
      const host = `${endpoint.label}.${serviceFqdn}`;
      for (const port of ports) answers.push(srvRecord(question.name, host, port.port));
      additionals.push(addressRecord(host, endpoint.ip));
    }
    return answers.length > 0 ? this.found(answers, additionals) : this.nodata();
  }

  /** labels: [a-b-c-d, ns], verified against the pods of that namespace. */
  private podName(question: Question, labels: string[]): ZoneAnswer {
    if (labels.length <= 1) return this.nodata(); // pod.<zone> or <ns>.pod.<zone>
    const ip = labels.length === 2 ? undashed(labels[0] ?? "") : undefined;
    if (!ip || !this.records.podsWithIP(ip).some((pod) => pod.metadata.namespace === labels[1])) return this.nxdomain();
    return this.addresses(question, [ip]);
  }

  private reverse(question: Question, name: string): ZoneAnswer | undefined {
    const octets = name.slice(0, -".in-addr.arpa".length).split(".");
    if (octets.length !== 4) return undefined;
    const ip = octets.reverse().join(".");
    const names = this.namesOf(ip);
    if (names.length === 0) return undefined;
    if (question.type !== "PTR") return this.nodata();
    return this.found(names.map((target) => ({ type: "PTR", name: question.name, ttl: RECORD_TTL, data: target })));
  }

  /** The names an address has: a Service's (cluster IP), an endpoint's, or a pod's. */
  private namesOf(ip: string): string[] {
    const services = this.records.servicesWithClusterIP(ip);
    if (services.length > 0) return services.map((s) => `${s.metadata.name}.${s.metadata.namespace}.svc.${this.domain}`);
    const endpoint = this.records.endpointWithAddress(ip);
    if (endpoint) return [`${endpoint.label}.${endpoint.service}.${endpoint.namespace}.svc.${this.domain}`];
    const pod = this.records.podsWithIP(ip)[0];
    return pod ? [`${dashed(ip)}.${pod.metadata.namespace}.pod.${this.domain}`] : [];
  }

  /** A or AAAA records of the addresses of the asked family; NODATA for another type or none. */
  private addresses(question: Question, ips: string[]): ZoneAnswer {
    const family: RecordType | undefined = question.type === "A" || question.type === "AAAA" ? question.type : undefined;
    const wanted = family ? ips.filter((ip) => (family === "A") === !ip.includes(":")) : [];
    if (wanted.length === 0) return this.nodata();
    return this.found(wanted.map((ip) => addressRecord(question.name, ip)));
  }

  private found(answers: Answer[], additionals: Answer[] = []): ZoneAnswer {
    return { rcode: "NOERROR", answers, additionals, authorities: [] };
  }

  private nodata(): ZoneAnswer {
    return { rcode: "NOERROR", answers: [], additionals: [], authorities: [this.soa()] };
  }

  private nxdomain(): ZoneAnswer {
    return { rcode: "NXDOMAIN", answers: [], additionals: [], authorities: [this.soa()] };
  }
}

function addressRecord(name: string, ip: string): Answer {
  return { type: ip.includes(":") ? "AAAA" : "A", name, ttl: RECORD_TTL, data: ip };
}

function srvRecord(name: string, target: string, port: number): Answer {
  return { type: "SRV", name, ttl: RECORD_TTL, data: { priority: 0, weight: 100, port, target } };
}
