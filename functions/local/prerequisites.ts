/**
 * What `npm start` needs besides Node, checked before anything starts: Java 17+ for the
 * embedded DynamoDB Local. A missing or old Java is named with the one command that installs
 * it on this operating system, instead of a spawn error halfway through the start.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const MIN_JAVA_MAJOR = 17;

/** The install command for this machine: by platform, and on Linux by /etc/os-release's ID(_LIKE). */
export function javaInstallCommand(platform: NodeJS.Platform, osRelease: string): string {
  if (platform === "darwin") return "brew install openjdk@17";
  if (platform === "win32") return "winget install Microsoft.OpenJDK.17";
  const ids = /^ID(?:_LIKE)?="?([^"\n]+)"?/gm;
  const family = [...osRelease.matchAll(ids)].flatMap((m) => (m[1] ?? "").split(" "));
  if (family.some((id) => ["debian", "ubuntu"].includes(id)))
    return "sudo apt-get install -y openjdk-17-jre-headless";
  if (family.some((id) => ["fedora", "rhel", "centos"].includes(id)))
    return "sudo dnf install -y java-17-openjdk-headless";
  if (family.includes("alpine")) return "sudo apk add openjdk17-jre-headless";
  if (family.includes("arch")) return "sudo pacman -S jre17-openjdk-headless";
  if (family.some((id) => id.startsWith("opensuse") || id === "suse"))
    return "sudo zypper install java-17-openjdk-headless";
  return "install a Java 17+ runtime (e.g. sudo apt-get install -y openjdk-17-jre-headless)";
}

/** The major version `java -version` reports ("17.0.9", "1.8.0_392" -> 8), or undefined. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 ? Number(m[2]) : first;
}

/** Undefined when Java 17+ answers on PATH; otherwise the message to print before exiting. */
export function checkJava(javaCommand = "java"): string | undefined {
  const run = spawnSync(javaCommand, ["-version"], { encoding: "utf8", timeout: 20_000 });
  const major = run.error ? undefined : parseJavaMajor(`${run.stderr}${run.stdout}`);
  if (major !== undefined && major >= MIN_JAVA_MAJOR) return undefined;
  let osRelease = "";
  try {
    osRelease = readFileSync("/etc/os-release", "utf8");
  } catch {
    // Not Linux, or no os-release: the platform decides alone.
  }
  const found = run.error ? "no `java` on PATH" : `java ${major ?? "of an unknown version"} on PATH`;
  return [
    `Assay needs Java ${MIN_JAVA_MAJOR} or newer for the embedded DynamoDB Local, and found ${found}.`,
    "Install it with:",
    `  ${javaInstallCommand(process.platform, osRelease)}`,
    "then run `npm start` again.",
  ].join("\n");
}
