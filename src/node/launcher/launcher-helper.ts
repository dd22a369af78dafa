// The launcher helper: a small process HelperLauncher forks once, which then forks for it. It
// loads nothing but Node built-ins and the ChildRunner, so its resident memory (and with it the
// cost of each fork) stays small. It leaves when its parent goes away (the IPC channel closes),
// killing runs in progress but never the detached processes it started: those belong to their
// own sessions. A terminal's Ctrl-C is the parent's to handle, so SIGINT is ignored here.
import { ChildRunner } from "./child-runner.js";
import type { Reply, Request } from "./protocol.js";

function serve(): void {
  const runner = new ChildRunner();
  const send = (reply: Reply) => {
    if (process.connected) process.send?.(reply, undefined, undefined, () => {});
  };
  const fail = (id: number, error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    send({ id, op: "error", message: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) });
  };
  process.on("message", (request: Request) => {
    const { id } = request;
    if (request.op === "run") {
      runner.run(request.file, request.args, request.options).then((result) => send({ id, op: "result", result }), (error: unknown) => fail(id, error));
      return;
    }
    runner.spawnDetached(request.file, request.args, request.options).then(
      ({ pid, exited }) => {
        send({ id, op: "spawned", pid });
        void exited.then(({ code, signal }) => send({ id, op: "exited", code, signal }));
      },
      (error: unknown) => fail(id, error),
    );
  });
  process.on("disconnect", () => {
    runner.killRunning();
    process.exit(0);
  });
  process.on("SIGINT", () => {});
}

if (!process.send) {
  process.stderr.write("launcher-helper: must be started by HelperLauncher (with an IPC channel)\n");
  process.exit(2);
}
serve();
