// The kubelite/pause image: does nothing until SIGTERM or SIGINT, then exits 0 (as the pause
// container a pod's sandbox keeps; here mostly a placeholder workload). It says once on stdout that
// it is waiting, which is also how callers know its signal handlers are in place.
const keepAlive = setInterval(() => undefined, 1 << 30);
const exit = () => {
  clearInterval(keepAlive);
  process.exit(0);
};
process.on("SIGTERM", exit);
process.on("SIGINT", exit);
process.stdout.write("pause: waiting for SIGTERM\n");
