import { after, before } from "node:test";
import { runBlobStoreContract } from "../../core/contracts/blob-store.contract.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../local/fauxqs.ts";
import { createS3BlobStore } from "./s3-blob-store.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(() => fauxqs?.stop());

// A page size of 2 makes list and delete page with a handful of objects.
runBlobStoreContract("s3 on fauxqs", () =>
  createS3BlobStore({ client: fauxqs.s3Client, bucket: "assay-test", createBucket: true, batchSize: 2 }),
);
