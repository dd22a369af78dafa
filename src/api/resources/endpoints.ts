// core/v1 Endpoints: ep; port protocols default to TCP; addresses and ports validated as upstream;
// the ENDPOINTS column lists up to three ip:port pairs, then "+ N more...".
import type { KubeObject } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Label } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path, type FieldPath } from "./field-path.js";
import { isValidIP, isValidPortNum } from "./formats.js";
import { defaultString, numberAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

export function endpointsResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "Endpoints",
    plural: "endpoints",
    singular: "endpoints",
    namespaced: true,
    shortNames: ["ep"],
    verbs: ALL_VERBS,
    defaults: (obj) => {
      for (const subset of recordsAt(obj, "subsets")) for (const port of recordsAt(subset, "ports")) defaultString(port, "protocol", "TCP");
    },
    validate: (obj) => recordsAt(obj, "subsets").flatMap((subset, i) => validateSubset(subset, path("subsets").index(i))),
    table: {
      columns: [nameColumn(), column("Endpoints", "string", fieldDoc("core.v1.Endpoints", "subsets")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), formatEndpoints(obj), ageOf(obj, now)],
    },
  };
}

function validateSubset(subset: JsonRecord, p: FieldPath): FieldError[] {
  const addresses = recordsAt(subset, "addresses");
  const notReady = recordsAt(subset, "notReadyAddresses");
  const errs: FieldError[] = [];
  if (addresses.length === 0 && notReady.length === 0) errs.push(required(`${p}`, "must specify `addresses` or `notReadyAddresses`"));
  addresses.forEach((a, i) => errs.push(...validateAddress(a, p.child("addresses").index(i))));
  notReady.forEach((a, i) => errs.push(...validateAddress(a, p.child("notReadyAddresses").index(i))));
  const ports = recordsAt(subset, "ports");
  ports.forEach((port, i) => errs.push(...validateEndpointPort(port, ports.length > 1, p.child("ports").index(i))));
  return errs;
}

function validateAddress(address: JsonRecord, p: FieldPath): FieldError[] {
  const ip = stringAt(address, "ip") ?? "";
  const errs = isValidIP(ip).map((msg) => invalid(`${p.child("ip")}`, ip, msg));
  const hostname = stringAt(address, "hostname");
  if (hostname) errs.push(...isDNS1123Label(hostname).map((msg) => invalid(`${p.child("hostname")}`, hostname, msg)));
  return errs;
}

function validateEndpointPort(port: JsonRecord, requireName: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(port, "name") ?? "";
  if (requireName && name === "") errs.push(required(`${p.child("name")}`));
  else if (name !== "") errs.push(...isDNS1123Label(name).map((msg) => invalid(`${p.child("name")}`, name, msg)));
  const number = numberAt(port, "port") ?? 0;
  errs.push(...isValidPortNum(number).map((msg) => invalid(`${p.child("port")}`, number, msg)));
  if (!port.protocol) errs.push(required(`${p.child("protocol")}`));
  else if (!PROTOCOLS.includes(String(port.protocol))) errs.push(notSupported(`${p.child("protocol")}`, port.protocol, PROTOCOLS));
  return errs;
}

/** upstream formatEndpoints: "ip:port" per address and port (bare ips without ports), first three shown. */
export function formatEndpoints(obj: KubeObject): string {
  const subsets = recordsAt(obj, "subsets");
  if (subsets.length === 0) return "<none>";
  const all: string[] = [];
  for (const subset of subsets) {
    const ips = recordsAt(subset, "addresses").map((a) => stringAt(a, "ip") ?? "");
    const ports = recordsAt(subset, "ports");
    if (ports.length === 0) all.push(...ips);
    for (const port of ports) all.push(...ips.map((ip) => joinHostPort(ip, numberAt(port, "port") ?? 0)));
  }
  const shown = all.slice(0, 3).join(",");
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
