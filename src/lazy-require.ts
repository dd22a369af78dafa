// CommonJS packages loaded on first use rather than at import: a synchronous require, so code that
// cannot wait (a YAML patch body is decoded synchronously) still gets the package the first time it
// asks. Each costs tens of milliseconds to load, which the server's start-up need not pay for a
// feature no request has used yet (ADR 0021). ES-module-only packages (jose, cel-js) are loaded
// with import() at an async point instead.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The package, required the first time the returned function is called. */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

export const yamlPackage = lazyRequire<typeof import("yaml")>("yaml");
export const protobufPackage = lazyRequire<typeof import("protobufjs")>("protobufjs");
