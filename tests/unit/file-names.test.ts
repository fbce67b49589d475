import { describe, expect, it } from "vitest";
import { attachmentDisposition, sanitizeFileName } from "../../server/uploads/file-names.js";

describe("sanitizeFileName", () => {
  it("keeps the last path segment without control characters and with single spaces", () => {
    expect(sanitizeFileName("C:\\Users\\me\\holiday.mp4")).toBe("holiday.mp4");
    expect(sanitizeFileName("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFileName("  my\u0000 \tclip\u009f.mov ")).toBe("my clip.mov");
  });

  it("keeps the visible name honest: no bidi overrides, isolates or other format characters", () => {
    // Shown as "invoiceexe.jpg" with the override kept.
    expect(sanitizeFileName("invoice\u202Egpj.exe")).toBe("invoicegpj.exe");
    expect(sanitizeFileName("\u2067photo\u2069\u200B.jpg\u200F")).toBe("photo.jpg");
    expect(sanitizeFileName("\uFEFFclip\u00AD\u2060\u061C.mp4")).toBe("clip.mp4");
    expect(sanitizeFileName("two\u2028lines\u2029.png")).toBe("twolines.png");
  });

  it("drops unpaired surrogates, which the Content-Disposition header could not encode", () => {
    const name = sanitizeFileName("clip\uD800.mp4\uDC00");
    expect(name).toBe("clip.mp4");
    expect(() => attachmentDisposition(name)).not.toThrow();
  });

  it("keeps letters, marks and emoji of every script, composed", () => {
    expect(sanitizeFileName("שלום עולם.mp4")).toBe("שלום עולם.mp4");
    expect(sanitizeFileName("Cafe\u0301.jpg")).toBe("Café.jpg");
    expect(sanitizeFileName("👩‍👩‍👧.png")).toBe("👩👩👧.png");
  });

  it("names an empty or dot-only name 'upload'", () => {
    for (const name of ["", "   ", ".", "..", "dir/", "\u0007", "\u202E\u200B"])
      expect(sanitizeFileName(name), name).toBe("upload");
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
