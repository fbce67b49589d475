/**
 * The upload API over real HTTP from Node, as the browser uses it: the uploader's own UploadApi and
 * ApiError, with the session cookie a browser would send. For tests and benchmarks against app processes.
 */
import { createHttpUploadApi, type HttpUploadApiOptions, type UploadApi } from "../../app/upload/api.js";

/** PUTs one part's bytes to its presigned URL, as the browser does; returns S3's ETag. */
export async function putPart(signed: { url: string; headers: Record<string, string> }, body: Uint8Array<ArrayBuffer>) {
  const response = await fetch(signed.url, { method: "PUT", headers: signed.headers, body });
  if (response.status !== 200) throw new Error(`part PUT answered ${response.status}: ${await response.text()}`);
  return response.headers.get("etag")!;
}

/** Signs in through the development sign-in (`/auth/dev`) and returns the session cookie. */
export async function devSignIn(appUrl: string, login: string): Promise<string> {
  const response = await fetch(`${appUrl}/auth/dev`, {
    method: "POST",
    body: new URLSearchParams({ login }),
    redirect: "manual",
  });
  if (response.status !== 302) throw new Error(`dev sign-in answered ${response.status}: ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/**
 * The upload API of the app at `appUrl` (a function, so calls can alternate between instances): the
 * uploader's own client, with the session cookie. `onCall` hears each call's name, duration and status.
 */
export function httpUploadApi(
  appUrl: string | (() => string),
  cookie: string,
  onCall?: HttpUploadApiOptions["onCall"],
): UploadApi {
  return createHttpUploadApi(appUrl, { headers: { Cookie: cookie }, onCall });
}
