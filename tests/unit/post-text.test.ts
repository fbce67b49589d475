import { describe, expect, it } from "vitest";
import { countCharacters, POST_TEXT_LIMIT, postTextProblem } from "~/shared/posts";

describe("the post text rule (shared by the page and the server)", () => {
  it("counts code points after trimming, as PostgreSQL's char_length does", () => {
    expect(countCharacters("  hello \n")).toBe(5);
    expect(countCharacters("🎉")).toBe(1); // two UTF-16 units
    expect(countCharacters("👍🏽")).toBe(2); // a hand and a skin tone
    expect(countCharacters("e\u0301")).toBe(2); // é written as e and a combining accent
    expect(countCharacters("🎉".repeat(POST_TEXT_LIMIT))).toBe(2000);
  });

  it("allows 2,000 characters and says by how many a text is over", () => {
    expect(postTextProblem("🎉".repeat(2000), false)).toBeNull();
    expect(postTextProblem("🎉".repeat(2001), false)).toBe("1 character over the limit");
    expect(postTextProblem("x".repeat(3234), true)).toBe("1,234 characters over the limit");
  });

  it("needs text or media: the caption is optional with media", () => {
    expect(postTextProblem("  ", false)).toBe("Write something or attach a video or photo.");
    expect(postTextProblem("", true)).toBeNull();
  });
});
