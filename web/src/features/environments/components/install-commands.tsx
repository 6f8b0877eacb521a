/**
 * The commands that start an agent for the environment (npx, docker, Kubernetes), ready to copy.
 * With a freshly created token they include it; otherwise they show where it goes.
 */
import { useState } from "react";
import type { InstallCommands as Commands } from "../../../api/environments.ts";
import { CopyButton } from "../../../components/copy-button.tsx";
import { Button } from "../../../components/ui/button.tsx";

const KINDS = [
  { key: "npx", label: "npx" },
  { key: "docker", label: "Docker" },
  { key: "kubernetes", label: "Kubernetes" },
] as const;

export function InstallCommands({ commands }: { commands: Commands }) {
  const [kind, setKind] = useState<(typeof KINDS)[number]["key"]>("npx");
  const text = commands[kind];
  return (
    <div className="install">
      <fieldset className="segmented">
        <legend className="visually-hidden">Install with</legend>
        {KINDS.map((k) => (
          <Button key={k.key} size="small" aria-pressed={kind === k.key} onClick={() => setKind(k.key)}>
            {k.label}
          </Button>
        ))}
      </fieldset>
      <div className="command">
        <textarea
          className="command-text"
          readOnly
          value={text}
          rows={Math.min(12, text.split("\n").length)}
          aria-label={`${kind} install command`}
          spellCheck={false}
        />
        <CopyButton value={text} label={`Copy the ${kind} command`} />
      </div>
      {kind === "npx" ? (
        <p className="muted small">Needs Node.js 22 or newer on the agent's machine.</p>
      ) : null}
      {!commands.tokenIncluded ? (
        <p className="muted small">Replace the token placeholder with an agent token of this environment.</p>
      ) : null}
    </div>
  );
}
