import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeGitHub {
  url: string;
  clientId: string;
  clientSecret: string;
  /** How many access tokens were issued: a refused sign-in must not get one. */
  tokensIssued(): number;
  stop(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/** Stable numeric id for a login, like GitHub's (only its stability matters here). */
export const fakeGitHubId = (login: string) =>
  createHash("sha256").update(login).digest().readUInt32BE(0) % 100_000_000;

/**
 * The three GitHub endpoints the OAuth flow uses (authorize, token exchange, /user), for tests only.
 * The authorize page asks which account to sign in as, so each test chooses its user.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const clientId = "fake-client-id";
  const clientSecret = `fake-secret-${randomBytes(8).toString("hex")}`;
  const codes = new Map<string, { login: string; redirectUri: string }>();
  const tokens = new Map<string, string>();

  function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
    res.writeHead(status, { "Content-Type": type, ...headers });
    res.end(body);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-github");
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      if (url.searchParams.get("client_id") !== clientId) return send(res, 400, "text/plain", "unknown client_id");
      const state = url.searchParams.get("state") ?? "";
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      return send(
        res,
        200,
        "text/html",
        `<!doctype html><title>Fake GitHub</title><link rel="icon" href="data:,"><h1>Authorize Feedup (fake GitHub)</h1>
<form method="post" action="/login/oauth/authorize">
<input type="hidden" name="state" value="${escapeHtml(state)}"><input type="hidden" name="redirect_uri" value="${escapeHtml(redirectUri)}">
<label>GitHub login <input name="login" value="octocat"></label><button type="submit">Authorize</button></form>`,
      );
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/authorize") {
      const form = await formBody(req);
      const code = randomBytes(10).toString("hex");
      const redirectUri = form.get("redirect_uri") ?? "";
      codes.set(code, { login: form.get("login") ?? "octocat", redirectUri });
      const target = new URL(redirectUri);
      target.searchParams.set("code", code);
      target.searchParams.set("state", form.get("state") ?? "");
      return send(res, 302, "text/plain", "", { Location: target.toString() });
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = await formBody(req);
      const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      if (basic !== `${clientId}:${clientSecret}`)
        return send(res, 401, "application/json", JSON.stringify({ error: "incorrect_client_credentials" }));
      const grant = codes.get(form.get("code") ?? "");
      if (!grant || grant.redirectUri !== form.get("redirect_uri")) {
        return send(
          res,
          200,
          "application/json",
          JSON.stringify({
            error: "bad_verification_code",
            error_description: "The code passed is incorrect or expired.",
          }),
        );
      }
      codes.delete(form.get("code")!);
      const token = `gho_${randomBytes(12).toString("hex")}`;
      tokens.set(token, grant.login);
      return send(
        res,
        200,
        "application/json",
        JSON.stringify({ access_token: token, token_type: "bearer", scope: "read:user" }),
      );
    }
    if (req.method === "GET" && url.pathname === "/user") {
      const login = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
      if (!login) return send(res, 401, "application/json", JSON.stringify({ message: "Bad credentials" }));
      const name = login.replace(/(^|-)(\w)/g, (_m, sep: string, c: string) => `${sep ? " " : ""}${c.toUpperCase()}`);
      return send(
        res,
        200,
        "application/json",
        JSON.stringify({ id: fakeGitHubId(login), login, name, avatar_url: `${address()}/avatars/${login}.svg` }),
      );
    }
    if (req.method === "GET" && url.pathname.startsWith("/avatars/")) {
      const login = decodeURIComponent(url.pathname.slice("/avatars/".length).replace(/\.svg$/, ""));
      const hue = fakeGitHubId(login) % 360;
      return send(
        res,
        200,
        "image/svg+xml",
        `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" fill="hsl(${hue} 70% 55%)"/><text x="20" y="26" font-size="16" text-anchor="middle" fill="white" font-family="sans-serif">${escapeHtml(login.slice(0, 2).toUpperCase())}</text></svg>`,
      );
    }
    send(res, 404, "application/json", JSON.stringify({ message: "Not Found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: address(),
    clientId,
    clientSecret,
    tokensIssued: () => tokens.size,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
