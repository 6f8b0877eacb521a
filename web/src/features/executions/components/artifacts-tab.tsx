/** The artifacts of an execution: a tree with sizes, preview of text and images, downloads. */
import type { ArtifactFile, ArtifactTreeNode } from "@assay/shared";
import { useState } from "react";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { formatBytes } from "../../../lib/format.ts";
import { artifactsArchiveUrl, artifactUrl, useArtifacts } from "../api/results.ts";

const previewable = (file: ArtifactFile | undefined) =>
  !!file &&
  (file.contentType.startsWith("image/") ||
    file.contentType.startsWith("text/") ||
    /json|xml|yaml/.test(file.contentType)) &&
  file.size <= 5 * 1024 * 1024;

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
  const url = (path: string) => artifactUrl(org, env, id, path);

  const render = (nodes: ArtifactTreeNode[]) => (
    <ul className="tree">
      {nodes.map((node) => (
        <li key={node.path}>
          {node.type === "dir" ? (
            <details open>
              <summary>
                📁 {node.name} <span className="muted small">{formatBytes(node.size)}</span>
              </summary>
              {render(node.children ?? [])}
            </details>
          ) : (
            <span className="tree-file">
              <button
                type="button"
                className="link-button"
                aria-pressed={selected === node.path}
                onClick={() => setSelected(node.path)}
              >
                {node.name}
              </button>{" "}
              <span className="muted small">{formatBytes(node.size)}</span>{" "}
              <a href={url(node.path)} download={node.name} aria-label={`Download ${node.path}`}>
                Download
              </a>
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
          {files.length} files · {formatBytes(totalBytes)}
        </span>
        <a className="button button-small" href={artifactsArchiveUrl(org, env, id)} download>
          Download all (.tar.gz)
        </a>
      </div>
      {rejected.map((b) => (
        <p key={b.bundleId} className="banner banner-danger">
          A bundle was refused: {b.reason}
        </p>
      ))}
      <div className="artifacts-body">
        <nav aria-label="Artifact files">{render(tree)}</nav>
        <div className="preview" aria-live="polite">
          {!file ? (
            <p className="muted">Choose a file to preview it.</p>
          ) : !previewable(file) ? (
            <p className="muted">
              No preview for {file.contentType} ({formatBytes(file.size)}).{" "}
              <a href={url(file.path)} download>
                Download it
              </a>
              .
            </p>
          ) : file.contentType.startsWith("image/") ? (
            <img src={url(file.path)} alt={file.path} />
          ) : (
            <iframe title={`Preview of ${file.path}`} src={url(file.path)} sandbox="" />
          )}
        </div>
      </div>
    </div>
  );
}
