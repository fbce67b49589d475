import { OAuth2Client, type OAuth2Tokens } from "arctic";
import { GitHubStrategy } from "remix-auth-github";
import { z } from "zod";
import type { DB } from "../db/connection.js";
import type { User } from "../db/schema.js";
import { upsertGitHubUser } from "./users.js";

export interface GitHubSettings {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a GitHub Enterprise host, or the fake GitHub in tests. */
  url: string;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise. */
  apiUrl: string;
  redirectUri: string;
  secureCookies: boolean;
}

const gitHubUserSchema = z.object({
  id: z.number().int().positive(),
  login: z.string().min(1),
  name: z.string().nullable().optional(),
  avatar_url: z.string().url().nullable().optional(),
});

/** arctic's GitHub client with the endpoints taken from configuration instead of hard-coded github.com. */
class ConfigurableGitHubClient {
  private readonly oauth: OAuth2Client;
  constructor(private readonly settings: GitHubSettings) {
    this.oauth = new OAuth2Client(settings.clientId, settings.clientSecret, settings.redirectUri);
  }
  createAuthorizationURL(state: string, scopes: string[]): URL {
    return this.oauth.createAuthorizationURL(`${this.settings.url}/login/oauth/authorize`, state, scopes);
  }
  validateAuthorizationCode(code: string): Promise<OAuth2Tokens> {
    return this.oauth.validateAuthorizationCode(`${this.settings.url}/login/oauth/access_token`, code, null);
  }
  refreshAccessToken(refreshToken: string): Promise<OAuth2Tokens> {
    return this.oauth.refreshAccessToken(`${this.settings.url}/login/oauth/access_token`, refreshToken, []);
  }
}

class ConfigurableGitHubStrategy extends GitHubStrategy<User> {
  constructor(settings: GitHubSettings, verify: GitHubStrategy<User>["verify"]) {
    super(
      {
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        redirectURI: settings.redirectUri,
        scopes: ["read:user"],
        cookie: settings.secureCookies
          ? { name: "__Host-github-oauth", secure: true, path: "/" }
          : { name: "github-oauth", path: "/" },
      },
      verify,
    );
    this.client = new ConfigurableGitHubClient(settings) as unknown as typeof this.client;
  }
}

export function createGitHubStrategy(settings: GitHubSettings, db: DB): GitHubStrategy<User> {
  return new ConfigurableGitHubStrategy(settings, async ({ tokens }) => {
    const response = await fetch(`${settings.apiUrl}/user`, {
      headers: {
        Authorization: `Bearer ${tokens.accessToken()}`,
        Accept: "application/vnd.github+json",
        "User-Agent": "feedup",
      },
    });
    if (!response.ok) throw new Error(`GitHub /user answered ${response.status}`);
    const profile = gitHubUserSchema.parse(await response.json());
    return upsertGitHubUser(db, {
      githubId: profile.id,
      login: profile.login,
      name: profile.name ?? null,
      avatarUrl: profile.avatar_url ?? null,
    });
  });
}
