import { request as httpRequest } from "node:http";
import { expect, test } from "./fixtures.js";

const MiB = 1024 * 1024;

/**
 * Sends a 10 MB JSON body in chunks (no Content-Length) over a real connection, the way an attacker's
 * client would, and resolves with the status of the answer; a reset connection fails the test.
 */
function streamLargeBody(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on("error", reject);
    const chunk = Buffer.alloc(64 * 1024, " ");
    let sent = 0;
    const pump = () => {
      while (sent < 10 * MiB && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

test("over HTTP, a body over the limit gets its 413, declared or streamed, and the app carries on", async ({
  page,
  signIn,
}) => {
  await signIn("big-sender");
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const declared = await page.request.post("/api/uploads", {
    headers: { "Content-Type": "application/json" },
    data: " ".repeat(10 * MiB),
  });
  expect(declared.status()).toBe(413);
  expect((await declared.json()).error.code).toBe("body_too_large");
  for (let i = 0; i < 3; i += 1)
    expect(await streamLargeBody(`${process.env.E2E_APP_URL}/api/uploads`, cookie)).toBe(413);
  const plain = await page.request.post("/api/uploads", { headers: { "Content-Type": "text/plain" }, data: "{}" });
  expect(plain.status()).toBe(415);
  expect((await page.request.get("/api/me")).status()).toBe(200);
});
