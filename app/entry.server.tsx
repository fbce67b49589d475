/**
/**
 * Renders pages (Remix's Node entry, with a Content-Security-Policy nonce): every document gets a
 * fresh nonce for its scripts and the page headers (server/http/document-headers.ts). Errors are logged
 * through the app's logger; a 404 or other 4xx is an answer, not an error, and is not logged here.
 */
import { PassThrough } from "node:stream";
import {
  createReadableStreamFromReadable,
  type AppLoadContext,
  type EntryContext,
  type HandleErrorFunction,
} from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { applyDocumentHeaders, createNonce } from "../server/http/document-headers";
import { NonceContext } from "./nonce";

const ABORT_DELAY = 5_000;

export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  context.services.log.error({ err: error, path: new URL(request.url).pathname }, "request failed");
};

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = createNonce();
  applyDocumentHeaders(responseHeaders, loadContext.services.config, nonce);
  // Crawlers get the whole page at once; browsers get the shell first and the rest as it streams.
  const readyEvent =
    isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode ? "onAllReady" : "onShellReady";
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let status = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />
      </NonceContext.Provider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          status = 500;
          // Errors while rendering the shell are logged by Remix when the promise rejects.
          if (shellRendered) loadContext.services.log.error({ err: error }, "streaming render failed");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}
