// One run of a probe against a container, whatever its handler: exec, httpGet, tcpSocket or grpc,
// each bounded by the probe's timeoutSeconds (default 1). This is upstream's prober.runProbe; the
// periodic scheduling, thresholds and events live in the ProbeManager.
import { realClock } from "../../client/clock.js";
import { execProbe } from "./exec-probe.js";
import { grpcProbe } from "./grpc-probe.js";
import { httpProbe } from "./http-probe.js";
import { probeTimings, type Probe, type ProbeOutcome } from "./probe-spec.js";
import type { ProbeTarget, RunProbeOptions } from "./target.js";
import { tcpProbe } from "./tcp-probe.js";

export type ProbeRunner = (probe: Probe, target: ProbeTarget, options?: RunProbeOptions) => Promise<ProbeOutcome>;

export const runProbe: ProbeRunner = async (probe, target, options = {}) => {
  const clock = options.clock ?? realClock;
  const timeoutMs = probeTimings(probe).timeoutSeconds * 1000;
  if (probe.exec) return execProbe(probe.exec, target, timeoutMs, clock);
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs, clock);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket, target, timeoutMs, clock);
  if (probe.grpc) return grpcProbe(probe.grpc, target, timeoutMs, clock);
  return { result: "unknown", output: `missing probe handler for container ${target.container.name}` };
};
