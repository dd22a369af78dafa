// The loopback relay helper: a tiny program the service proxy starts inside a node's network
// namespace (`nsenter --net=…`, through the launcher). It listens on the node's address at each
// given port and hands every connection to the agent through a unix socket (filesystem unix
// sockets cross network namespaces), prefixed with one line naming the port; the agent connects it
// to the same port on the host's loopback. This is how a Service whose endpoint is on the host's
// loopback (the `kubernetes` Service: the API server) is reached from pods. A control connection
// ("control PORT,PORT\n") stays open to the agent; the helper exits when it closes, so it never outlives the
// agent or a change of its ports.
// Usage: node loopback-relay-helper.js LISTEN_IP SOCKET_PATH PORT...
import net from "node:net";

function relay(listenIP: string, socketPath: string, port: number): void {
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    client.pause();
    const agent = net.connect({ path: socketPath, allowHalfOpen: true });
    agent.on("error", () => client.destroy());
    client.on("error", () => agent.destroy());
    agent.on("close", () => client.destroy());
    client.on("close", () => agent.destroy());
    agent.once("connect", () => {
      agent.write(`${port}\n`);
      client.pipe(agent);
      agent.pipe(client);
      client.resume();
    });
  });
  server.on("error", (error) => {
    process.stderr.write(`loopback relay ${listenIP}:${port}: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(port, listenIP);
}

const [listenIP, socketPath, ...ports] = process.argv.slice(2);
if (!listenIP || !socketPath || ports.length === 0) {
  process.stderr.write("usage: loopback-relay-helper LISTEN_IP SOCKET_PATH PORT...\n");
  process.exit(2);
}
const control = net.connect({ path: socketPath }, () => control.write(`control ${ports.join(",")}\n`));
control.on("close", () => process.exit(0));
control.on("error", () => process.exit(0));
for (const port of ports) relay(listenIP, socketPath, Number(port));
