// discovery.k8s.io/v1 EndpointSlice: ports default to name "" and TCP; address type, endpoints and
// ports validated as upstream (addressType immutable); NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
import { isIPv4, isIPv6 } from "node:net";
import type { KubeObject, ValidationContext } from "../resource.js";
import { duplicate, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path, type FieldPath } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { defaultString, defaultValue, numberAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, listWithMore, nameColumn, nameOf } from "./printing.js";

const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

export function endpointSliceResource(): ResourceDef {
  const doc = (field: string) => fieldDoc("discovery.v1.EndpointSlice", field);
  return {
    group: "discovery.k8s.io",
    version: "v1",
    kind: "EndpointSlice",
    plural: "endpointslices",
    singular: "endpointslice",
    namespaced: true,
    verbs: ALL_VERBS,
    defaults: (obj) => {
      for (const port of recordsAt(obj, "ports")) {
        defaultValue(port, "name", "");
        defaultString(port, "protocol", "TCP");
      }
    },
    validate: validateEndpointSlice,
    table: {
      columns: [nameColumn(), column("AddressType", "string", doc("addressType")), column("Ports", "string", doc("ports")), column("Endpoints", "string", doc("endpoints")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "addressType") ?? "", formatPorts(obj), formatEndpointAddresses(obj), ageOf(obj, now)],
    },
  };
}

function validateEndpointSlice(obj: KubeObject, context: ValidationContext): FieldError[] {
  const addressType = stringAt(obj, "addressType") ?? "";
  const errs: FieldError[] = [];
  if (addressType === "") errs.push(required("addressType"));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported("addressType", addressType, ADDRESS_TYPES));
  errs.push(...validateEndpoints(recordsAt(obj, "endpoints"), addressType), ...validatePorts(recordsAt(obj, "ports")));
  if (context.old) errs.push(...validateImmutableField(obj.addressType, context.old.addressType, path("addressType")));
  return errs;
}

const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: "FieldValueTooMany", field, value: actual, detail: `must have at most ${max} items` });

function validateEndpoints(endpoints: JsonRecord[], addressType: string): FieldError[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany("endpoints", endpoints.length, MAX_ENDPOINTS)];
  return endpoints.flatMap((endpoint, i) => {
    const at = path("endpoints").index(i).child("addresses");
    const addresses = stringsAt(endpoint, "addresses");
    const errs: FieldError[] = [];
    if (addresses.length === 0) errs.push(required(`${at}`, "must contain at least 1 address"));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(`${at}`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((address, j) => errs.push(...validateAddress(address, addressType, at.index(j))));
    return errs;
  });
}

function validateAddress(address: string, addressType: string, p: FieldPath): FieldError[] {
  if (addressType === "IPv4" && !isIPv4(address)) return [invalid(`${p}`, address, "must be a valid IPv4 address")];
  if (addressType === "IPv6" && !isIPv6(address)) return [invalid(`${p}`, address, "must be a valid IPv6 address")];
  if (addressType === "FQDN") return isDNS1123Subdomain(address).map((msg) => invalid(`${p}`, address, msg));
  return [];
}

function validatePorts(ports: JsonRecord[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany("ports", ports.length, MAX_PORTS)];
  const names = new Set<string>();
  return ports.flatMap((port, i) => {
    const at = path("ports").index(i);
    const name = stringAt(port, "name") ?? "";
    const errs = name ? isDNS1123Label(name).map((msg) => invalid(`${at.child("name")}`, name, msg)) : [];
    if (names.has(name)) errs.push(duplicate(`${at.child("name")}`, name));
    names.add(name);
    if (!port.protocol) errs.push(required(`${at.child("protocol")}`));
    else if (!PROTOCOLS.includes(String(port.protocol))) errs.push(notSupported(`${at.child("protocol")}`, port.protocol, PROTOCOLS));
    const appProtocol = stringAt(port, "appProtocol");
    if (appProtocol !== undefined) errs.push(...isQualifiedName(appProtocol).map((msg) => invalid(`${at.child("appProtocol")}`, appProtocol, msg)));
    return errs;
  });
}

/** upstream formatDiscoveryPorts: port numbers (or names, or "*"), three at most. */
function formatPorts(obj: KubeObject): string {
  return listWithMore(recordsAt(obj, "ports").map((p) => String(numberAt(p, "port") ?? stringAt(p, "name") ?? "*")), 3);
}

/** upstream formatDiscoveryEndpoints: every address of every endpoint, three at most. */
function formatEndpointAddresses(obj: KubeObject): string {
  return listWithMore(recordsAt(obj, "endpoints").flatMap((e) => stringsAt(e, "addresses")), 3);
}
