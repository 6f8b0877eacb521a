/**
 * `assay artifacts ID` (the files, with sizes) and `assay artifacts download ID [--dir D]
 * [--mask GLOB]`. Downloads fetch each file from its short-lived presigned URL (the API only
 * redirects), check its SHA-256 against the index, and never write outside `--dir`.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, matchesGlob, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { resolveExecutionId } from "../execution-ref.ts";
import { table } from "../format.ts";
import { CliError, type CliIo, unwrap } from "../io.ts";
import { listOf } from "../output.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

const human = (bytes: number): string => {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
};

export const registerArtifactCommands = (program: Command, io: CliIo): void => {
  const artifacts = program
    .command("artifacts")
    .description("list or download an execution's artifacts")
    .argument("[id]", "execution id, the dashboard's short id, or WORKFLOW#NUMBER (lists its artifacts)");
  withApi(artifacts, io, async ({ client, structured, emit, args }) => {
    if (args[0] === undefined) throw new CliError("an execution id is required (assay artifacts ID)");
    const id = await resolveExecutionId(client, args[0]);
    const listing = unwrap(await client.listArtifacts(id), `execution ${id}`);
    if (structured) return emit(listing);
    for (const bundle of listing.bundles) {
      if (bundle.status === "rejected")
        io.stderr.write(`bundle ${bundle.bundleId} refused: ${bundle.reason}\n`);
    }
    if (listing.files.length === 0) return void io.stdout.write("no artifacts\n");
    io.stdout.write(
      table(
        ["PATH", "SIZE", "TYPE"],
        listing.files.map((f) => [f.path, human(f.size), f.contentType]),
      ),
    );
    io.stdout.write(`${listing.files.length} files, ${human(listing.totalBytes)}\n`);
  });

  withApi(
    artifacts
      .command("download")
      .description("download artifacts into a directory")
      .argument("<id>")
      .option("--dir <dir>", "where to write them", ".")
      .option("--mask <glob>", "only paths matching this glob (e.g. 'reports/**/*.xml')"),
    io,
    async ({
      client,
      options,
      args,
      structured,
      emit,
    }: ApiCommandContext<{ dir: string; mask?: string }>) => {
      const id = await resolveExecutionId(client, args[0] as string);
      const root = resolve(options.dir);
      const listing = unwrap(await client.listArtifacts(id), `execution ${id}`);
      const files = listing.files.filter((f) => !options.mask || matchesGlob(f.path, options.mask));
      for (const file of files) {
        const target = resolve(root, file.path);
        if (!target.startsWith(`${root}${sep}`))
          throw new CliError(`refusing to write ${file.path} outside ${root}`);
        const url = unwrap(await client.artifactUrl(id, file.path), `artifact ${file.path}`);
        const response = await fetch(url);
        if (!response.ok || !response.body)
          throw new CliError(`download of ${file.path} failed: ${response.status}`);
        await mkdir(dirname(target), { recursive: true });
        const hash = createHash("sha256");
        const partial = `${target}.part`;
        await pipeline(
          Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              hash.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(partial),
        );
        if (hash.digest("hex") !== file.sha256) {
          await rm(partial, { force: true });
          throw new CliError(`${file.path}: checksum mismatch`);
        }
        await rename(partial, target);
        if (!structured) io.stdout.write(`${file.path} (${human(file.size)})\n`);
      }
      if (structured)
        emit({ dir: root, ...listOf(files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }))) });
      io.stderr.write(`${files.length} file(s) downloaded to ${root}\n`);
    },
  );
};
