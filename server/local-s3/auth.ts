import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@smithy/core/checksum";
import type { HeaderBag, HttpRequest } from "@smithy/types";
import { header } from "./context.js";
import { errors } from "./errors.js";
import { asUtf8 } from "./header-text.js";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/** aws-chunked body whose every chunk carries a signature chained from the request's (minio-go, older SDKs). */
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/** The same, followed by trailing headers (checksums) under a signature of their own. */
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

/** The parts of an incoming request that SigV4 covers. */
export interface SignedRequestParts {
  method: string;
  /** The path exactly as sent (still percent-encoded): S3 signs it without re-encoding. */
  rawPath: string;
  /** Query parameters, percent-decoded, in order. */
  query: Array<[string, string]>;
  headers: IncomingHttpHeaders;
}

export interface AuthResult {
  accessKeyId: string;
  presigned: boolean;
  /** The declared payload hash: hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* mode. */
  payloadHash: string;
  /** For STREAMING-AWS4-HMAC-SHA256-PAYLOAD: computes what each chunk's signature must be. */
  chunkSigner?: ChunkSigner;
  /**
   * How the client meant header bytes beyond ASCII, as its signature showed: "utf8" (the text valid UTF-8
   * bytes spell; also when nothing told) or "latin1" (one character per byte).
   */
  headerText: HeaderText;
}

export type HeaderText = "utf8" | "latin1";

/** The chain of chunk signatures of a signed aws-chunked body, as S3 defines it. */
export interface ChunkSigner {
  /** The request's own signature: what the first chunk's signature chains from. */
  seed: string;
  /** The signature of a chunk whose data hashes to `sha256Hex`, following the chunk signed `previous`. */
  expected(previous: string, sha256Hex: string): Promise<string>;
  /** The signature of the trailing headers (in order, as sent), following the final chunk signed `previous`. */
  expectedTrailer(previous: string, trailers: Array<[string, string]>): Promise<string>;
}

/** Exposes the signer's own canonicalisation so verification matches the SDK's signing byte for byte. */
class SignatureVerifier extends SignatureV4 {
  /** The signature of `request` (its headers: the signed ones, canonicalised) under `auth`'s scope. */
  async expectedSignature(request: HttpRequest, payloadHash: string, auth: ParsedAuth): Promise<string> {
    const canonical = this.createCanonicalRequest(request, request.headers, payloadHash);
    const stringToSign = await this.createStringToSign(auth.longDate, credentialScope(auth), canonical, ALGORITHM);
    const signingDate = parseAmzDate(auth.longDate);
    return this.sign(stringToSign, { signingDate, signingRegion: auth.region, signingService: "s3" });
  }
}

interface ParsedAuth {
  accessKeyId: string;
  shortDate: string;
  region: string;
  signedHeaders: string[];
  signature: string;
  longDate: string;
}

function parseCredential(credential: string): { accessKeyId: string; shortDate: string; region: string } {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[3] !== "s3" || parts[4] !== "aws4_request") {
    throw errors.invalidArgument("Error parsing the X-Amz-Credential parameter", "X-Amz-Credential", credential);
  }
  return { accessKeyId: parts[0]!, shortDate: parts[1]!, region: parts[2]! };
}

/** The credential scope the signature is bound to: date, region, service. */
const credentialScope = (auth: ParsedAuth) => `${auth.shortDate}/${auth.region}/s3/aws4_request`;

function parseAmzDate(value: string | undefined): Date {
  const match = value?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!match) throw errors.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
  const [, y, mo, d, h, mi, s] = match;
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
}

export function hasAuthentication(parts: SignedRequestParts): boolean {
  return (
    header(parts, "authorization") !== undefined ||
    parts.query.some(([k]) => k === "X-Amz-Signature" || k === "X-Amz-Algorithm")
  );
}

/** The authentication of a presigned URL, from its X-Amz-* query parameters; an expired URL is refused here. */
function presignedAuth(query: Map<string, string>, now: Date): ParsedAuth {
  if (query.get("X-Amz-Algorithm") !== ALGORITHM) {
    throw errors.invalidArgument(
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
      "X-Amz-Algorithm",
      query.get("X-Amz-Algorithm"),
    );
  }
  const credential = query.get("X-Amz-Credential");
  const signature = query.get("X-Amz-Signature");
  const signedHeaders = query.get("X-Amz-SignedHeaders");
  const longDate = query.get("X-Amz-Date");
  const expiresText = query.get("X-Amz-Expires");
  if (!credential || !signature || !signedHeaders || !longDate || !expiresText) {
    throw errors.accessDenied(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const expiresIn = Number(expiresText);
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw errors.invalidArgument("X-Amz-Expires must be between 1 and 604800 seconds", "X-Amz-Expires", expiresText);
  }
  const signedAt = parseAmzDate(longDate);
  const expiresAt = new Date(signedAt.getTime() + expiresIn * 1000);
  if (now.getTime() > expiresAt.getTime()) throw errors.expired(expiresAt, now);
  return { ...parseCredential(credential), signedHeaders: signedHeaders.split(";"), signature, longDate };
}

/** The authentication of a header-signed request, from its Authorization and x-amz-date headers. */
function headerAuth(parts: SignedRequestParts, now: Date): ParsedAuth {
  const authorization = header(parts, "authorization") ?? "";
  const match = authorization.match(
    /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/,
  );
  if (!match) {
    throw errors.invalidArgument("Unsupported Authorization Type", "Authorization", authorization.slice(0, 40));
  }
  const longDate = header(parts, "x-amz-date") ?? "";
  const signedAt = parseAmzDate(longDate);
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS) throw errors.timeSkewed();
  return { ...parseCredential(match[1]!), signedHeaders: match[2]!.split(";"), signature: match[3]!, longDate };
}

/**
 * The signed headers' values as SigV4 canonicalises them, each read by `read` (see matchingSignature);
 * a signed header that is missing fails the signature.
 */
function canonicalHeadersOf(
  parts: SignedRequestParts,
  signedHeaders: string[],
  read: (value: string) => string,
): HeaderBag {
  const canonicalHeaders: HeaderBag = {};
  for (const name of signedHeaders) {
    const value = header(parts, name);
    if (value === undefined) throw errors.signatureMismatch();
    canonicalHeaders[name] = read(value)
      .replace(/[\r\n]/g, " ")
      .replace(/[ \t]+/g, " ")
      .trim();
  }
  return canonicalHeaders;
}

/** The query as the signer takes it, without the signature itself. */
function canonicalQueryOf(parts: SignedRequestParts): Record<string, string | string[]> {
  // Repeated query keys are rare in S3 but the signer supports them, so keep them.
  const canonicalQuery: Record<string, string | string[]> = {};
  for (const [k, v] of parts.query) {
    if (k === "X-Amz-Signature") continue;
    const existing = canonicalQuery[k];
    canonicalQuery[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  return canonicalQuery;
}

/** The chain of chunk signatures that a signed aws-chunked body must carry, seeded by the request's signature. */
function chunkSignerFor(verifier: SignatureVerifier, auth: ParsedAuth, seed: string): ChunkSigner {
  const scope = credentialScope(auth);
  const signingDate = parseAmzDate(auth.longDate);
  const sign = (lines: string[]) =>
    verifier.sign(lines.join("\n"), { signingDate, signingRegion: auth.region, signingService: "s3" });
  return {
    seed,
    expected: (previous, sha256Hex) =>
      sign(["AWS4-HMAC-SHA256-PAYLOAD", auth.longDate, scope, previous, EMPTY_SHA256, sha256Hex]),
    expectedTrailer: (previous, trailers) => {
      const canonical = trailers.map(([name, value]) => `${name}:${value}\n`).join("");
      const digest = createHash("sha256").update(canonical).digest("hex");
      return sign(["AWS4-HMAC-SHA256-TRAILER", auth.longDate, scope, previous, digest]);
    },
  };
}

/**
 * The signature the request must carry, under the reading of its signed headers that gives the one it does:
 * header bytes beyond ASCII as the UTF-8 text they spell (how the Go, Java and Rust SDKs send and sign them),
 * else one character per byte (Node's http sends such text as latin1 and the JS SDK signs the text).
 */
async function matchingSignature(
  verifier: SignatureVerifier,
  parts: SignedRequestParts,
  auth: ParsedAuth,
  payloadHash: string,
): Promise<{ expected: string; headerText: HeaderText }> {
  const asSent = canonicalHeadersOf(parts, auth.signedHeaders, (value) => value);
  const asUtf8Text = canonicalHeadersOf(parts, auth.signedHeaders, (value) => asUtf8(value) ?? value);
  const readings: Array<[HeaderText, HeaderBag]> = [["utf8", asUtf8Text]];
  if (Object.keys(asSent).some((name) => asSent[name] !== asUtf8Text[name])) readings.push(["latin1", asSent]);
  for (const [headerText, headers] of readings) {
    const path = parts.rawPath;
    const request = {
      method: parts.method,
      protocol: "http:",
      hostname: "",
      path,
      query: canonicalQueryOf(parts),
      headers,
    };
    const expected = await verifier.expectedSignature(request as HttpRequest, payloadHash, auth);
    if (signaturesEqual(auth.signature, expected)) return { expected, headerText };
  }
  throw errors.signatureMismatch();
}

/**
 * Verifies an AWS Signature V4, header-signed or presigned (query auth), as S3 does.
 * Throws the S3 error S3 would answer with; returns who signed and the declared payload hash.
 */
export async function verifySignature(
  parts: SignedRequestParts,
  credentials: Credentials,
  now: Date = new Date(),
): Promise<AuthResult> {
  const query = new Map(parts.query);
  const presigned = query.has("X-Amz-Signature") || query.has("X-Amz-Algorithm");
  const auth = presigned ? presignedAuth(query, now) : headerAuth(parts, now);
  if (auth.accessKeyId !== credentials.accessKeyId) throw errors.invalidAccessKeyId(auth.accessKeyId);
  if (auth.longDate.slice(0, 8) !== auth.shortDate) throw errors.signatureMismatch();
  if (!auth.signedHeaders.includes("host")) throw errors.accessDenied("Host header must be signed");
  let payloadHash = header(parts, "x-amz-content-sha256") ?? query.get("X-Amz-Content-Sha256");
  if (payloadHash === undefined) {
    if (!presigned) throw errors.invalidRequest("Missing required header for this request: x-amz-content-sha256");
    payloadHash = UNSIGNED_PAYLOAD;
  }
  const verifier = new SignatureVerifier({
    service: "s3",
    region: auth.region,
    credentials,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const { expected, headerText } = await matchingSignature(verifier, parts, auth, payloadHash);
  const chunked = (payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER) && !presigned;
  return {
    accessKeyId: auth.accessKeyId,
    presigned,
    payloadHash,
    headerText,
    ...(chunked ? { chunkSigner: chunkSignerFor(verifier, auth, expected) } : {}),
  };
}

/** Compares two hex signatures in constant time. */
export function signaturesEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Splits a raw query string into percent-decoded pairs, without treating "+" as a space (S3 does not). */
export function parseRawQuery(search: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!search) return out;
  for (const piece of search.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const rawKey = eq === -1 ? piece : piece.slice(0, eq);
    const rawValue = eq === -1 ? "" : piece.slice(eq + 1);
    try {
      out.push([decodeURIComponent(rawKey), decodeURIComponent(rawValue)]);
    } catch {
      throw errors.invalidArgument("Invalid percent-encoding in the query string");
    }
  }
  return out;
}
