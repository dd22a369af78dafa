// Typed, pre-parsed views of the objects NetworkPolicy semantics read: policies (selectors parsed
// once, upstream's implicit policyTypes applied), pods (labels, addresses, container ports) and the
// cluster they live in. Built from API JSON by the enforcer's informers and by `kubelite why`.
import type { KubeObject } from "../api/resource.js";
import type { Labels } from "../api/label-selector.js";
import { LabelSelector } from "../api/label-selector.js";
import { selectorOf } from "../api/resources/label-selectors.js";
import { isRecord, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "../api/resources/object-fields.js";
import { parseIPNet, type IPNet } from "./ip-net.js";

export type Direction = "ingress" | "egress";

export interface PodView {
  namespace: string;
  name: string;
  labels: Labels;
  /** Pod IPs; empty until the pod has its network. */
  ips: string[];
  nodeName?: string;
  hostNetwork: boolean;
  /** Succeeded or Failed pods hold no address that counts. */
  terminated: boolean;
  ports: ContainerPortView[];
}

export interface ContainerPortView {
  name?: string;
  containerPort: number;
  protocol: string;
}

export type PeerView =
  | { kind: "pods"; podSelector?: LabelSelector; namespaceSelector?: LabelSelector }
  | { kind: "ipBlock"; cidr: IPNet; except: IPNet[]; text: string };

export interface PortView {
  protocol: string;
  /** Absent: every port of the protocol. */
  port?: number | string;
  endPort?: number;
}

export interface RuleView {
  /** Absent or empty: every peer (upstream: an empty from/to matches all sources/destinations). */
  peers: PeerView[];
  /** Empty: every port. */
  ports: PortView[];
}

export interface PolicyView {
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  types: ReadonlySet<Direction>;
  ingress: RuleView[];
  egress: RuleView[];
}

/** What the semantics need to know about the rest of the cluster. */
export interface PolicyCluster {
  /** A namespace's labels, undefined when it does not exist. */
  namespaceLabels(name: string): Labels | undefined;
  /** Every namespace name (for namespaceSelector peers). */
  namespaces(): string[];
  policiesIn(namespace: string): PolicyView[];
  podsIn(namespace: string): PodView[];
}

export function policyView(obj: KubeObject): PolicyView {
  const spec = recordAt(obj, "spec") ?? {};
  const egress = recordsAt(spec, "egress").map(ruleView("to"));
  const declared = stringsAt(spec, "policyTypes");
  // upstream's defaulting: Ingress always, Egress when egress rules exist (stored objects already carry it).
  const types = declared.length > 0 ? declared : egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
  return {
    namespace: obj.metadata?.namespace ?? "default",
    name: obj.metadata?.name ?? "",
    podSelector: selectorOf(spec.podSelector ?? {}) ?? LabelSelector.nothing(),
    types: new Set(types.map((t) => t.toLowerCase() as Direction)),
    ingress: recordsAt(spec, "ingress").map(ruleView("from")),
    egress,
  };
}

export function podView(obj: KubeObject): PodView {
  const spec = recordAt(obj, "spec") ?? {};
  const status = recordAt(obj, "status") ?? {};
  const podIPs = recordsAt(status, "podIPs").flatMap((p) => stringAt(p, "ip") ?? []);
  const podIP = stringAt(status, "podIP");
  const phase = stringAt(status, "phase");
  const ports = [...recordsAt(spec, "initContainers"), ...recordsAt(spec, "containers")].flatMap((c) =>
    recordsAt(c, "ports").map((p) => ({ name: stringAt(p, "name"), containerPort: Number(p.containerPort), protocol: stringAt(p, "protocol") ?? "TCP" })),
  );
  return {
    namespace: obj.metadata?.namespace ?? "default",
    name: obj.metadata?.name ?? "",
    labels: obj.metadata?.labels ?? {},
    ips: podIPs.length > 0 ? podIPs : podIP ? [podIP] : [],
    nodeName: stringAt(spec, "nodeName"),
    hostNetwork: spec.hostNetwork === true,
    terminated: phase === "Succeeded" || phase === "Failed",
    ports,
  };
}

function ruleView(peersField: "from" | "to"): (rule: JsonRecord) => RuleView {
  return (rule) => ({
    peers: recordsAt(rule, peersField).flatMap(peerView),
    ports: recordsAt(rule, "ports").map((p) => ({
      protocol: stringAt(p, "protocol") ?? "TCP",
      port: typeof p.port === "number" || typeof p.port === "string" ? p.port : undefined,
      endPort: typeof p.endPort === "number" ? p.endPort : undefined,
    })),
  });
}

function peerView(peer: JsonRecord): PeerView[] {
  const block = recordAt(peer, "ipBlock");
  if (block) {
    const text = stringAt(block, "cidr") ?? "";
    const cidr = parseIPNet(text);
    return cidr ? [{ kind: "ipBlock", cidr, except: stringsAt(block, "except").flatMap((e) => parseIPNet(e) ?? []), text }] : [];
  }
  const selector = (field: string) => (isRecord(peer[field]) ? (selectorOf(peer[field]) ?? LabelSelector.nothing()) : undefined);
  return [{ kind: "pods", podSelector: selector("podSelector"), namespaceSelector: selector("namespaceSelector") }];
}
