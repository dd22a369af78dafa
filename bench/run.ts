// `npm run bench`: runs every benchmark and prints the figures (medians of several runs) as JSON,
// the form the README's tables are copied from. `--quick` shrinks the workloads for a smoke run;
// `--only store|api|scheduler|reconcile|admission|authorization|agent|services|ingress|netpol|dns` runs one group.
import { availableParallelism } from "node:os";
import { benchAdmission } from "./admission.js";
import { benchAgent } from "./agent.js";
import { benchApi } from "./api.js";
import { benchAuthorization } from "./authorization.js";
import { benchIngress } from "./ingress.js";
import { benchNetpol } from "./netpol.js";
import { benchDns } from "./dns.js";
import { benchReconcile } from "./reconcile.js";
import { benchScheduler } from "./scheduler.js";
import { benchServices } from "./services.js";
import { benchServiceTraffic } from "./service-traffic.js";
import { benchStore } from "./store.js";

const quick = process.argv.includes("--quick");
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const wanted = (group: string) => only === undefined || only === group;

const results: Record<string, unknown> = { machine: { cpus: availableParallelism(), node: process.version } };
if (wanted("store")) results.store = await benchStore();
if (wanted("api")) results.api = await benchApi(quick ? { runs: 1, pods: 2_000, listPods: 5_000 } : {});
if (wanted("scheduler")) results.schedulerInMemory = await benchScheduler();
if (wanted("reconcile")) results.reconcile = await benchReconcile(quick ? { runs: 1, quick: true } : {});
if (wanted("authorization")) results.authorization = await benchAuthorization();
if (wanted("admission")) results.admission = await benchAdmission(quick ? { runs: 1, pods: 500 } : {});
if (wanted("services")) {
  results.services = {
    rules: await benchServices(quick ? { services: 100, changes: 5 } : {}),
    traffic: await benchServiceTraffic(quick ? { runs: 1 } : {}),
  };
}
if (wanted("netpol")) results.networkPolicy = await benchNetpol(quick ? { runs: 1, clusterPods: [1_000] } : {});
if (wanted("agent")) results.agent = await benchAgent(quick ? { runs: 1, pods: 20 } : {});
if (wanted("ingress")) results.ingress = await benchIngress(quick ? { runs: 1, durationMs: 1_000 } : {});
if (wanted("dns")) results.dns = await benchDns(quick ? { runs: 1, seconds: 1 } : {});
console.log(JSON.stringify(results, null, 2));
