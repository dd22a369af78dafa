// A stand-in agent for the adoption test: starts one container through a ProcessRuntime, prints
// its id, then dies by SIGKILL without closing anything, as a crashed agent would.
import path from "node:path";
import { createLogger } from "../../../src/log.js";
import { HostNetwork } from "../../../src/node/network/host-network.js";
import { ProcessRuntime } from "../../../src/node/runtime/process/process-runtime.js";

const input = JSON.parse(process.argv[2] ?? "{}") as { stateDir: string; cgroupRoot: string; gate: string };
const runtime = new ProcessRuntime({
  stateDir: input.stateDir,
  cgroupRoot: input.cgroupRoot,
  network: new HostNetwork(),
  images: { resolve: () => undefined },
  log: createLogger("error"),
});
const sandboxId = await runtime.runPodSandbox({
  podUid: "u", podName: "p", podNamespace: "default", attempt: 0, hostname: "h", hostNetwork: false, portMappings: [],
  logDirectory: path.join(path.dirname(input.stateDir), "agent-logs"), labels: {},
});
const containerId = await runtime.createContainer(sandboxId, {
  name: "c", attempt: 0, image: "busybox", args: [], env: [], mounts: [], tty: false, stdin: false, stdinOnce: false,
  command: ["sh", "-c", `while [ ! -f ${input.gate} ]; do sleep 0.05; done; exit 9`],
  resources: { memoryLimitBytes: 64 * 1024 * 1024 }, logPath: "c/0.log", labels: {},
});
await runtime.startContainer(containerId);
process.stdout.write(JSON.stringify({ sandboxId, containerId }), () => process.kill(process.pid, "SIGKILL"));
