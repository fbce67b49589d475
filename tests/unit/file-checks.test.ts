import { describe, expect, it } from "vitest";
import { checkFileContent, contentProblem } from "~/upload/file-checks";

const mp4Head = Buffer.from("\u0000\u0000\u0000\u0018ftypmp42\u0000\u0000\u0000\u0000", "latin1");
const exeHead = Buffer.from("MZ\u0090\u0000\u0003\u0000\u0000\u0000\u0004\u0000", "latin1");

describe("the browser's type check", () => {
  it("accepts a file whose first bytes match its declared type", () => {
    expect(contentProblem({ name: "clip.mp4", type: "video/mp4" }, mp4Head)).toBeNull();
  });

  it("refuses a renamed executable with a plain message", () => {
    expect(contentProblem({ name: "setup.mp4", type: "video/mp4" }, exeHead)).toBe(
      "“setup.mp4” is named as MP4 but its content is another kind of file, so it cannot be shared. Choose the video itself.",
    );
    expect(contentProblem({ name: "photo.png", type: "image/png" }, exeHead)).toContain("Choose the photo itself.");
  });

  it("reads only the first bytes of the file", async () => {
    const file = new File([mp4Head, Buffer.alloc(1024 * 1024)], "clip.mp4", { type: "video/mp4" });
    expect(await checkFileContent(file)).toBeNull();
    const renamed = new File([exeHead, Buffer.alloc(100)], "setup.mp4", { type: "video/mp4" });
    expect(await checkFileContent(renamed)).toMatch(/another kind of file/);
  });

  it("refuses an empty file for any type", async () => {
    expect(await checkFileContent(new File([], "empty.webm", { type: "video/webm" }))).toMatch(/another kind/);
  });
});
