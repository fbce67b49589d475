import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import type { Services } from "../../server/services.js";
import { TEST_APP_URL } from "./services.js";

type RouteFunction = (args: LoaderFunctionArgs | ActionFunctionArgs) => unknown;

export interface CallOptions {
  method?: string;
  cookie?: string;
  form?: Record<string, string>;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
}

export function buildRequest(path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.cookie) headers.set("Cookie", options.cookie);
  let body: BodyInit | undefined;
  if (options.form) body = new URLSearchParams(options.form);
  else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers.set("Content-Type", "application/json");
  } else if (options.body !== undefined) body = options.body;
  return new Request(`${TEST_APP_URL}${path}`, { method: options.method ?? (body ? "POST" : "GET"), headers, body });
}

/**
 * Calls a route's loader or action as Remix would, returning the Response whether it was
 * returned or thrown (redirects and API errors are thrown Responses).
 */
export async function call(
  fn: RouteFunction,
  services: Services,
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const request = buildRequest(path, options);
  const context = { services } as AppLoadContext;
  try {
    const result = await fn({ request, context, params: options.params ?? {} });
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The "name=value" pairs a response sets, ready to send back as a Cookie header. */
export function cookiesFrom(response: Response, previous = ""): string {
  const jar = new Map(
    previous
      .split("; ")
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)] as const),
  );
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    const name = pair.slice(0, pair.indexOf("="));
    const value = pair.slice(pair.indexOf("=") + 1);
    if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}
