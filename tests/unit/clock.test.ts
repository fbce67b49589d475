import { describe, expect, it } from "vitest";
import { clockTime, spokenDuration } from "~/posts/clock";

describe("a video's duration in the feed", () => {
  it("reads like the player's own clock (whole seconds, rounded down)", () => {
    expect([0, 2.97, 3, 59.9, 245, 3723].map(clockTime)).toEqual(["0:00", "0:02", "0:03", "0:59", "4:05", "1:02:03"]);
  });

  it("is spoken in words for screen readers", () => {
    expect([0.4, 1, 3.9, 245, 3600].map(spokenDuration)).toEqual([
      "1 second",
      "1 second",
      "3 seconds",
      "4 minutes 5 seconds",
      "1 hour",
    ]);
  });
});
