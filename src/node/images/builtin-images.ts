// The images every kubelite node can run without an image map, kept in this one list:
//
//   kubelite/echo-server   an HTTP echo server (echo-server.ts): /healthz, /metrics, latency and
//                          failure switches; for demos, probes, services and autoscaling.
//   kubelite/pause         sleeps until SIGTERM (pause.ts); also answers for registry.k8s.io/pause.
//   busybox, alpine        a shell. These images are useful only with a command from the pod
//                          (`kubectl run x --image=busybox -- sleep 3600`); without one they run `sh`.
//
// Every entry matches any tag or digest of its repository. As in an image config, `command` is the
// ENTRYPOINT and `args` the CMD: a pod's command replaces both, a pod's args replace only `args`.
// The scripts run with the node's own Node.js (process.execPath) from the compiled dist/ tree.
import { fileURLToPath } from "node:url";
import type { ImageMapEntry } from "./image-map-file.js";

const script = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

export function builtinImages(): ImageMapEntry[] {
  const echoServer = { command: [process.execPath, script("echo-server")], args: [], env: [] };
  const pause = { command: [process.execPath, script("pause")], args: [], env: [] };
  const shell = { command: [], args: ["sh"], env: [] };
  return [
    { reference: "kubelite/echo-server", image: echoServer },
    { reference: "kubelite/pause", image: pause },
    { reference: "registry.k8s.io/pause", image: pause },
    { reference: "busybox", image: shell },
    { reference: "alpine", image: shell },
  ];
}
