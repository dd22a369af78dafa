// Container lifecycle hooks (postStart, preStop) as the kubelet runs them: exec in the container,
// an HTTP GET to the pod, or a sleep. A hook's failure is reported with upstream's event reasons
// (FailedPostStartHook, FailedPreStopHook) by the caller; here a hook either resolves or throws
// an error whose message says what went wrong.
import type { Duplex } from "node:stream";
import type { Runtime } from "./runtime/runtime.js";
import { httpProbe } from "./probes/http-probe.js";
import type { HTTPGetAction, ProbedContainer } from "./probes/probe-spec.js";
import type { ContainerSpec, LifecycleHandler } from "./pod-types.js";

export interface HookTarget {
  runtime: Runtime;
  containerId: string;
  podIP: string;
  spec: ContainerSpec;
  dial(ip: string, port: number): Promise<Duplex>;
  /** Give up after this long (the remaining grace period for preStop). */
  timeoutMs: number;
}

export async function runLifecycleHook(handler: LifecycleHandler, target: HookTarget): Promise<void> {
  if (handler.exec?.command?.length) {
    const result = await target.runtime.execSync(target.containerId, handler.exec.command, target.timeoutMs);
    if (result.timedOut) throw new Error(`command '${handler.exec.command.join(" ")}' timed out`);
    if (result.exitCode !== 0) {
      const output = Buffer.concat([result.stdout, result.stderr]).toString("utf8").trim();
      throw new Error(`command '${handler.exec.command.join(" ")}' exited with ${result.exitCode}: ${output}`);
    }
    return;
  }
  if (handler.httpGet) return httpHook(handler.httpGet, target);
  if (handler.sleep) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(handler.sleep!.seconds * 1000, target.timeoutMs)).unref());
    return;
  }
  if (handler.tcpSocket) throw new Error("tcpSocket is not a valid lifecycle handler");
}

/** An HTTP GET hook through the prober's HTTP client (upstream's handler reuses the probe's request too). */
async function httpHook(action: NonNullable<LifecycleHandler["httpGet"]>, target: HookTarget): Promise<void> {
  const probeTarget = {
    podIP: target.podIP,
    container: target.spec as ProbedContainer,
    dial: target.dial,
    exec: (command: string[], timeoutMs: number) => target.runtime.execSync(target.containerId, command, timeoutMs),
  };
  const outcome = await httpProbe(action as HTTPGetAction, probeTarget, target.timeoutMs);
  if (outcome.result === "success" || outcome.result === "warning") return;
  throw new Error(`HTTP lifecycle hook (${action.path ?? ""}) for Container "${target.spec.name}" failed - error: ${outcome.output}`);
}
