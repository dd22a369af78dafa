// A pod's /etc/resolv.conf and /etc/hosts: written into the sandbox's directory when the sandbox is
// made (the resolv.conf from SandboxConfig.dns, as a CRI runtime writes it; the hosts file as the
// kubelet's managed one: localhost, the pod's IP with its FQDN and hostname, then hostAliases),
// and bind-mounted over the host's files in each container's private mount namespace (root only;
// without root the files are only written, and containers see the host's).
import fs from "node:fs";
import path from "node:path";
import { renderResolvConf } from "../../../dns/resolv-conf.js";
import type { Mount, SandboxConfig } from "../runtime.js";

export interface PodFiles {
  resolvConfPath?: string;
  hostsPath?: string;
}

export function writePodFiles(dir: string, config: SandboxConfig, ips: string[]): PodFiles {
  const files: PodFiles = {};
  if (config.dns) {
    files.resolvConfPath = path.join(dir, "resolv.conf");
    fs.writeFileSync(files.resolvConfPath, renderResolvConf(config.dns), { mode: 0o644 });
  }
  // A hostNetwork pod sees the host's own hosts file, as upstream's kubelet gives it a copy of.
  if (!config.hostNetwork) {
    files.hostsPath = path.join(dir, "hosts");
    fs.writeFileSync(files.hostsPath, hostsFile(config, ips), { mode: 0o644 });
  }
  return files;
}

export function podFileMounts(files: PodFiles): Mount[] {
  const mounts: Mount[] = [];
  if (files.hostsPath) mounts.push({ hostPath: files.hostsPath, containerPath: "/etc/hosts", readOnly: false });
  if (files.resolvConfPath) mounts.push({ hostPath: files.resolvConfPath, containerPath: "/etc/resolv.conf", readOnly: false });
  return mounts;
}

function hostsFile(config: SandboxConfig, ips: string[]): string {
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
  ];
  const names = [config.hosts?.fqdn, config.hostname].filter((n): n is string => !!n).join("\t");
  for (const ip of ips) lines.push(`${ip}\t${names}`);
  const aliases = config.hosts?.aliases ?? [];
  if (aliases.length > 0) lines.push("", "# Entries added by HostAliases.", ...aliases.map((a) => `${a.ip}\t${a.hostnames.join("\t")}`));
  return lines.join("\n") + "\n";
}
