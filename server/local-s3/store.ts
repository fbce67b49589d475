import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { CorsRule } from "./cors.js";
import { errors } from "./errors.js";
import { KeyedLock } from "./lock.js";
import type {
  BucketState,
  CompletedDescription,
  CompletedUpload,
  ObjectMeta,
  PartMeta,
  Segment,
  StoredUpload,
  UploadMeta,
  WritePrecondition,
} from "./records.js";
import { listDir, writeJsonAtomic } from "./store-files.js";
import { CompletedUploads, DEFAULT_COMPLETED_UPLOAD_RETENTION_MS } from "./store-completed.js";
import { ReadGuard } from "./store-readers.js";
import { loadBucket } from "./store-recovery.js";

/** What completing an upload does besides moving its parts into place, supplied by the S3 operation. */
export interface CompletionSteps {
  /** The stored parts the request lists, checked against S3's rules. */
  choose(upload: StoredUpload): PartMeta[];
  describe(parts: PartMeta[], upload: StoredUpload): Promise<CompletedDescription>;
  precondition?: WritePrecondition;
  /** Throws unless a Complete sent again asks for what the earlier, successful one did. */
  replay(done: CompletedUpload): void;
}

const keyFileName = (key: string) => `${createHash("sha256").update(key).digest("hex")}.json`;

/**
 * Buckets, objects and multipart uploads on disk, indexed in memory.
 * Every body lands in tmp/ first and is renamed into place, and metadata is written
 * atomically after it, so a crash never leaves a half object; orphans are swept at open.
 */
export class Store {
  private readonly buckets = new Map<string, BucketState>();
  private readonly uploadLock = new KeyedLock();
  private readonly objectLock = new KeyedLock();
  private readonly reads = new ReadGuard();

  private constructor(
    readonly dataDir: string,
    private readonly completedRetentionMs: number,
  ) {}

  /** `completedRetentionMs`: how long completed uploads are remembered for a Complete sent again. */
  static async open(dataDir: string, completedRetentionMs = DEFAULT_COMPLETED_UPLOAD_RETENTION_MS): Promise<Store> {
    const store = new Store(dataDir, completedRetentionMs);
    await rm(store.tmpDir, { recursive: true, force: true });
    await mkdir(store.tmpDir, { recursive: true });
    await mkdir(join(dataDir, "buckets"), { recursive: true });
    for (const name of await listDir(join(dataDir, "buckets"))) {
      const bucket = await loadBucket(join(dataDir, "buckets", name), completedRetentionMs);
      if (bucket) store.buckets.set(name, bucket);
    }
    return store;
  }

  private get tmpDir(): string {
    return join(this.dataDir, "tmp");
  }

  tmpFile(): string {
    return join(this.tmpDir, randomUUID());
  }

  listBuckets(): BucketState[] {
    return [...this.buckets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  bucket(name: string): BucketState {
    const bucket = this.buckets.get(name);
    if (!bucket) throw errors.noSuchBucket(name);
    return bucket;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  async createBucket(name: string): Promise<BucketState> {
    if (this.buckets.has(name)) throw errors.bucketExists(name);
    const dir = join(this.dataDir, "buckets", name);
    for (const sub of ["objects", "data", "uploads"]) await mkdir(join(dir, sub), { recursive: true });
    const bucket: BucketState = {
      name,
      createdAt: new Date().toISOString(),
      dir,
      objects: new Map(),
      uploads: new Map(),
      completed: await CompletedUploads.load(join(dir, "completed"), this.completedRetentionMs),
    };
    await this.saveBucketInfo(bucket);
    this.buckets.set(name, bucket);
    return bucket;
  }

  private async saveBucketInfo(bucket: BucketState): Promise<void> {
    await writeJsonAtomic(join(bucket.dir, "bucket.json"), {
      name: bucket.name,
      createdAt: bucket.createdAt,
      cors: bucket.cors,
    });
  }

  async deleteBucket(name: string): Promise<void> {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw errors.bucketNotEmpty(name);
    this.buckets.delete(name);
    await rm(bucket.dir, { recursive: true, force: true });
  }

  async setCors(name: string, rules: CorsRule[] | undefined): Promise<void> {
    const bucket = this.bucket(name);
    bucket.cors = rules;
    await this.saveBucketInfo(bucket);
  }

  object(bucketName: string, key: string): ObjectMeta {
    const meta = this.bucket(bucketName).objects.get(key);
    if (!meta) throw errors.noSuchKey(key);
    return meta;
  }

  /**
   * Streams bytes [start, end] of an object. The object's files stay on disk until the stream
   * ends, even if the key is overwritten or deleted meanwhile, as S3 readers expect.
   */
  readObject(bucketName: string, meta: ObjectMeta, start: number, end: number): Readable {
    return this.reads.read(join(this.bucket(bucketName).dir, "data"), meta.segments, start, end);
  }

  /**
   * Moves received files into place as `key` (in order), replacing any previous version. `precondition`
   * sees that version under the key's lock and may throw to refuse the write, leaving the files where they are.
   */
  async putObject(
    bucketName: string,
    files: Array<{ path: string; size: number }>,
    meta: Omit<ObjectMeta, "segments">,
    precondition?: WritePrecondition,
  ): Promise<ObjectMeta> {
    return this.objectLock.run(`${bucketName}/${meta.key}`, async () => {
      const bucket = this.bucket(bucketName);
      precondition?.(bucket.objects.get(meta.key));
      const segments: Segment[] = [];
      for (const { path, size } of files) {
        const file = randomUUID();
        await rename(path, join(bucket.dir, "data", file));
        segments.push({ file, size });
      }
      const stored: ObjectMeta = { ...meta, segments };
      await writeJsonAtomic(join(bucket.dir, "objects", keyFileName(meta.key)), stored);
      const previous = bucket.objects.get(meta.key);
      bucket.objects.set(meta.key, stored);
      if (previous) await this.reads.discard(join(bucket.dir, "data"), previous.segments);
      return stored;
    });
  }

  async deleteObject(bucketName: string, key: string): Promise<void> {
    await this.objectLock.run(`${bucketName}/${key}`, async () => {
      const bucket = this.bucket(bucketName);
      const meta = bucket.objects.get(key);
      if (!meta) return;
      bucket.objects.delete(key);
      await rm(join(bucket.dir, "objects", keyFileName(key)), { force: true });
      await this.reads.discard(join(bucket.dir, "data"), meta.segments);
    });
  }

  async createUpload(bucketName: string, meta: Omit<UploadMeta, "uploadId" | "initiated">): Promise<UploadMeta> {
    const bucket = this.bucket(bucketName);
    // Upload ids are opaque to clients; random bytes make them unguessable like S3's.
    const uploadId = randomUUID().replace(/-/g, "") + randomUUID().replace(/-/g, "");
    const dir = join(bucket.dir, "uploads", uploadId);
    await mkdir(dir, { recursive: true });
    const full: UploadMeta = { ...meta, uploadId, initiated: new Date().toISOString() };
    await writeJsonAtomic(join(dir, "upload.json"), full);
    bucket.uploads.set(uploadId, { meta: full, parts: new Map(), dir });
    return full;
  }

  upload(bucketName: string, key: string, uploadId: string): StoredUpload {
    const upload = this.bucket(bucketName).uploads.get(uploadId);
    if (!upload || upload.meta.key !== key) throw errors.noSuchUpload(uploadId);
    return upload;
  }

  listUploads(bucketName: string): StoredUpload[] {
    return [...this.bucket(bucketName).uploads.values()];
  }

  /** Stores a received part, replacing an earlier upload of the same part number. */
  async putPart(
    bucketName: string,
    key: string,
    uploadId: string,
    tmpFile: string,
    part: Omit<PartMeta, "dataFile">,
  ): Promise<PartMeta> {
    return this.uploadLock.run(uploadId, async () => {
      let upload: StoredUpload;
      try {
        upload = this.upload(bucketName, key, uploadId);
      } catch (error) {
        await rm(tmpFile, { force: true });
        throw error;
      }
      const dataFile = randomUUID();
      await rename(tmpFile, join(upload.dir, dataFile));
      const stored: PartMeta = { ...part, dataFile };
      await writeJsonAtomic(join(upload.dir, `part-${part.partNumber}.json`), stored);
      const previous = upload.parts.get(part.partNumber);
      upload.parts.set(part.partNumber, stored);
      if (previous) await rm(join(upload.dir, previous.dataFile), { force: true });
      return stored;
    });
  }

  /**
   * Turns the chosen parts into one object under the upload's lock, so a racing UploadPart or Abort waits
   * and then finds the upload gone. A Complete sent again after one succeeded gets that one's record, once
   * `steps.replay` has checked that it asks for the same thing.
   */
  async completeUpload(
    bucketName: string,
    key: string,
    uploadId: string,
    steps: CompletionSteps,
  ): Promise<CompletedUpload> {
    return this.uploadLock.run(uploadId, async () => {
      const bucket = this.bucket(bucketName);
      const done = bucket.uploads.has(uploadId) ? undefined : bucket.completed.find(uploadId, key);
      if (done) {
        steps.replay(done);
        return done;
      }
      const upload = this.upload(bucketName, key, uploadId);
      const parts = steps.choose(upload);
      const size = parts.reduce((sum, part) => sum + part.size, 0);
      const described = await steps.describe(parts, upload);
      const {
        uploadId: _id,
        initiated: _at,
        checksumAlgorithm: _alg,
        checksumType: _type,
        key: _key,
        ...headers
      } = upload.meta;
      // Part files become the object's segments: completing is a rename, not a copy.
      const files = parts.map((part) => ({ path: join(upload.dir, part.dataFile), size: part.size }));
      const stored = await this.putObject(
        bucketName,
        files,
        { ...headers, ...described, key, size, lastModified: new Date().toISOString() },
        steps.precondition,
      );
      const record: CompletedUpload = {
        ...described,
        uploadId,
        key,
        completedAt: stored.lastModified,
        parts: parts.map(({ partNumber, etag, checksums }) => ({ partNumber, etag, checksums })),
      };
      await bucket.completed.remember(record);
      bucket.uploads.delete(uploadId);
      await rm(upload.dir, { recursive: true, force: true });
      return record;
    });
  }

  /** Throws NoSuchUpload unless `uploadId` is in progress, or was completed lately (for a Complete sent again). */
  assertCompletable(bucketName: string, key: string, uploadId: string): void {
    if (!this.bucket(bucketName).completed.find(uploadId, key)) this.upload(bucketName, key, uploadId);
  }

  async abortUpload(bucketName: string, key: string, uploadId: string): Promise<void> {
    await this.uploadLock.run(uploadId, async () => {
      const upload = this.upload(bucketName, key, uploadId);
      this.bucket(bucketName).uploads.delete(uploadId);
      await rm(upload.dir, { recursive: true, force: true });
    });
  }

  /** Files waiting in tmp/: tests use it to check that nothing leaks. */
  async tmpFiles(): Promise<string[]> {
    return listDir(this.tmpDir);
  }
}
