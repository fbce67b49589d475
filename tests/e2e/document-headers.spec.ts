import { expect, test } from "./fixtures.js";

/** The nonce a page's CSP names, and that its scripts carry. */
const nonceOf = (policy: string) => policy.match(/'nonce-([A-Za-z0-9+/=]+)'/)?.[1];

test.describe("page headers", () => {
  test("every page: a nonce-based CSP limited to the app and the bucket, no framing, no sniffing, no caching", async ({
    page,
    signIn,
  }) => {
    const seen: string[] = [];
    for (const [name, path] of [
      ["sign-in", "/login?error=github"],
      ["not found", "/no-such-page"],
    ] as const) {
      const response = await page.request.get(path);
      seen.push(name);
      const headers = response.headers();
      const policy = headers["content-security-policy"]!;
      expect(policy, name).toContain("frame-ancestors 'none'");
      expect(policy, name).toContain("object-src 'none'");
      expect(policy, name).toContain(`connect-src 'self' ${process.env.E2E_S3_URL}`);
      expect(policy, name).toContain(`media-src 'self' blob: ${process.env.E2E_S3_URL}`);
      expect(policy, name).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'wasm-unsafe-eval'(;|$)/);
      expect(policy, name).toContain("worker-src 'self' blob:");
      expect(headers["x-frame-options"], name).toBe("DENY");
      expect(headers["x-content-type-options"], name).toBe("nosniff");
      expect(headers["referrer-policy"], name).toBe("strict-origin-when-cross-origin");
      expect(headers["cache-control"], name).toBe("private, no-store");
      // Each script the page has carries the nonce.
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, name).toBeGreaterThan(0);
      for (const script of scripts) expect(script, name).toContain(`nonce="${nonceOf(policy)}"`);
    }

    await signIn("header-checker");
    const home = await page.request.get("/");
    expect(home.headers()["cache-control"]).toBe("private, no-store");
    const policies = new Set<string>();
    for (let i = 0; i < 3; i += 1)
      policies.add(nonceOf((await page.request.get("/")).headers()["content-security-policy"]!)!);
    expect(policies.size, "a fresh nonce per page").toBe(3);
    expect(seen).toEqual(["sign-in", "not found"]);
  });

  test("the policy is enforced: an injected inline script does not run and is reported", async ({
    page,
    cspViolations,
    consoleErrors,
  }) => {
    // Chromium also reports the blocked script on the console: this test's one expected console error.
    consoleErrors.allow(/violates the following Content Security Policy directive 'script-src/);
    await page.goto("/login");
    const ran = await page.evaluate(async () => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true;";
      const reported = new Promise((resolve) =>
        document.addEventListener("securitypolicyviolation", resolve, { once: true }),
      );
      document.body.append(script);
      await reported;
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
    expect(cspViolations.join("\n")).toContain("script-src");
    // Seen and checked: this test's one expected violation.
    cspViolations.length = 0;
  });
});
