import { describe, expect, it } from "vitest";
import { attachmentDisposition, sanitizeFileName } from "../../server/uploads/file-names.js";

describe("sanitizeFileName", () => {
  it("keeps the last path segment without control characters and with single spaces", () => {
    expect(sanitizeFileName("C:\\Users\\me\\holiday.mp4")).toBe("holiday.mp4");
    expect(sanitizeFileName("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFileName("  my\u0000 \tclip\u009f.mov ")).toBe("my clip.mov");
  });

  it("names an empty or dot-only name 'upload'", () => {
    for (const name of ["", "   ", ".", "..", "dir/", "\u0007"]) expect(sanitizeFileName(name), name).toBe("upload");
  });

  it("cuts at 255 characters, never inside one", () => {
    const name = sanitizeFileName("😀".repeat(300));
    expect([...name]).toHaveLength(255);
    expect(name).toBe("😀".repeat(255));
  });
});

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the exact UTF-8 name", () => {
    expect(attachmentDisposition('Ünïcode "clip" (1).mp4')).toBe(
      "attachment; filename=\"_n_code _clip_ (1).mp4\"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22clip%22%20%281%29.mp4",
    );
  });
});
