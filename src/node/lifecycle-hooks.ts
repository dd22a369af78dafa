// Container lifecycle hooks (postStart, preStop) as the kubelet runs them: exec in the container,
// an HTTP GET to the pod, or a sleep. A hook's failure is reported with upstream's event reasons
// (FailedPostStartHook, FailedPreStopHook) by the caller; here a hook either resolves or throws
// an error whose message says what went wrong.
import http from "node:http";
import type { Duplex } from "node:stream";
import type { Runtime } from "./runtime/runtime.js";
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

/** A named or numeric container port. */
export function resolvePort(port: number | string, spec: ContainerSpec): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = spec.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in ${spec.name}`);
  return named.containerPort;
}

function httpHook(action: NonNullable<LifecycleHandler["httpGet"]>, target: HookTarget): Promise<void> {
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.spec);
  const path = action.path ?? "/";
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host,
        port,
        path: path.startsWith("/") ? path : `/${path}`,
        method: "GET",
        headers: Object.fromEntries((action.httpHeaders ?? []).map((h) => [h.name, h.value])),
        timeout: target.timeoutMs,
        createConnection: (_options, callback) => {
          target.dial(host, port).then((socket) => callback(null, socket as never), (err: Error) => callback(err, undefined as never));
          return undefined as never;
        },
      },
      (response) => {
        response.resume();
        const code = response.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve();
        else reject(new Error(`HTTP lifecycle hook (${path}) for Container "${target.spec.name}" failed - error: received status code ${code}`));
      },
    );
    request.on("timeout", () => request.destroy(new Error(`HTTP lifecycle hook (${path}) for Container "${target.spec.name}" timed out`)));
    request.on("error", reject);
    request.end();
  });
}
