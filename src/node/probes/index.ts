// The prober's public surface for the node agent: run one probe (runProbe) or keep every container's
// probes going (ProbeManager), and the event wording both use.
export { runProbe, type ProbeRunner } from "./run-probe.js";
export { ProbeManager, type ContainerRegistration, type ProbeManagerOptions, type ProbeResultChange } from "./manager.js";
export { Killing, ProbeWarning, Unhealthy, killingMessage, type ProbeEvent, type ProbeKind } from "./events.js";
export type { ExecProbeResult, ProbeTarget, RunProbeOptions } from "./target.js";
export type { Probe, ProbedContainer, ProbeOutcome, ProbeResult } from "./probe-spec.js";
