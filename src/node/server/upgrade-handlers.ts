// The upgraded paths of the node's streaming server: exec and attach over a WebSocket channel
// protocol (v5/v4), and port-forward over SPDY/3.1, either tunnelled in a WebSocket
// ("SPDY/3.1+portforward.k8s.io", what kubectl 1.32 tries first) or as a plain HTTP upgrade
// (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: portforward.k8s.io`).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream } from "ws";
import { CHANNEL_PROTOCOLS } from "../streaming/channel-protocol.js";
import { bridgeExecToWebSocket } from "../streaming/exec-websocket.js";
import { PORT_FORWARD_PROTOCOL, servePortForward } from "../streaming/portforward.js";
import { acceptWebSocket, chooseProtocol, isWebSocketUpgrade } from "../streaming/websocket-upgrade.js";
import type { ExecOptions } from "../runtime/runtime.js";
import type { Logger } from "../../log.js";
import { queryFlag } from "./routes.js";
import { containerNotRunning, PodStreamError, type PodStreamsSource } from "./streams-source.js";

export const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

export interface Upgrade {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  query: URLSearchParams;
}

export async function serveExecOrAttach(
  source: PodStreamsSource,
  kind: "exec" | "attach",
  target: { namespace: string; pod: string; container: string },
  upgrade: Upgrade,
): Promise<void> {
  if (!isWebSocketUpgrade(upgrade.req)) throw new PodStreamError(400, "BadRequest", `${kind} needs a WebSocket upgrade with one of the subprotocols ${CHANNEL_PROTOCOLS.join(", ")}`);
  const protocol = chooseProtocol(upgrade.req, CHANNEL_PROTOCOLS);
  if (!protocol) throw new PodStreamError(400, "BadRequest", `none of the requested subprotocols is supported; supported: ${CHANNEL_PROTOCOLS.join(", ")}`);
  const options = execOptions(upgrade.query, kind);
  const container = await source.resolveContainer(target.namespace, target.pod, target.container, { previous: false });
  if (!container.running) throw containerNotRunning(target.pod, target.container);
  const ws = await acceptWebSocket(upgrade.req, upgrade.socket, upgrade.head, protocol);
  await bridgeExecToWebSocket(ws, {
    protocol,
    command: options.command,
    killOnDisconnect: kind === "exec",
    start: () => (kind === "exec" ? source.runtime.exec(container.containerId, options) : source.runtime.attach(container.containerId, options)),
  });
}

function execOptions(query: URLSearchParams, kind: "exec" | "attach"): ExecOptions {
  const options: ExecOptions = {
    command: query.getAll("command"),
    stdin: queryFlag(query, "stdin") || queryFlag(query, "input"),
    stdout: queryFlag(query, "stdout") || queryFlag(query, "output"),
    stderr: queryFlag(query, "stderr") || queryFlag(query, "error"),
    tty: queryFlag(query, "tty"),
  };
  // The kubelet's own checks (remotecommand's createStreams), in its words.
  if (kind === "exec" && options.command.length === 0) throw new PodStreamError(400, "BadRequest", "you must specify at least one command for the container");
  if (!options.stdin && !options.stdout && !options.stderr) throw new PodStreamError(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr");
  if (options.tty) options.stderr = false;
  return options;
}

export async function servePortForwardUpgrade(
  source: PodStreamsSource,
  target: { namespace: string; pod: string },
  upgrade: Upgrade,
  log: Logger | undefined,
): Promise<void> {
  const pod = `${target.namespace}/${target.pod}`;
  const onError = (err: Error) => log?.debug("port-forward session failed", { error: err.message, pod });
  const { req, socket, head } = upgrade;
  const sandbox = await source.resolveSandbox(target.namespace, target.pod);
  const forwardTarget = {
    describe: sandbox.podUid ? `${target.pod}, uid ${sandbox.podUid}` : target.pod,
    connect: (port: number) => source.runtime.portForward(sandbox.sandboxId, port),
  };
  if (isWebSocketUpgrade(req)) {
    const protocol = chooseProtocol(req, [SPDY_TUNNEL_PROTOCOL]);
    if (!protocol) throw new PodStreamError(400, "BadRequest", `port-forward over WebSocket needs the subprotocol ${SPDY_TUNNEL_PROTOCOL}`);
    const ws = await acceptWebSocket(req, socket, head, protocol);
    const tunnel = createWebSocketStream(ws);
    tunnel.on("error", () => undefined);
    servePortForward(tunnel, forwardTarget, { onError });
    log?.debug("port-forward session", { transport: "websocket", pod });
    return;
  }
  if ((req.headers.upgrade ?? "").toLowerCase() !== "spdy/3.1") throw new PodStreamError(400, "BadRequest", "port-forward needs an upgrade to SPDY/3.1 or a WebSocket");
  const offered = String(req.headers["x-stream-protocol-version"] ?? "").split(",").map((p) => p.trim());
  if (!offered.includes(PORT_FORWARD_PROTOCOL)) throw new PodStreamError(400, "BadRequest", `unable to upgrade: the client offers ${JSON.stringify(offered.join(","))}; supported: ${PORT_FORWARD_PROTOCOL}`);
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" +
      `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
  );
  if (head.length > 0) socket.unshift(head);
  servePortForward(socket, forwardTarget, { onError });
  log?.debug("port-forward session", { transport: "spdy", pod });
}
