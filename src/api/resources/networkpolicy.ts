// networking.k8s.io/v1 NetworkPolicy: netpol; SetDefaults_NetworkPolicy (policyTypes Ingress, plus
// Egress when egress rules exist; ports TCP); ValidateNetworkPolicySpec (selectors, peers, ports,
// ipBlocks, policy types); NAME POD-SELECTOR AGE.
import type { KubeObject } from "../resource.js";
import { validateLabelSelector } from "../label-selector.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path, type FieldPath } from "./field-path.js";
import { isValidCIDR, isValidPortNum } from "./formats.js";
import { isStrictSubnet, parseIPNet } from "../../netpol/ip-net.js";
import { formatLabelSelector, labelSelectorObject } from "./label-selectors.js";
import { defaultString, ensureRecord, isRecord, numberAt, recordAt, recordsAt, stringAt, stringsAt, valueAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { validatePortNumOrName } from "./service-validation.js";

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

export function networkPolicyResource(): ResourceDef {
  return {
    group: "networking.k8s.io",
    version: "v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    singular: "networkpolicy",
    namespaced: true,
    shortNames: ["netpol"],
    verbs: ALL_VERBS,
    defaults: defaultNetworkPolicy,
    validate: (obj) => validateSpec(recordAt(obj, "spec") ?? {}, path("spec")),
    table: {
      columns: [nameColumn(), column("Pod-Selector", "string", fieldDoc("networking.v1.NetworkPolicySpec", "podSelector")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), formatLabelSelector(valueAt(obj, "spec", "podSelector") ?? {}), ageOf(obj, now)],
    },
  };
}

function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  for (const rule of [...recordsAt(spec, "ingress"), ...recordsAt(spec, "egress")]) {
    for (const port of recordsAt(rule, "ports")) defaultString(port, "protocol", "TCP");
  }
  if (stringsAt(spec, "policyTypes").length === 0) spec.policyTypes = recordsAt(spec, "egress").length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

function validateSpec(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs = validateLabelSelector(labelSelectorObject(spec.podSelector ?? {}), `${p.child("podSelector")}`);
  recordsAt(spec, "ingress").forEach((rule, i) => errs.push(...validateRule(rule, "from", p.child("ingress").index(i))));
  recordsAt(spec, "egress").forEach((rule, i) => errs.push(...validateRule(rule, "to", p.child("egress").index(i))));
  const types = stringsAt(spec, "policyTypes");
  if (types.length > 2) errs.push(invalid(`${p.child("policyTypes")}`, types, "may not specify more than two policyTypes"));
  types.forEach((type, i) => {
    if (type !== "Ingress" && type !== "Egress") errs.push(notSupported(`${p.child("policyTypes").index(i)}`, type, ["Ingress", "Egress"]));
  });
  return errs;
}

function validateRule(rule: JsonRecord, peers: "from" | "to", p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  recordsAt(rule, "ports").forEach((port, i) => errs.push(...validatePort(port, p.child("ports").index(i))));
  recordsAt(rule, peers).forEach((peer, i) => errs.push(...validatePeer(peer, p.child(peers).index(i))));
  return errs;
}

/** upstream ValidateNetworkPolicyPort: endPort only with a numeric port, within range, not below it. */
function validatePort(port: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const protocol = port.protocol;
  if (protocol !== undefined && !PROTOCOLS.includes(String(protocol))) errs.push(notSupported(`${p.child("protocol")}`, protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(port.port, p.child("port")));
  const endPort = numberAt(port, "endPort");
  if (endPort === undefined) return errs;
  const at = `${p.child("endPort")}`;
  if (typeof port.port === "number") {
    // upstream reports the port's value, not endPort's, for this error.
    if (endPort < port.port) errs.push(invalid(at, port.port, "must be greater than or equal to `port`"));
    errs.push(...isValidPortNum(endPort).map((msg) => invalid(at, endPort, msg)));
  } else if (typeof port.port === "string") {
    errs.push(invalid(at, endPort, "may not be specified when `port` is non-numeric"));
  } else {
    errs.push(invalid(at, endPort, "may not be specified when `port` is not specified"));
  }
  return errs;
}

/** Each peer: pod and/or namespace selectors, or an ipBlock alone. */
function validatePeer(peer: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ["podSelector", "namespaceSelector"]) {
    if (isRecord(peer[field])) errs.push(...validateLabelSelector(labelSelectorObject(peer[field]), `${p.child(field)}`));
  }
  const ipBlock = recordAt(peer, "ipBlock");
  if (ipBlock) errs.push(...validateIPBlock(ipBlock, p.child("ipBlock")));
  const count = ["podSelector", "namespaceSelector", "ipBlock"].filter((f) => isRecord(peer[f])).length;
  if (count === 0) errs.push(required(`${p}`, "must specify a peer"));
  else if (count > 1 && ipBlock) errs.push(forbiddenField(`${p}`, "may not specify both ipBlock and another peer"));
  return errs;
}

/** upstream ValidateIPBlock: a valid cidr, and each except a valid CIDR strictly inside it. */
function validateIPBlock(block: JsonRecord, p: FieldPath): FieldError[] {
  const cidr = stringAt(block, "cidr") ?? "";
  if (cidr === "") return [required(`${p.child("cidr")}`)];
  const errs = isValidCIDR(cidr).map((msg) => invalid(`${p.child("cidr")}`, cidr, msg));
  const outer = errs.length === 0 ? parseIPNet(cidr) : undefined;
  stringsAt(block, "except").forEach((except, i) => {
    const at = `${p.child("except").index(i)}`;
    const messages = isValidCIDR(except);
    errs.push(...messages.map((msg) => invalid(at, except, msg)));
    const inner = messages.length === 0 ? parseIPNet(except) : undefined;
    if (outer && inner && !isStrictSubnet(inner, outer)) errs.push(invalid(at, except, "must be a strict subset of `cidr`"));
  });
  return errs;
}
