/** One template: its config parameters and source; edit its YAML or delete it. */
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../../auth/permissions.ts";
import { ConfigParamsTable } from "../../../components/config-params-table.tsx";
import { Labels } from "../../../components/labels.tsx";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button, ButtonLink } from "../../../components/ui/button.tsx";
import { Dialog } from "../../../components/ui/dialog.tsx";
import { configParameters } from "../../../lib/config-params.ts";
import { useDeleteTemplate, useTemplate } from "../api/templates.ts";

export function TemplatePage() {
  const { org, env, name } = useParams({ from: "/orgs/$org/envs/$env/templates/$name" });
  const template = useTemplate(org, env, name);
  const remove = useDeleteTemplate(org, env);
  const can = useCan(org);
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);

  if (template.isPending) return <Loading label="Loading the template" />;
  if (template.isError)
    return (
      <ErrorState
        error={template.error}
        title={`Could not load ${name}`}
        onRetry={() => template.refetch()}
      />
    );
  const t = template.data;
  const params = configParameters(t);
  return (
    <>
      <PageHeader
        title={t.name}
        actions={
          can("edit-workflows") ? (
            <>
              <Button variant="danger" onClick={() => setConfirming(true)}>
                Delete
              </Button>
              <ButtonLink
                variant="primary"
                to="/orgs/$org/envs/$env/templates/$name/edit"
                params={{ org, env, name }}
              >
                Edit YAML
              </ButtonLink>
            </>
          ) : null
        }
      >
        <span className="badge badge-neutral">Template</span>
        {t.description ? <span>{t.description}</span> : null}
        <span className="muted small">
          Version {t.version} · updated <RelativeTime iso={t.updatedAt} />
        </span>
        <Labels labels={t.labels} />
      </PageHeader>
      {params.length > 0 ? (
        <section className="panel" aria-labelledby="tpl-params-title">
          <h2 id="tpl-params-title" className="panel-title">
            Config parameters
          </h2>
          <ConfigParamsTable params={params} label={`Config parameters of ${name}`} />
        </section>
      ) : null}
      <section className="panel" aria-labelledby="tpl-source-title">
        <h2 id="tpl-source-title" className="panel-title">
          Source
        </h2>
        <pre className="source">{t.source}</pre>
      </section>
      <Dialog open={confirming} title={`Delete ${name}?`} onClose={() => setConfirming(false)}>
        <p>Workflows that use this template will fail to run until it exists again.</p>
        <FormError error={remove.error} />
        <div className="form-actions">
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button
            variant="danger"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(name, {
                onSuccess: () =>
                  void navigate({ to: "/orgs/$org/envs/$env/templates", params: { org, env } }),
              })
            }
          >
            Delete template
          </Button>
        </div>
      </Dialog>
    </>
  );
}
