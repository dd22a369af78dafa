// The CEL functions Kubernetes adds to the standard library that policies use most
// (k8s.io/apiserver/pkg/cel/library: lists, regex, quantity; cel-go's ext.Strings where missing): registered
// on an Environment so type checking knows them. Quantity values are kubelite's Quantity.
import type { Environment } from "@marcbachmann/cel-js";
import { Quantity, QuantityError } from "../../quantity.js";

type CelList = unknown[];

function compare(a: unknown, b: unknown): number {
  if (a instanceof Quantity && b instanceof Quantity) return a.cmp(b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
}

function parseQuantity(text: string): Quantity {
  try {
    return Quantity.parse(text);
  } catch (err) {
    if (err instanceof QuantityError) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    throw err;
  }
}

export function registerKubernetesLibrary(env: Environment): Environment {
  registerLists(env);
  registerRegex(env);
  registerQuantity(env);
  registerStrings(env);
  return env;
}

function registerLists(env: Environment): void {
  const same = (x: unknown) => (v: unknown) => typeof v === typeof x && compare(v, x) === 0;
  env.registerFunction("list.isSorted(): bool", (list: CelList) => list.every((v, i) => i === 0 || compare(list[i - 1], v) <= 0));
  env.registerFunction("list.sum(): dyn", (list: CelList) => list.reduce((a: unknown, b: unknown) => (typeof a === "bigint" && typeof b === "bigint" ? a + b : Number(a) + Number(b)), 0n));
  env.registerFunction("list.min(): dyn", (list: CelList) => extreme(list, "min", (c) => c <= 0));
  env.registerFunction("list.max(): dyn", (list: CelList) => extreme(list, "max", (c) => c >= 0));
  env.registerFunction("list.indexOf(dyn): int", (list: CelList, x: unknown) => BigInt(list.findIndex(same(x))));
  env.registerFunction("list.lastIndexOf(dyn): int", (list: CelList, x: unknown) => {
    for (let i = list.length - 1; i >= 0; i--) if (same(x)(list[i])) return BigInt(i);
    return -1n;
  });
}

function extreme(list: CelList, name: string, keep: (comparison: number) => boolean): unknown {
  if (list.length === 0) throw new Error(`${name} called on empty list`);
  return list.reduce((a, b) => (keep(compare(a, b)) ? a : b));
}

function registerRegex(env: Environment): void {
  env.registerFunction("string.find(string): string", (s: string, re: string) => new RegExp(re).exec(s)?.[0] ?? "");
  env.registerFunction("string.findAll(string): list<string>", (s: string, re: string) => [...s.matchAll(new RegExp(re, "g"))].map((m) => m[0]));
  env.registerFunction("string.findAll(string, int): list<string>", (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, "g"))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });
}

function registerQuantity(env: Environment): void {
  env.registerType("Quantity", Quantity);
  env.registerFunction("quantity(string): Quantity", parseQuantity);
  env.registerFunction("isQuantity(string): bool", (s: string) => Quantity.check(s) === undefined);
  env.registerFunction("Quantity.compareTo(Quantity): int", (a: Quantity, b: Quantity) => BigInt(a.cmp(b)));
  env.registerFunction("Quantity.isGreaterThan(Quantity): bool", (a: Quantity, b: Quantity) => a.cmp(b) > 0);
  env.registerFunction("Quantity.isLessThan(Quantity): bool", (a: Quantity, b: Quantity) => a.cmp(b) < 0);
  env.registerFunction("Quantity.add(Quantity): Quantity", (a: Quantity, b: Quantity) => a.add(b));
  env.registerFunction("Quantity.add(int): Quantity", (a: Quantity, b: bigint) => a.add(Quantity.fromInt(b)));
  env.registerFunction("Quantity.sub(Quantity): Quantity", (a: Quantity, b: Quantity) => a.sub(b));
  env.registerFunction("Quantity.sub(int): Quantity", (a: Quantity, b: bigint) => a.sub(Quantity.fromInt(b)));
  env.registerFunction("Quantity.sign(): int", (a: Quantity) => BigInt(a.sign()));
  env.registerFunction("Quantity.isInteger(): bool", (a: Quantity) => Number.isInteger(a.toNumber()));
  env.registerFunction("Quantity.asInteger(): int", (a: Quantity) => {
    if (!Number.isInteger(a.toNumber())) throw new Error("cannot convert value to integer");
    return a.scaledValueBig(0);
  });
  env.registerFunction("Quantity.asApproximateFloat(): double", (a: Quantity) => a.toNumber());
  env.registerOperator("Quantity == Quantity", (a: Quantity, b: Quantity) => a.cmp(b) === 0);
}

/** ext.Strings functions the library lacks (it has lowerAscii, upperAscii, trim, split, join). */
function registerStrings(env: Environment): void {
  env.registerFunction("string.replace(string, string): string", (s: string, a: string, b: string) => s.split(a).join(b));
  env.registerFunction("string.replace(string, string, int): string", (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    const parts = s.split(a);
    const head = parts.slice(0, Number(n) + 1).join(b);
    return parts.length > Number(n) + 1 ? `${head}${a}${parts.slice(Number(n) + 1).join(a)}` : head;
  });
}
