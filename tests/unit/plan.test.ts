import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { S3_LIMITS, partRange, planParts } from "~/shared/plan";

const MiB = 1024 * 1024;

describe("part planning", () => {
  it("covers every file exactly, within S3's limits, in at most 10,000 parts", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 64 * MiB }), fc.integer({ min: 1, max: S3_LIMITS.maxObjectSize })),
        fc.integer({ min: 1, max: 6 * 1024 * MiB }),
        (fileSize, preferred) => {
          const plan = planParts(fileSize, preferred);
          expect(plan.partCount).toBeLessThanOrEqual(S3_LIMITS.maxParts);
          expect(plan.partSize).toBeGreaterThanOrEqual(S3_LIMITS.minPartSize);
          expect(plan.partSize).toBeLessThanOrEqual(S3_LIMITS.maxPartSize);
          const first = partRange(plan, 1);
          const last = partRange(plan, plan.partCount);
          expect(first.start).toBe(0);
          expect(last.end).toBe(fileSize);
          expect(last.size).toBeGreaterThan(0);
          expect(last.size).toBeLessThanOrEqual(plan.partSize);
          // Every part but the last is exactly partSize and they tile the file without gaps.
          expect((plan.partCount - 1) * plan.partSize + last.size).toBe(fileSize);
          if (plan.partCount > 1) expect(partRange(plan, plan.partCount - 1).size).toBe(plan.partSize);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("keeps the operator's part size when it fits", () => {
    expect(planParts(64 * MiB, 8 * MiB)).toEqual({ fileSize: 64 * MiB, partSize: 8 * MiB, partCount: 8 });
    expect(planParts(64 * MiB + 1, 8 * MiB).partCount).toBe(9);
    expect(planParts(1000, 8 * MiB)).toEqual({ fileSize: 1000, partSize: 8 * MiB, partCount: 1 });
  });

  it("raises the part size so that no file needs more than 10,000 parts", () => {
    const plan = planParts(100 * 1024 * MiB, 8 * MiB);
    expect(plan.partSize).toBe(11 * MiB);
    expect(plan.partCount).toBe(Math.ceil((100 * 1024) / 11));
  });

  it("clamps the preference to S3's minimum and maximum", () => {
    expect(planParts(100 * MiB, 1).partSize).toBe(S3_LIMITS.minPartSize);
    expect(planParts(100 * MiB, 10 * 1024 * MiB).partSize).toBe(S3_LIMITS.maxPartSize);
  });

  it("refuses empty, fractional and oversized files, and parts outside the plan", () => {
    expect(() => planParts(0, 8 * MiB)).toThrow(RangeError);
    expect(() => planParts(1.5, 8 * MiB)).toThrow(RangeError);
    expect(() => planParts(S3_LIMITS.maxObjectSize + 1, 8 * MiB)).toThrow(RangeError);
    const plan = planParts(10 * MiB, 5 * MiB);
    expect(() => partRange(plan, 0)).toThrow(RangeError);
    expect(() => partRange(plan, 3)).toThrow(RangeError);
  });
});

describe("client-side file checks", () => {
  it("explains unsupported, empty and oversized files in plain words", async () => {
    const { checkFile } = await import("~/upload/file-checks");
    const allowed = { "image/png": 25 * MiB, "video/mp4": 10 * 1024 * MiB };
    expect(checkFile({ name: "a.png", type: "image/png", size: 1000 }, allowed)).toBeNull();
    expect(checkFile({ name: "notes.txt", type: "text/plain", size: 10 }, allowed)).toBe(
      "“notes.txt” is not a supported file. You can share PNG images up to 25 MiB; MP4 videos up to 10 GiB.",
    );
    expect(checkFile({ name: "empty.mp4", type: "video/mp4", size: 0 }, allowed)).toBe("“empty.mp4” is empty.");
    expect(checkFile({ name: "big.png", type: "image/png", size: 30 * MiB }, allowed)).toBe(
      "“big.png” is 30 MiB; PNG files can be up to 25 MiB.",
    );
  });
});
