import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { PassThrough, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { signaturesEqual, type ChunkSigner } from "./auth.js";
import { S3Error, errors } from "./errors.js";
import { createHasher, headerName, type ChecksumAlgorithm, type Checksums, type Hasher } from "./checksums.js";

const MAX_LINE = 8 * 1024;

/**
 * Decodes an `aws-chunked` body ("<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n"),
 * the framing the AWS SDK uses for streaming uploads with trailing checksums. Given a signer, it also
 * checks every chunk's signature, each chained from the one before, as S3 does for signed streaming.
 */
export class AwsChunkedDecoder extends Transform {
  private state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  private remaining = 0;
  private pending: Buffer = Buffer.alloc(0);
  readonly trailers = new Map<string, string>();
  private previousSignature: string;
  private chunkSignature = "";
  private chunkHash = createHash("sha256");
  private readonly trailerOrder: Array<[string, string]> = [];
  private trailerSignature: string | undefined;

  constructor(private readonly signer?: ChunkSigner) {
    super();
    this.previousSignature = signer?.seed ?? "";
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.decode(chunk).then(() => callback(), callback);
  }

  private async decode(chunk: Buffer): Promise<void> {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, chunk.length - i);
        const data = chunk.subarray(i, i + take);
        if (this.signer) this.chunkHash.update(data);
        this.push(data);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) {
          this.state = "data-end";
          await this.verifyChunk();
        }
        continue;
      }
      const newline = chunk.indexOf(0x0a, i);
      if (newline === -1) {
        this.pending = Buffer.concat([this.pending, chunk.subarray(i)]);
        if (this.pending.length > MAX_LINE) throw this.malformed();
        break;
      }
      const line = Buffer.concat([this.pending, chunk.subarray(i, newline)])
        .toString("latin1")
        .replace(/\r$/, "");
      this.pending = Buffer.alloc(0);
      i = newline + 1;
      await this.handleLine(line);
    }
  }

  private async handleLine(line: string): Promise<void> {
    switch (this.state) {
      case "size": {
        const [sizeText = "", ...extensions] = line.split(";").map((part) => part.trim());
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw this.malformed();
        const signature = extensions.find((e) => e.startsWith("chunk-signature="))?.slice("chunk-signature=".length);
        if (this.signer && !signature) throw errors.signatureMismatch();
        this.chunkSignature = signature ?? "";
        const size = parseInt(sizeText, 16);
        if (size === 0) {
          this.state = "trailer";
          await this.verifyChunk();
        } else {
          this.remaining = size;
          this.state = "data";
        }
        return;
      }
      case "data-end":
        if (line !== "") throw this.malformed();
        this.state = "size";
        return;
      case "trailer": {
        if (line === "") {
          await this.verifyTrailers();
          this.state = "done";
          return;
        }
        const colon = line.indexOf(":");
        if (colon <= 0) throw this.malformed();
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === "x-amz-trailer-signature") this.trailerSignature = value;
        else {
          this.trailers.set(name, value);
          this.trailerOrder.push([name, value]);
        }
        return;
      }
      default:
        throw this.malformed();
    }
  }

  /** In a signed body, trailing headers carry their own signature, chained from the final chunk's. */
  private async verifyTrailers(): Promise<void> {
    if (!this.signer || (this.trailerOrder.length === 0 && this.trailerSignature === undefined)) return;
    if (this.trailerSignature === undefined) throw errors.signatureMismatch();
    const expected = await this.signer.expectedTrailer(this.previousSignature, this.trailerOrder);
    if (!signaturesEqual(this.trailerSignature, expected)) throw errors.signatureMismatch();
  }

  /** Checks the signature of the chunk just read, which the next one chains from. */
  private async verifyChunk(): Promise<void> {
    if (!this.signer) return;
    const sha256Hex = this.chunkHash.digest("hex");
    this.chunkHash = createHash("sha256");
    const expected = await this.signer.expected(this.previousSignature, sha256Hex);
    if (!signaturesEqual(this.chunkSignature, expected)) throw errors.signatureMismatch();
    this.previousSignature = expected;
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === "done" ? undefined : errors.incompleteBody());
  }

  private malformed(): S3Error {
    return errors.invalidRequest("The aws-chunked body is malformed.");
  }
}

/** Feeds every byte that passes through to the given hashers and counts them. */
class Digester extends Transform {
  bytes = 0;
  constructor(
    private readonly hashers: Hasher[],
    private readonly maxBytes: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(errors.entityTooLarge(this.maxBytes));
    for (const hasher of this.hashers) hasher.update(chunk);
    callback(null, chunk);
  }
}

export interface BodyExpectations {
  /** aws-chunked framing: decode it, and take checksums from its trailers. */
  chunked: boolean;
  /** Signed aws-chunked framing: verify each chunk's signature. */
  chunkSigner?: ChunkSigner;
  /** x-amz-decoded-content-length for chunked bodies. */
  decodedLength?: number;
  /** A hex SHA-256 of the payload declared in x-amz-content-sha256, to verify. */
  sha256Hex?: string;
  /** Content-MD5 (base64), to verify. */
  contentMd5?: string;
  /** Checksums declared in headers, to verify. */
  checksums: Checksums;
  /** Algorithm announced in x-amz-trailer, to verify from the trailer. */
  trailerAlgorithm?: ChecksumAlgorithm;
  /** Algorithms to compute even when the client declared none (e.g. the multipart upload's algorithm). */
  compute: ChecksumAlgorithm[];
  maxBytes: number;
}

export interface BodyResult {
  size: number;
  md5Hex: string;
  checksums: Checksums;
}

/** The checksums the client declared: in headers, and in the trailer it announced (which must have come). */
function declaredChecksums(expect: BodyExpectations, decoder: AwsChunkedDecoder | undefined): Checksums {
  const declared: Checksums = { ...expect.checksums };
  if (expect.trailerAlgorithm) {
    const fromTrailer = decoder?.trailers.get(headerName(expect.trailerAlgorithm));
    if (fromTrailer === undefined)
      throw errors.invalidRequest(`The ${headerName(expect.trailerAlgorithm)} trailer was announced but not sent.`);
    declared[expect.trailerAlgorithm] = fromTrailer;
  }
  return declared;
}

/** The computed checksums, base64; one that differs from its declared value is S3's BadDigest. */
async function digestChecksums(hashers: Map<ChecksumAlgorithm, Hasher>, declared: Checksums = {}): Promise<Checksums> {
  const checksums: Checksums = {};
  for (const [algorithm, hasher] of hashers) {
    const value = (await hasher.digest()).toString("base64");
    const wanted = declared[algorithm];
    if (wanted !== undefined && wanted !== value) throw errors.badDigest(algorithm.toLowerCase());
    checksums[algorithm] = value;
  }
  return checksums;
}

/**
 * Streams a request body into `file`, hashing as it goes, then verifies every digest the client declared.
 * Never holds the body in memory; on any failure the file is removed and the S3 error is thrown.
 */
export async function receiveBody(
  request: IncomingMessage,
  taps: Transform[],
  file: string,
  expect: BodyExpectations,
): Promise<BodyResult> {
  const algorithms = new Set<ChecksumAlgorithm>(expect.compute);
  for (const algorithm of Object.keys(expect.checksums) as ChecksumAlgorithm[]) algorithms.add(algorithm);
  if (expect.trailerAlgorithm) algorithms.add(expect.trailerAlgorithm);
  const md5 = createHasher("MD5");
  const checksumHashers = new Map([...algorithms].map((a) => [a, createHasher(a)] as const));
  // The payload hash covers the bytes on the wire, which for chunked bodies is the framing too.
  const wireSha256 = expect.sha256Hex ? createHasher("SHA256") : undefined;
  const wireDigester = wireSha256 ? new Digester([wireSha256], Number.MAX_SAFE_INTEGER) : undefined;
  const decoder = expect.chunked ? new AwsChunkedDecoder(expect.chunkSigner) : undefined;
  const digester = new Digester([md5, ...checksumHashers.values()], expect.maxBytes);
  // Feed the pipeline through a PassThrough: a failing stage must not destroy the request,
  // so that the server can still drain it and answer with the S3 error instead of a reset.
  const source = new PassThrough();
  const onClose = () => {
    if (!request.complete) source.destroy(new Error("client disconnected mid-body"));
  };
  request.once("close", onClose);
  request.pipe(source);
  try {
    const stages: Transform[] = [
      ...taps,
      ...(wireDigester ? [wireDigester] : []),
      ...(decoder ? [decoder] : []),
      digester,
    ];
    // A large buffer lets the file stream batch socket-sized chunks into few writev calls.
    await pipeline([source, ...stages, createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 })]);
    if (decoder && expect.decodedLength !== undefined && digester.bytes !== expect.decodedLength) {
      throw errors.incompleteBody();
    }
    if (wireSha256) {
      const computed = (await wireSha256.digest()).toString("hex");
      if (computed !== expect.sha256Hex) throw errors.sha256Mismatch(expect.sha256Hex!, computed);
    }
    const md5Digest = await md5.digest();
    if (expect.contentMd5 !== undefined && md5Digest.toString("base64") !== expect.contentMd5) {
      throw errors.badDigest("Content-MD5");
    }
    const checksums = await digestChecksums(checksumHashers, declaredChecksums(expect, decoder));
    return { size: digester.bytes, md5Hex: md5Digest.toString("hex"), checksums };
  } catch (error) {
    request.unpipe(source);
    await unlink(file).catch(() => undefined);
    throw error;
  } finally {
    request.off("close", onClose);
  }
}

/**
 * Streams bytes this server already holds (a copy source) into `file`, computing the MD5 for the
 * new ETag and the given checksums. On failure the file is removed and the error rethrown.
 */
export async function storeCopy(source: Readable, file: string, algorithms: ChecksumAlgorithm[]): Promise<BodyResult> {
  const md5 = createHasher("MD5");
  const hashers = new Map(algorithms.map((a) => [a, createHasher(a)] as const));
  const digester = new Digester([md5, ...hashers.values()], Number.MAX_SAFE_INTEGER);
  try {
    await pipeline([source, digester, createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 })]);
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
  const checksums = await digestChecksums(hashers);
  return { size: digester.bytes, md5Hex: (await md5.digest()).toString("hex"), checksums };
}
