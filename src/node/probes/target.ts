// What a probe needs from the agent to reach a container: its pod's IP, its spec (for named ports),
// a way to open a TCP connection into the pod's network (pods may live in network namespaces the
// agent process cannot route to, so every probe connection goes through `dial`), and a way to run a
// command inside the container (exec probes).
import type { Duplex } from "node:stream";
import type { Clock } from "../../client/clock.js";
import type { ProbedContainer } from "./probe-spec.js";

export interface ExecProbeResult {
  exitCode: number;
  stdout: Buffer | string;
  stderr: Buffer | string;
  timedOut: boolean;
}

export interface ProbeTarget {
  podIP: string;
  container: ProbedContainer;
  /** A TCP connection to host:port as seen from inside the pod's network; rejects when it cannot connect. */
  dial(host: string, port: number): Promise<Duplex>;
  /** Runs a command in the container; kills it after timeoutMs and reports timedOut. */
  exec(command: string[], timeoutMs: number): Promise<ExecProbeResult>;
}

export interface RunProbeOptions {
  /** Timers for probe timeouts; the real clock by default. */
  clock?: Clock;
}
