import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { CorsRule } from "./cors.js";
import type { BucketState, ObjectMeta, PartMeta, StoredUpload, UploadMeta } from "./records.js";
import { CompletedUploads } from "./store-completed.js";
import { listDir, readJsonFile } from "./store-files.js";

const PART_RECORD = /^part-\d+\.json$/;

/** The bucket's objects, removing unreadable records and data files no object refers to. */
async function loadObjects(dir: string): Promise<Map<string, ObjectMeta>> {
  const objects = new Map<string, ObjectMeta>();
  const referenced = new Set<string>();
  for (const file of await listDir(join(dir, "objects"))) {
    const meta = file.endsWith(".json") ? await readJsonFile<ObjectMeta>(join(dir, "objects", file)) : undefined;
    if (meta) {
      objects.set(meta.key, meta);
      for (const segment of meta.segments) referenced.add(segment.file);
    } else await rm(join(dir, "objects", file), { force: true });
  }
  for (const file of await listDir(join(dir, "data"))) {
    if (!referenced.has(file)) await rm(join(dir, "data", file), { force: true });
  }
  return objects;
}

/** One upload in progress, removing files none of its parts refers to; undefined (and removed) when unreadable. */
async function loadUpload(uploadDir: string): Promise<StoredUpload | undefined> {
  const meta = await readJsonFile<UploadMeta>(join(uploadDir, "upload.json"));
  if (!meta) {
    await rm(uploadDir, { recursive: true, force: true });
    return undefined;
  }
  const upload: StoredUpload = { meta, parts: new Map(), dir: uploadDir };
  const files = await listDir(uploadDir);
  for (const file of files.filter((f) => PART_RECORD.test(f))) {
    const part = await readJsonFile<PartMeta>(join(uploadDir, file));
    // A part whose bytes are gone was being moved into an object when the process stopped.
    if (part && existsSync(join(uploadDir, part.dataFile))) upload.parts.set(part.partNumber, part);
  }
  const partFiles = new Set([...upload.parts.values()].map((p) => p.dataFile));
  for (const file of files) {
    if (file !== "upload.json" && !PART_RECORD.test(file) && !partFiles.has(file)) {
      await rm(join(uploadDir, file), { force: true });
    }
  }
  return upload;
}

/**
 * Reads a bucket back from its folder at start, sweeping what a crash left behind (half-written records,
 * orphaned data files); undefined when the folder holds no readable bucket.
 */
export async function loadBucket(dir: string, completedRetentionMs: number): Promise<BucketState | undefined> {
  const info = await readJsonFile<{ name: string; createdAt: string; cors?: CorsRule[] }>(join(dir, "bucket.json"));
  if (!info) return undefined;
  const bucket: BucketState = {
    ...info,
    dir,
    objects: await loadObjects(dir),
    uploads: new Map(),
    completed: await CompletedUploads.load(join(dir, "completed"), completedRetentionMs),
  };
  for (const uploadId of await listDir(join(dir, "uploads"))) {
    const upload = await loadUpload(join(dir, "uploads", uploadId));
    if (upload) bucket.uploads.set(uploadId, upload);
  }
  return bucket;
}
