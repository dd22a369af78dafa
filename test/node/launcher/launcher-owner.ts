// A stand-in for the agent's process in the helper tests: starts a detached `sleep` through a
// HelperLauncher, prints {helperPid, detachedPid}, then waits to be killed without closing
// anything, as a crashed agent would be.
import { HelperLauncher } from "../../../src/node/launcher/helper-launcher.js";

const launcher = new HelperLauncher();
const detached = await launcher.spawnDetached("sleep", ["30"], { cwd: "/", env: { PATH: "/usr/bin:/bin" } });
process.stdout.write(JSON.stringify({ helperPid: launcher.helperPid, detachedPid: detached.pid }) + "\n");
setInterval(() => {}, 1_000);
