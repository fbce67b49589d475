import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { RequestContext } from "./context.js";
import type { S3Error } from "./errors.js";
import { errorXml } from "./xml.js";

/** The one user every bucket, object and upload here belongs to, as answers name it. */
export const OWNER = { ID: "local-s3", DisplayName: "local-s3" };

type Headers = Record<string, string | number>;

/** Sets the headers S3 puts on every answer and returns the request's id. */
export function identifyResponse(res: ServerResponse): string {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  res.setHeader("x-amz-request-id", requestId);
  res.setHeader("x-amz-id-2", randomBytes(24).toString("base64"));
  res.setHeader("Server", "LocalS3");
  return requestId;
}

/** Answers with a whole text body; returns its size in bytes. */
function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Headers = {},
): number {
  const body = Buffer.from(text, "utf8");
  res.writeHead(status, { ...headers, "Content-Type": contentType, "Content-Length": body.length });
  res.end(body);
  return body.length;
}

/** An S3 API answer with an XML document, counted as bytes sent by the operation. */
export function sendXml(ctx: RequestContext, status: number, xml: string, headers: Headers = {}): void {
  ctx.stats.bytesSent += sendText(ctx.res, status, "application/xml", xml, headers);
}

/** A control endpoint's answer. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, "application/json", JSON.stringify(value));
}

/** Ends an answer without writing a body; `headers` may describe the body a GET would get (HEAD). */
export function sendHeaders(res: ServerResponse, status: number, headers: Headers): void {
  res.writeHead(status, headers);
  res.end();
}

/** An answer that has no body. */
export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  sendHeaders(res, status, { ...headers, "Content-Length": 0 });
}

/** S3's error answer: the Error document, or only the status for HEAD (which has no body to carry it). */
export function sendError(
  res: ServerResponse,
  error: S3Error,
  resource: string,
  requestId: string,
  headOnly: boolean,
): void {
  if (headOnly) return sendEmpty(res, error.status);
  sendText(res, error.status, "application/xml", errorXml(error, resource, requestId));
}
