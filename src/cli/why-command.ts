// `kubelite why`: explains in plain words why something is not as wanted (DESIGN.md §3), asking
// the API server with the kubeconfig as kubectl would.
//   kubelite why traffic --from pod/a --to svc/b:8080 [-n NS]   allowed or blocked, and by what
//   kubelite why pod/NAME [-n NS]                               why a pod is pending or crashing
//   kubelite why pvc/NAME [-n NS]                               why a claim is not Bound
import { Command, Option } from "commander";

interface WhyFlags {
  from?: string;
  to?: string;
  namespace: string;
  protocol: string;
  kubeconfig?: string;
  context?: string;
}

export function registerWhyCommand(program: Command): Command {
  const command = program
    .command("why")
    .description("Explain why traffic is blocked or allowed (`why traffic --from pod/a --to svc/b:8080`), why a pod is not running (`why pod/NAME`), or why a claim is not Bound (`why pvc/NAME`).")
    .argument("<what>", "`traffic`, pod/NAME or pvc/NAME")
    .option("--from <ref>", "traffic source: pod/NAME, NAMESPACE/pod/NAME or an IP address")
    .option("--to <ref>", "traffic destination with its port: svc/NAME:PORT, pod/NAME:PORT or IP:PORT")
    .option("-n, --namespace <ns>", "namespace of references without one", "default")
    .addOption(new Option("--protocol <protocol>", "protocol of the traffic").choices(["TCP", "UDP", "SCTP"]).default("TCP"))
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG or ./.kubelite/kubeconfig.yaml)")
    .option("--context <name>", "kubeconfig context to use");
  return command.action(async (what: string, flags: WhyFlags) => {
    if (what === "traffic" && (!flags.from || !flags.to)) command.error("error: `why traffic` needs --from and --to");
    const claim = /^(pvc|persistentvolumeclaims?)\/./.test(what);
    if (what !== "traffic" && !claim && !/^(pod|pods|po)\/./.test(what)) command.error(`error: cannot explain ${what}: use \`traffic\`, pod/NAME or pvc/NAME`);
    const [{ readKubeconfig, KubeconfigError }, { HttpClient }, { explainTraffic, TargetError }, { explainPod }, { explainClaim }] = await Promise.all([
      import("../auth/kubeconfig-reader.js"),
      import("../client/http.js"),
      import("./why/traffic.js"),
      import("./why/pod.js"),
      import("./why/claim.js"),
    ]);
    const config = await readKubeconfig(flags.kubeconfig, flags.context).catch((err: unknown) => {
      if (err instanceof KubeconfigError) command.error(`error: ${err.message}`);
      throw err;
    });
    const client = new HttpClient({ ...config, userAgent: "kubelite-why" });
    try {
      const name = what.slice(what.indexOf("/") + 1);
      const lines =
        what === "traffic"
          ? await explainTraffic(client, { from: flags.from!, to: flags.to!, namespace: flags.namespace, protocol: flags.protocol })
          : claim
            ? await explainClaim(client, name, flags.namespace)
            : await explainPod(client, name, flags.namespace);
      process.stdout.write(lines.join("\n") + "\n");
    } catch (err) {
      if (err instanceof TargetError) command.error(`error: ${err.message}`);
      throw err;
    } finally {
      client.close();
    }
  });
}
