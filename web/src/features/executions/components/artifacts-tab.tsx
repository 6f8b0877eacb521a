/**
 * The artifacts of an execution: a tree with sizes, preview of text and images, download one or
 * all. Signed in with a session cookie the browser fetches files itself through the API's
 * redirect; signed in with an API token they are read through the API (api/results.ts).
 */
import type { ArtifactFile, ArtifactTreeNode } from "@assay/shared";
import { useEffect, useState } from "react";
import { errorMessage } from "../../../api/errors.ts";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { Button, ButtonAnchor } from "../../../components/ui/button.tsx";
import { formatBytes } from "../../../lib/format.ts";
import {
  artifactsArchiveUrl,
  artifactUrl,
  bytesToRead,
  downloadArchive,
  downloadArtifact,
  READ_LIMIT,
  readsThroughApi,
  useArtifactBlob,
  useArtifacts,
  useObjectUrl,
} from "../api/results.ts";

const PREVIEW_LIMIT = 5 * 1024 * 1024;

const isImage = (file: ArtifactFile) => file.contentType.startsWith("image/");
const isText = (file: ArtifactFile) =>
  file.contentType.startsWith("text/") || /json|xml|yaml|javascript/.test(file.contentType);
const canPreview = (file: ArtifactFile): boolean =>
  (isImage(file) || isText(file)) && file.size <= PREVIEW_LIMIT;

export function ArtifactsTab({
  org,
  env,
  id,
  finished,
}: {
  org: string;
  env: string;
  id: string;
  finished: boolean;
}) {
  const listing = useArtifacts(org, env, id, finished);
  const [selected, setSelected] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [downloadError, setDownloadError] = useState<string>();
  if (listing.isPending) return <Loading label="Loading artifacts" />;
  if (listing.isError) return <ErrorState error={listing.error} title="Could not load artifacts" />;
  const { files, tree, totalBytes, bundles } = listing.data;
  const rejected = bundles.filter((b) => b.status === "rejected");
  if (files.length === 0 && rejected.length === 0)
    return (
      <EmptyState title={finished ? "No artifacts" : "No artifacts yet"}>
        Files a step lists under artifacts.paths appear here.
      </EmptyState>
    );
  const file = files.find((f) => f.path === selected);
  const viaApi = readsThroughApi();
  const byPath = new Map(files.map((f) => [f.path, f]));

  const run = (key: string, action: () => Promise<void>) => {
    setBusy(key);
    setDownloadError(undefined);
    action().then(
      () => setBusy(undefined),
      (error) => {
        setBusy(undefined);
        setDownloadError(errorMessage(error));
      },
    );
  };

  const downloadLink = (node: { path: string; name: string }, label: string) => {
    const target = byPath.get(node.path);
    if (target && bytesToRead(files, target) <= READ_LIMIT)
      return (
        <button
          type="button"
          className="link-button"
          aria-label={`Download ${node.path}`}
          disabled={busy === node.path}
          onClick={() => run(node.path, () => downloadArtifact(org, env, id, target))}
        >
          {busy === node.path ? "Downloading…" : label}
        </button>
      );
    // Too far into the archive to read through the API: the browser follows the redirect.
    return viaApi ? (
      <span className="muted small">
        too large to read here: <code>assay artifacts download</code>
      </span>
    ) : (
      <a
        href={artifactUrl(org, env, id, node.path)}
        target="_blank"
        rel="noopener noreferrer"
        aria-label={`Open ${node.path} in a new tab`}
      >
        Open
      </a>
    );
  };

  const render = (nodes: ArtifactTreeNode[]) => (
    <ul className="tree">
      {nodes.map((node) => (
        <li key={node.path}>
          {node.type === "dir" ? (
            <details open>
              <summary>
                <span aria-hidden="true">📁 </span>
                {node.name} <span className="muted small">{formatBytes(node.size)}</span>
              </summary>
              {render(node.children ?? [])}
            </details>
          ) : (
            <span className="tree-file">
              <button
                type="button"
                className="link-button tree-name"
                aria-pressed={selected === node.path}
                aria-label={`Preview ${node.path}`}
                onClick={() => setSelected(node.path)}
              >
                {node.name}
              </button>
              <span className="muted small">{formatBytes(node.size)}</span>
              {downloadLink(node, "Download")}
            </span>
          )}
        </li>
      ))}
    </ul>
  );

  return (
    <div className="artifacts">
      <div className="artifacts-head">
        <span>
          {files.length} file{files.length === 1 ? "" : "s"} · {formatBytes(totalBytes)}
        </span>
        {viaApi ? (
          <Button
            size="small"
            disabled={busy === "*"}
            onClick={() => run("*", () => downloadArchive(org, env, id))}
          >
            {busy === "*" ? "Downloading…" : "Download all (.tar.gz)"}
          </Button>
        ) : (
          <ButtonAnchor size="small" href={artifactsArchiveUrl(org, env, id)} download>
            Download all (.tar.gz)
          </ButtonAnchor>
        )}
      </div>
      {downloadError ? (
        <p className="banner banner-danger" role="alert">
          Download failed: {downloadError}
        </p>
      ) : null}
      {rejected.map((b) => (
        <p key={b.bundleId} className="banner banner-danger">
          A bundle was refused: {b.reason}
        </p>
      ))}
      <div className="artifacts-body">
        <nav aria-label="Artifact files">{render(tree)}</nav>
        <section className="preview" aria-live="polite" aria-label="Preview">
          {!file ? (
            <p className="muted">Choose a file to preview it.</p>
          ) : !canPreview(file) || (viaApi && bytesToRead(files, file) > READ_LIMIT) ? (
            <p className="muted">
              No preview for {file.contentType} ({formatBytes(file.size)}).{" "}
              {downloadLink(
                { path: file.path, name: file.path.split("/").at(-1) ?? file.path },
                "Download it",
              )}
            </p>
          ) : viaApi ? (
            <ApiPreview org={org} env={env} id={id} file={file} />
          ) : isImage(file) ? (
            <img src={artifactUrl(org, env, id, file.path)} alt={file.path} />
          ) : (
            // As text from the API: XML rendered by the browser would show only its text nodes.
            <iframe
              title={`Preview of ${file.path}`}
              src={`${artifactUrl(org, env, id, file.path)}?preview=text`}
              sandbox=""
            />
          )}
        </section>
      </div>
    </div>
  );
}

/** A preview from bytes read through the API (token sign-in): an image, or the text itself. */
function ApiPreview({ org, env, id, file }: { org: string; env: string; id: string; file: ArtifactFile }) {
  const blob = useArtifactBlob(org, env, id, file);
  const url = useObjectUrl(isImage(file) ? blob.data : undefined);
  const [content, setContent] = useState<string>();
  useEffect(() => {
    setContent(undefined);
    if (!blob.data || isImage(file)) return;
    let live = true;
    void blob.data.text().then((t) => live && setContent(t));
    return () => {
      live = false;
    };
  }, [blob.data, file]);
  if (blob.isError) return <ErrorState error={blob.error} title={`Could not read ${file.path}`} />;
  if (isImage(file))
    return url ? <img src={url} alt={file.path} /> : <Loading label={`Loading ${file.path}`} />;
  if (content === undefined) return <Loading label={`Loading ${file.path}`} />;
  return (
    <figure className="preview-figure">
      <figcaption className="visually-hidden">Preview of {file.path}</figcaption>
      <pre className="preview-text">{content}</pre>
    </figure>
  );
}
