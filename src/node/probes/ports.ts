// Resolves a probe's port (a number or the name of one of the container's ports) as upstream's
// probe.ResolveContainerPort does: a name not found is tried as a number written as a string, and
// anything outside 1..65535 is an error (the probe then ends "unknown").
import { goQuote } from "../../api/validation/go-quote.js";
import type { IntOrString, ProbedContainer } from "./probe-spec.js";

export class PortError extends Error {}

export function resolveContainerPort(port: IntOrString, container: ProbedContainer): number {
  let value: number;
  if (typeof port === "number") {
    value = port;
  } else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) {
      value = named.containerPort;
    } else if (/^[+-]?\d+$/.test(port)) {
      value = Number(port);
    } else {
      throw new PortError(`strconv.Atoi: parsing ${goQuote(port)}: invalid syntax`);
    }
  }
  if (Number.isInteger(value) && value > 0 && value < 65536) return value;
  throw new PortError(`invalid port number: ${value}`);
}

/** net.JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
