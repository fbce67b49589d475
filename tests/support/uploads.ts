import { createHash } from "node:crypto";
import { action as createAction } from "~/routes/api.uploads";
import { action as completeAction } from "~/routes/api.uploads.$id.complete";
import { action as signAction } from "~/routes/api.uploads.$id.parts";
import { action as recordAction } from "~/routes/api.uploads.$id.parts.$partNumber";
import { action as devSignIn } from "~/routes/auth.dev";
import type { Services } from "../../server/services.js";
import type { UploadView } from "../../server/uploads/views.js";
import { partChecksum } from "./checksums.js";
import { call, cookiesFrom } from "./requests.js";

export const MiB = 1024 * 1024;

/** Bytes that start like an MP4 file ("ftyp" box) and are otherwise deterministic from the seed. */
export function mp4Bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) out.writeUInt32LE(((i + 1) * 2654435761 + seed) >>> 0, Math.min(i, size - 4));
  Buffer.from("\u0000\u0000\u0000\u0018ftypmp42", "latin1").copy(out, 0);
  return out;
}

export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("base64");
export const sha256Hex = (data: Buffer) => createHash("sha256").update(data).digest("hex");

export async function signInAs(services: Services, login: string): Promise<string> {
  return cookiesFrom(await call(devSignIn, services, "/auth/dev", { form: { login } }));
}

export function createBody(file: Buffer, overrides: Record<string, unknown> = {}) {
  return {
    fileName: "clip.mp4",
    size: file.length,
    contentType: "video/mp4",
    lastModified: 1_700_000_000_000,
    fingerprint: `clip.mp4:${file.length}:${sha256Hex(file).slice(0, 12)}`,
    ...overrides,
  };
}

export async function createUpload(
  services: Services,
  cookie: string,
  body: unknown,
): Promise<{ status: number; upload: UploadView }> {
  const response = await call(createAction, services, "/api/uploads", { json: body, cookie });
  return { status: response.status, upload: (await response.json()) as UploadView };
}

export const partBytes = (file: Buffer, upload: Pick<UploadView, "partSize">, n: number) =>
  file.subarray((n - 1) * upload.partSize, n * upload.partSize);

export interface SignedUrls {
  parts: Array<{ partNumber: number; size: number; url: string; headers: Record<string, string> }>;
}

export async function sign(
  services: Services,
  cookie: string,
  id: string,
  partNumbers: number[],
  file?: Buffer,
  partSize?: number,
): Promise<Response> {
  // Without the file, a well-formed checksum that matches no bytes: enough to be signed.
  const algorithm = services.config.uploads.checksum.algorithm;
  const parts = await Promise.all(
    partNumbers.map(async (partNumber) => ({
      partNumber,
      checksum: await partChecksum(
        algorithm,
        file && partSize ? file.subarray((partNumber - 1) * partSize, partNumber * partSize) : Buffer.alloc(0),
      ),
    })),
  );
  return call(signAction, services, `/api/uploads/${id}/parts`, { json: { parts }, cookie, params: { id } });
}

/** Sends parts to their presigned URLs (as a browser would) and, unless told otherwise, records them. */
export async function sendParts(
  services: Services,
  cookie: string,
  upload: UploadView,
  file: Buffer,
  partNumbers: number[],
  record = true,
): Promise<string[]> {
  const signed = (await (
    await sign(services, cookie, upload.id, partNumbers, file, upload.partSize)
  ).json()) as SignedUrls;
  const etags: string[] = [];
  for (const part of signed.parts) {
    const body = partBytes(file, upload, part.partNumber);
    const response = await fetch(part.url, { method: "PUT", body: new Uint8Array(body), headers: part.headers });
    if (response.status !== 200)
      throw new Error(`part ${part.partNumber}: ${response.status} ${await response.text()}`);
    const etag = response.headers.get("etag")!;
    etags.push(etag);
    if (record) {
      const recorded = await call(recordAction, services, `/api/uploads/${upload.id}/parts/${part.partNumber}`, {
        method: "PUT",
        json: { etag, checksum: await partChecksum(upload.checksumMode.algorithm, body) },
        cookie,
        params: { id: upload.id, partNumber: String(part.partNumber) },
      });
      if (recorded.status !== 200)
        throw new Error(`record ${part.partNumber}: ${recorded.status} ${await recorded.text()}`);
    }
  }
  return etags;
}

export async function complete(services: Services, cookie: string, id: string): Promise<Response> {
  return call(completeAction, services, `/api/uploads/${id}/complete`, { method: "POST", cookie, params: { id } });
}
