// `npm run bench`: runs every benchmark and prints the figures (medians of several runs) as JSON,
// the form the README's table is copied from. `--quick` shrinks the workloads for a smoke run.
import { benchApi } from "./api.js";
import { benchStore } from "./store.js";

const quick = process.argv.includes("--quick");
const results: Record<string, unknown> = {
  machine: { cpus: (await import("node:os")).availableParallelism(), node: process.version },
  store: await benchStore(),
  api: await benchApi(quick ? { runs: 1, pods: 2_000, listPods: 5_000 } : {}),
};
console.log(JSON.stringify(results, null, 2));
