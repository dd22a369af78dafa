// `kubelite certs rotate`: re-issues every leaf certificate in DATA_DIR/tls (the serving certificate
// with the SANs it has, the admin and kubelet-client certificates) from the cluster CA, and rewrites
// DATA_DIR/kubeconfig.yaml with the new admin certificate. A running server picks up its new
// serving certificate by itself; its client certificates take effect on the next start.
import { Command } from "commander";
import { join, resolve } from "node:path";

interface CertsFlags {
  dataDir: string;
}

export function registerCertsCommand(program: Command): Command {
  const certs = program.command("certs").description("Manage the cluster's certificates.");
  certs
    .command("rotate")
    .description("Re-issue the serving and client certificates from the cluster CA (the CA itself is kept).")
    .option("--data-dir <dir>", "the server's data dir", "./.kubelite")
    .action(async (flags: CertsFlags) => {
      const [{ currentServingNames, loadOrCreatePKI }, { readFileIfExists, writeFileAtomic }, yaml] = await Promise.all([
        import("../auth/pki.js"),
        import("../auth/credential-files.js"),
        import("yaml"),
      ]);
      const dataDir = resolve(flags.dataDir);
      const names = currentServingNames(await readFileIfExists(join(dataDir, "tls", "server.crt")));
      let pki;
      try {
        pki = await loadOrCreatePKI({ dataDir, hostnames: names.dnsNames, ips: names.ips, renewAll: true, requireCA: true });
      } catch (err) {
        process.stderr.write(`kubelite certs rotate: ${(err as Error).message}\n`);
        process.exit(1);
      }
      const kubeconfigPath = join(dataDir, "kubeconfig.yaml");
      const kubeconfig = await readFileIfExists(kubeconfigPath);
      if (kubeconfig !== undefined) {
        const config = yaml.parse(kubeconfig) as { users?: { user?: Record<string, string> }[] };
        for (const entry of config.users ?? []) {
          if (!entry.user) continue;
          entry.user["client-certificate-data"] = Buffer.from(pki.admin.certPem).toString("base64");
          entry.user["client-key-data"] = Buffer.from(pki.admin.keyPem).toString("base64");
        }
        await writeFileAtomic(kubeconfigPath, yaml.stringify(config, { lineWidth: 0 }), 0o600);
      }
      const expiry = pki.expiries.find((e) => e.component === "server")?.notAfter.toISOString() ?? "";
      process.stdout.write(`kubelite certs rotate: re-issued ${pki.issued.join(", ")} (valid until ${expiry}); a running server reloads its serving certificate, restart it for the rest\n`);
    });
  return certs;
}
