// `kubelite why traffic --from A --to B:PORT`: reads the objects that decide a connection from the
// API (pods, the Service and the pods behind it, namespaces, NetworkPolicies) and explains, in
// plain words, whether it is allowed and why: the policy and rule, or the missing piece (no such
// Service or namespace, a port the Service does not expose, no ready pods, a named port no pod has).
// The policy verdict comes from the same evaluator the nodes compile their rules with.
import { isIP } from "node:net";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/resource.js";
import { recordAt, recordsAt, stringAt, type JsonRecord } from "../../api/resources/object-fields.js";
import { CORE_V1, type Client } from "../../client/client.js";
import { ClusterSnapshot } from "../../netpol/cluster-snapshot.js";
import { evaluateConnection, type Endpoint } from "../../netpol/evaluate.js";
import { explainVerdict } from "../../netpol/explain.js";
import { resolveNamedPort } from "../../netpol/policy-match.js";
import { podView, type PodView } from "../../netpol/policy-view.js";
import { NETWORK_POLICIES } from "../../netpol/policy-enforcer.js";
import { ENFORCED, ENFORCEMENT_LABEL } from "../../netpol/enforcement-label.js";

export interface TrafficQuestion {
  from: string;
  to: string;
  /** The namespace of references without one (-n). */
  namespace: string;
  protocol: string;
}

/** A --from or --to that cannot be read: a usage error. */
export class TargetError extends Error {}

/** A parsed `[NAMESPACE/]KIND/NAME[:PORT]` or `IP[:PORT]`. */
interface Target {
  kind: "pod" | "service" | "ip";
  namespace: string;
  name: string;
  port?: string;
}

const KINDS: Record<string, "pod" | "service"> = { pod: "pod", pods: "pod", po: "pod", svc: "service", service: "service", services: "service" };

export function parseTarget(text: string, namespace: string, withPort: boolean): Target {
  let ref = text;
  let port: string | undefined;
  const colon = text.lastIndexOf(":");
  if (withPort && colon > 0 && isIP(text) === 0) {
    ref = text.slice(0, colon);
    port = text.slice(colon + 1);
    if (!port) throw new TargetError(`${text}: the port after ":" is empty`);
  }
  if (isIP(ref) !== 0) return { kind: "ip", namespace, name: ref, port };
  const parts = ref.split("/");
  const [ns, kind, name] = parts.length === 3 ? parts : [namespace, ...parts];
  const resolved = KINDS[kind ?? ""];
  if (!resolved || !name || parts.length > 3) throw new TargetError(`${text}: expected pod/NAME${withPort ? ", svc/NAME:PORT" : ""} or an IP address (optionally NAMESPACE/pod/NAME)`);
  if (withPort && port === undefined) throw new TargetError(`${text}: say which port, as ${ref}:PORT`);
  return { kind: resolved, namespace: ns!, name, port };
}

export async function explainTraffic(client: Client, question: TrafficQuestion): Promise<string[]> {
  const from = parseTarget(question.from, question.namespace, false);
  const to = parseTarget(question.to, question.namespace, true);
  if (from.kind === "service") return [`--from ${question.from}: traffic starts at a pod or an address, not at a Service`];
  const source = await endpointOf(client, from);
  if (typeof source === "string") return [source];
  const protocol = question.protocol;
  const lines: string[] = [];
  let backends: { endpoint: Endpoint; port: number }[];
  if (to.kind === "service") {
    const resolved = await serviceBackends(client, to, protocol);
    lines.push(...resolved.notes);
    if (resolved.backends.length === 0) return lines;
    backends = resolved.backends;
  } else {
    const destination = await endpointOf(client, to);
    if (typeof destination === "string") return [destination];
    const port = numericPort(to.port!, destination.pod, protocol);
    if (typeof port === "string") return [port];
    backends = [{ endpoint: destination, port }];
  }
  const cluster = await snapshotFor(client, [source, ...backends.map((b) => b.endpoint)]);
  const unenforced = await nodesNotEnforcing(client, [source, ...backends.map((b) => b.endpoint)]);
  for (const backend of backends) {
    const verdict = evaluateConnection(cluster, { from: source, to: backend.endpoint, protocol, port: backend.port });
    lines.push(...explainVerdict(verdict, `${describe(source)} → ${describe(backend.endpoint)} on ${protocol}/${backend.port}`));
    for (const [side, node] of [["egress", source.pod?.nodeName], ["ingress", backend.endpoint.pod?.nodeName]] as const) {
      if (node && unenforced.has(node) && !verdict[side].allowed) lines.push(`  note: node ${node} does not enforce NetworkPolicy, so this ${side} is not actually blocked there`);
    }
  }
  return lines;
}

/** The nodes of these pods that say they do not enforce NetworkPolicy (ADR 0015). */
async function nodesNotEnforcing(client: Client, endpoints: Endpoint[]): Promise<Set<string>> {
  const names = [...new Set(endpoints.flatMap((e) => (e.pod?.nodeName ? [e.pod.nodeName] : [])))];
  const nodes = await Promise.all(names.map((name) => getOrUndefined(client, "nodes", undefined, name)));
  return new Set(nodes.flatMap((node) => (node && node.metadata?.labels?.[ENFORCEMENT_LABEL] !== ENFORCED ? [node.metadata?.name ?? ""] : [])));
}

async function endpointOf(client: Client, target: Target): Promise<Endpoint | string> {
  if (target.kind === "ip") {
    // An address that is a pod's is that pod (host-network pods share their node's address).
    const owners = (await client.list(CORE_V1("pods"), { fieldSelector: `status.podIP=${target.name}` })).items.map(podView).filter((p) => !p.hostNetwork && !p.terminated);
    return owners[0] ? { pod: owners[0], ip: target.name } : { ip: target.name };
  }
  const pod = await getOrUndefined(client, "pods", target.namespace, target.name);
  if (!pod) return `pod/${target.name} does not exist in namespace ${target.namespace}${await namespaceHint(client, target.namespace)}`;
  const view = podView(pod);
  if (view.ips.length === 0) return `pod/${target.name} has no IP address yet (phase ${stringAt(pod, "status", "phase") ?? "unknown"}): it is not running; try \`kubelite why pod/${target.name}\``;
  return { pod: view, ip: view.ips[0]! };
}

/** A port given as a number, or a container port name looked up on the pod. */
function numericPort(port: string, pod: PodView | undefined, protocol: string): number | string {
  if (/^\d+$/.test(port)) return Number(port);
  const resolved = resolveNamedPort(pod, port, protocol);
  return resolved ?? `named port ${port} (${protocol}) not found in ${pod ? `pod/${pod.name}'s container ports` : "an address"}`;
}

/** The ready pods behind a Service port, with the notes that explain what is missing. */
async function serviceBackends(client: Client, target: Target, protocol: string): Promise<{ notes: string[]; backends: { endpoint: Endpoint; port: number }[] }> {
  const none = (...notes: string[]) => ({ notes, backends: [] });
  const service = await getOrUndefined(client, "services", target.namespace, target.name);
  if (!service) {
    const elsewhere = (await client.list(CORE_V1("services"), { fieldSelector: `metadata.name=${target.name}` })).items.map((s) => s.metadata?.namespace);
    const hint = elsewhere.length > 0 ? `; a Service ${target.name} exists in namespace ${elsewhere.join(", ")}: use -n ${elsewhere[0]} or the name ${target.name}.${elsewhere[0]}` : "";
    return none(`service/${target.name} does not exist in namespace ${target.namespace}${await namespaceHint(client, target.namespace)}: the name ${target.name}.${target.namespace}.svc.cluster.local does not resolve${hint}`);
  }
  const spec = recordAt(service, "spec") ?? {};
  if (stringAt(spec, "type") === "ExternalName") return none(`service/${target.name} is an ExternalName for ${stringAt(spec, "externalName")}: traffic leaves the cluster's Service proxy`);
  const ports = recordsAt(spec, "ports");
  const port = ports.find((p) => String(p.port) === target.port || stringAt(p, "name") === target.port);
  if (!port || (stringAt(port, "protocol") ?? "TCP") !== protocol) {
    const exposed = ports.map((p) => `${String(p.port)}/${stringAt(p, "protocol") ?? "TCP"}${stringAt(p, "name") ? ` (${stringAt(p, "name")})` : ""}`).join(", ") || "none";
    return none(`service/${target.name} does not expose port ${target.port}/${protocol}; its ports: ${exposed}`);
  }
  const selector = recordAt(spec, "selector");
  if (!selector || Object.keys(selector).length === 0) return none(`service/${target.name} has no selector: its endpoints are managed by hand, so kubelite cannot tell which pods serve it`);
  const selectorText = Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`).join(",");
  const pods = (await client.list(CORE_V1("pods"), { namespace: target.namespace, labelSelector: selectorText })).items;
  if (pods.length === 0) return none(`service/${target.name}'s selector ${selectorText} matches no pods in namespace ${target.namespace}: it has no endpoints`);
  const ready = pods.filter(isReady);
  if (ready.length === 0) {
    const states = pods.map((p) => `${p.metadata?.name} (${stringAt(p, "status", "phase") ?? "unknown"}, not ready)`).join(", ");
    return none(`service/${target.name}'s selector ${selectorText} matches ${pods.length} pod(s) but none is ready: ${states}`);
  }
  const notes = [`service/${target.name} port ${String(port.port)} → target port ${String(port.targetPort ?? port.port)} on ${ready.length} ready pod(s)`];
  const backends: { endpoint: Endpoint; port: number }[] = [];
  for (const pod of ready) {
    const view = podView(pod);
    const resolved = numericPort(String(port.targetPort ?? port.port), view, protocol);
    if (typeof resolved === "string") notes.push(resolved);
    else if (view.ips[0]) backends.push({ endpoint: { pod: view, ip: view.ips[0] }, port: resolved });
  }
  return { notes, backends };
}

/** Namespaces and the policies of the namespaces the connection touches. */
async function snapshotFor(client: Client, endpoints: Endpoint[]): Promise<ClusterSnapshot> {
  const namespaces = [...new Set(endpoints.flatMap((e) => (e.pod ? [e.pod.namespace] : [])))];
  const policies = (await Promise.all(namespaces.map((ns) => client.list(NETWORK_POLICIES, { namespace: ns })))).flatMap((l) => l.items);
  return new ClusterSnapshot({ namespaces: (await client.list(CORE_V1("namespaces"))).items, pods: [], policies });
}

/** ", and neither does the namespace" when the namespace is missing too. */
async function namespaceHint(client: Client, namespace: string): Promise<string> {
  return (await getOrUndefined(client, "namespaces", undefined, namespace)) ? "" : ` (the namespace ${namespace} does not exist either)`;
}

function isReady(pod: KubeObject): boolean {
  return recordsAt(pod, "status", "conditions").some((c: JsonRecord) => c.type === "Ready" && c.status === "True");
}

function describe(endpoint: Endpoint): string {
  return endpoint.pod ? `pod/${endpoint.pod.name} (${endpoint.pod.namespace}, ${endpoint.ip})` : endpoint.ip;
}

export async function getOrUndefined(client: Client, resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(CORE_V1(resource), namespace, name);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}
