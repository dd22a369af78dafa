// The tcpSocket probe, as upstream's probe/tcp: success when a connection to host:port (host
// defaults to the pod IP) opens within the timeout, through the target's dial function; the
// connection is closed at once. Failures read like Go's dialer: "dial tcp IP:PORT: connect:
// connection refused", "dial tcp IP:PORT: i/o timeout".
import { realClock, type Clock } from "../../client/clock.js";
import { dialErrorText, errorReason, withTimeout } from "./dial-errors.js";
import { joinHostPort, resolveContainerPort } from "./ports.js";
import type { ProbeOutcome, TCPSocketAction } from "./probe-spec.js";
import type { ProbeTarget } from "./target.js";

class DialTimeout extends Error {}

export async function tcpProbe(action: TCPSocketAction, target: ProbeTarget, timeoutMs: number, clock: Clock = realClock): Promise<ProbeOutcome> {
  let port: number;
  try {
    port = resolveContainerPort(action.port, target.container);
  } catch (err) {
    return { result: "unknown", output: errorReason(err) };
  }
  const host = action.host || target.podIP;
  const dialing = target.dial(host, port);
  try {
    const socket = await withTimeout(clock, dialing, timeoutMs, () => new DialTimeout());
    socket.destroy();
    return { result: "success", output: "" };
  } catch (err) {
    if (err instanceof DialTimeout) {
      // A connection that opens after the deadline is closed, never leaked.
      dialing.then((late) => late.destroy(), () => undefined);
      return { result: "failure", output: `dial tcp ${joinHostPort(host, port)}: i/o timeout` };
    }
    return { result: "failure", output: dialErrorText(err, host, port) };
  }
}
