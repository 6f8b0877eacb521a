/** Create an environment: an id (slug, used in URLs and the CLI) and a display name. */
import type { Environment } from "@assay/shared";
import type { FormEvent } from "react";
import { useCreateEnv } from "../../../api/environments.ts";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";

export function CreateEnvForm({ org, onCreated }: { org: string; onCreated?: (env: Environment) => void }) {
  const create = useCreateEnv(org);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    create.mutate(
      { id: String(form.get("id") ?? "").trim(), ...(name ? { name } : {}) },
      { onSuccess: onCreated },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create an environment">
      <label>
        Environment id
        <input
          name="id"
          required
          pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
          maxLength={63}
          placeholder="staging"
          autoCapitalize="none"
          spellCheck={false}
          title="lowercase letters, digits and dashes"
        />
      </label>
      <label>
        Display name
        <input name="name" placeholder="Staging" maxLength={200} />
      </label>
      <Button type="submit" variant="primary" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create environment"}
      </Button>
      <FormError error={create.error} />
    </form>
  );
}
