// Value formats the kinds check beyond names (upstream k8s.io/apimachinery/pkg/util/validation at
// v1.32): port numbers and names, ConfigMap/Secret keys, environment variable names, IP addresses,
// CIDRs and percentages. Each returns upstream's messages; an empty list means valid.
import { isIP } from "node:net";
import { maxLenError, regexError, utf8Length } from "../validation/names.js";

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function isInRange(value: number, min: number, max: number): string[] {
  return value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

/** An IANA_SVC_NAME: at most 15 characters, a-z 0-9 and single inner hyphens, at least one letter. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.length > 0 && (port.startsWith("-") || port.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

function chdirPrefixErrors(value: string): string[] {
  if (value === ".") return ["must not be '.'"];
  if (value === "..") return ["must not be '..'"];
  if (value.startsWith("..")) return ["must not start with '..'"];
  return [];
}

const CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${CONFIG_MAP_KEY_FMT}$`).test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
  }
  return [...errs, ...chdirPrefixErrors(value)];
}

const ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*";

export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${ENV_VAR_NAME_FMT}$`).test(value)) {
    errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
  }
  return [...errs, ...chdirPrefixErrors(value)];
}

/** upstream IsValidIP's message for a value that is not an IP address. */
export function isValidIP(value: string): string[] {
  return isIP(value) === 0 ? ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"] : [];
}

export function isValidCIDR(value: string): string[] {
  const [address, bits, extra] = value.split("/");
  const family = isIP(address ?? "");
  const max = family === 4 ? 32 : 128;
  const prefix = Number(bits);
  const ok = family !== 0 && extra === undefined && bits !== undefined && /^\d+$/.test(bits) && prefix <= max;
  return ok ? [] : ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"];
}

const PERCENT_FMT = "[0-9]+%";

export function isValidPercent(value: string): string[] {
  return new RegExp(`^${PERCENT_FMT}$`).test(value) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, "1%", "93%")];
}

/**
 * The decoded size of a base64 value ([]byte fields such as Secret data), or Go's decode error for
 * it (upstream fails while decoding: "illegal base64 data at input byte N").
 */
export function base64DecodedLength(value: string): number | string {
  const bad = value.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  const padding = value.indexOf("=");
  if (padding >= 0 && !/^=+$/.test(value.slice(padding))) return `illegal base64 data at input byte ${padding}`;
  if (value.length % 4 !== 0) return `illegal base64 data at input byte ${value.length - (value.length % 4 || 4)}`;
  return Buffer.from(value, "base64").length;
}
