// The parts of core/v1 that probes read (Probe, its handlers, a container's ports), as they arrive
// in pod JSON, and the outcome of one probe run. Defaults are upstream's API defaults.

export type IntOrString = number | string;

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPGetAction {
  path?: string;
  port: IntOrString;
  host?: string;
  scheme?: "HTTP" | "HTTPS" | string;
  httpHeaders?: HTTPHeader[];
}

export interface TCPSocketAction {
  port: IntOrString;
  host?: string;
}

export interface ExecAction {
  command?: string[];
}

export interface GRPCAction {
  port: number;
  service?: string;
}

export interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** The container fields probing needs: its name, named ports and the three probes. */
export interface ProbedContainer {
  name: string;
  ports?: ContainerPort[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

/**
 * Upstream's probe.Result: "warning" is a success that deserves an event (an HTTP redirect to another
 * host, which kubelet does not follow); "unknown" means the probe could not run (an error), and the
 * kubelet retries it and then throws the result away.
 */
export type ProbeResult = "success" | "warning" | "failure" | "unknown";

export interface ProbeOutcome {
  result: ProbeResult;
  /** What upstream would report: the body, the command output, or why it failed. */
  output: string;
}

/** Upstream's output cap (maxRespBodyLength, maxReadLength): 10 KiB. */
export const MAX_OUTPUT_BYTES = 10 * 1024;

/** The kubelet's version in User-Agent headers; kubelite serves the v1.32 API. */
export const PROBE_USER_AGENT = "kube-probe/1.32";

/** Probe timings with the API defaults filled in. */
export interface ProbeTimings {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTimings(probe: Probe): ProbeTimings {
  const positive = (value: number | undefined, fallback: number) => (value !== undefined && value > 0 ? value : fallback);
  return {
    initialDelaySeconds: Math.max(0, probe.initialDelaySeconds ?? 0),
    timeoutSeconds: positive(probe.timeoutSeconds, 1),
    periodSeconds: positive(probe.periodSeconds, 10),
    successThreshold: positive(probe.successThreshold, 1),
    failureThreshold: positive(probe.failureThreshold, 3),
  };
}

/** Go's time.Duration String for whole and fractional seconds as probes use them: "1s", "1.5s", "500ms". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${ms / 1000}s`;
}
