import { describe, expect, it } from "vitest";
import { ApiError } from "~/upload/api";
import { UploadFailedError, failureMessage, isAbort, partFailureOf } from "~/upload/errors";
import { PartFailure } from "~/upload/transport";

describe("upload errors", () => {
  it("show our own and the server's messages, and a plain one for anything else", () => {
    expect(failureMessage(new UploadFailedError("Gave up after 3 attempts.", false))).toBe("Gave up after 3 attempts.");
    expect(failureMessage(new ApiError(413, "too_large", "That file is too large."))).toBe("That file is too large.");
    expect(failureMessage(new TypeError("x is undefined"))).toBe("The upload failed unexpectedly.");
  });

  it("turn part and API errors into failures for the classifier, and throw anything else", () => {
    expect(partFailureOf(new PartFailure({ type: "stall" }))).toEqual({ type: "stall" });
    expect(partFailureOf(new ApiError(0, "network", "lost"))).toEqual({ type: "network" });
    expect(partFailureOf(new ApiError(400, "unknown_part", "no such part"))).toEqual({
      type: "http",
      status: 400,
      code: "unknown_part",
      message: "no such part",
    });
    const other = new UploadFailedError("can no longer be read", false);
    expect(() => partFailureOf(other)).toThrow(other);
  });

  it("recognise aborts", () => {
    expect(isAbort(new DOMException("Interrupted", "AbortError"))).toBe(true);
    expect(isAbort(new DOMException("denied", "NotAllowedError"))).toBe(false);
    expect(isAbort(new Error("AbortError"))).toBe(false);
  });
});
