import { describe, expect, it, vi } from "vitest";
import { capturePoster, posterSize, posterTime, type PosterCanvas } from "~/media/poster";
import { probeMedia, refusalMessage, type ProbeEnvironment, type ProbeVideo } from "~/media/probe";

/** A <video> that behaves as scripted: loads metadata (or fails), then seeks (or fails). */
class FakeVideo extends EventTarget implements ProbeVideo {
  muted = false;
  preload = "";
  readyState = 0;
  error: { code: number } | null = null;
  videoWidth = 0;
  videoHeight = 0;
  duration = Number.NaN;
  seekedTo: number[] = [];
  released = false;
  private time = 0;

  constructor(
    private readonly script: {
      metadata?: { width: number; height: number; duration: number } | { errorCode: number } | "never";
      seek?: "ok" | { errorCode: number } | "never";
    },
  ) {
    super();
  }

  set src(_url: string) {
    const metadata = this.script.metadata ?? "never";
    if (metadata === "never") return;
    queueMicrotask(() => {
      if ("errorCode" in metadata) return this.fail(metadata.errorCode);
      Object.assign(this, { videoWidth: metadata.width, videoHeight: metadata.height, duration: metadata.duration });
      this.readyState = 1;
      this.dispatchEvent(new Event("loadedmetadata"));
    });
  }
  get src() {
    return "";
  }
  get currentTime() {
    return this.time;
  }
  set currentTime(value: number) {
    this.seekedTo.push(value);
    const seek = this.script.seek ?? "ok";
    if (seek === "never") return;
    queueMicrotask(() => {
      if (seek !== "ok") return this.fail(seek.errorCode);
      this.time = value;
      this.readyState = 2;
      this.dispatchEvent(new Event("seeked"));
    });
  }
  removeAttribute() {
    this.released = true;
  }
  load() {}
  private fail(code: number) {
    this.error = { code };
    this.dispatchEvent(new Event("error"));
  }
}

function fakeCanvas(encodes: string[]): PosterCanvas & { drawn: number[][] } {
  const drawn: number[][] = [];
  return {
    width: 0,
    height: 0,
    drawn,
    getContext: () => ({ drawImage: (_image, x, y, w, h) => void drawn.push([x, y, w, h]) }),
    toBlob: (callback, type) => callback(new Blob(["x"], { type: encodes.includes(type) ? type : "image/png" })),
  };
}

function environment(video: FakeVideo, image?: () => Promise<{ width: number; height: number }>) {
  const revoked: string[] = [];
  const canvas = fakeCanvas(["image/webp", "image/jpeg"]);
  const env: ProbeEnvironment = {
    createObjectURL: () => "blob:fake",
    revokeObjectURL: (url) => void revoked.push(url),
    createVideo: () => video,
    createCanvas: () => canvas,
    decodeImage: image ?? (() => Promise.reject(new Error("not an image"))),
  };
  return { env, revoked, canvas };
}

const clip = new File(["x"], "clip.mp4", { type: "video/mp4" });
const poster = { maxWidth: 640, types: ["image/webp", "image/jpeg"] };

describe("the playability probe", () => {
  it("measures a playable video, seeks 10% in for its poster, and lets go of the file", async () => {
    const video = new FakeVideo({ metadata: { width: 1920, height: 1080, duration: 12 } });
    const { env, revoked, canvas } = environment(video);
    const result = await probeMedia(clip, env, { poster });
    expect(result).toMatchObject({ ok: true, facts: { width: 1920, height: 1080, durationSeconds: 12 } });
    expect(result.ok && result.poster?.type).toBe("image/webp");
    expect(video.seekedTo).toHaveLength(1);
    expect(video.seekedTo[0]).toBeCloseTo(1.2);
    expect(canvas.drawn).toEqual([[0, 0, 640, 360]]);
    expect([video.released, revoked]).toEqual([true, ["blob:fake"]]);
  });

  it("refuses a file whose metadata the browser cannot read, with the advice to try MP4 H.264/AAC or WebM", async () => {
    const video = new FakeVideo({ metadata: { errorCode: 4 } });
    const { env, revoked } = environment(video);
    expect(await probeMedia(clip, env)).toEqual({
      ok: false,
      message:
        "“clip.mp4” can't be played in a browser (an MP4 file whose codec or structure browsers cannot read). Try MP4 with H.264/AAC or WebM.",
    });
    expect(revoked).toEqual(["blob:fake"]);
  });

  it("refuses a video whose frames do not decode, though its metadata loaded", async () => {
    const video = new FakeVideo({ metadata: { width: 640, height: 480, duration: 5 }, seek: { errorCode: 3 } });
    const result = await probeMedia(clip, environment(video).env);
    expect(result).toEqual({ ok: false, message: refusalMessage(clip, "undecodable") });
    expect(refusalMessage(clip, "undecodable")).toContain("its MP4 video could not be decoded");
  });

  it("gives up after the timeout with a message that says so", async () => {
    vi.useFakeTimers();
    try {
      const video = new FakeVideo({ metadata: "never" });
      const { env, revoked } = environment(video);
      const pending = probeMedia(clip, env, { timeoutMs: 5000 });
      await vi.advanceTimersByTimeAsync(4999);
      expect(revoked).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toEqual({
        ok: false,
        message:
          "“clip.mp4” could not be opened within 5 seconds, so it cannot be checked. Try MP4 with H.264/AAC or WebM.",
      });
      expect(revoked).toEqual(["blob:fake"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses sound without a picture", async () => {
    const video = new FakeVideo({ metadata: { width: 0, height: 0, duration: 30 } });
    expect(await probeMedia(clip, environment(video).env)).toEqual({
      ok: false,
      message: "“clip.mp4” has no picture (sound only). Attach a video or a photo.",
    });
  });

  it("takes a video without a known duration, using its first frame", async () => {
    const video = new FakeVideo({ metadata: { width: 320, height: 240, duration: Infinity } });
    const loaded = probeMedia(clip, environment(video).env, { poster });
    // No seek for an unknown duration: the first frame arriving is enough.
    await Promise.resolve();
    await Promise.resolve();
    video.readyState = 2;
    video.dispatchEvent(new Event("loadeddata"));
    const result = await loaded;
    expect(result).toMatchObject({ ok: true, facts: { width: 320, height: 240 } });
    expect(result.ok && "durationSeconds" in result.facts).toBe(false);
    expect(video.seekedTo).toEqual([]);
  });

  it("decodes images fully and refuses those that do not decode", async () => {
    const photo = new File(["x"], "photo.png", { type: "image/png" });
    const video = new FakeVideo({});
    const good = environment(video, () => Promise.resolve({ width: 4000, height: 3000 })).env;
    expect(await probeMedia(photo, good)).toEqual({ ok: true, facts: { width: 4000, height: 3000 }, poster: null });
    expect(await probeMedia(photo, environment(video).env)).toEqual({
      ok: false,
      message: "“photo.png” can't be shown in a browser (the PNG image could not be decoded). Try JPEG, PNG or WebP.",
    });
  });
});

describe("poster frames", () => {
  it("are taken 10% in, at most 2 s, or at the start when the duration is unknown", () => {
    expect(posterTime(3)).toBeCloseTo(0.3);
    expect([posterTime(20), posterTime(3600), posterTime(undefined), posterTime(Infinity)]).toEqual([2, 2, 0, 0]);
  });

  it("are scaled down to 640 px wide at most, never up, keeping the shape", () => {
    expect(posterSize(1920, 1080, 640)).toEqual({ width: 640, height: 360 });
    expect(posterSize(1080, 1920, 640)).toEqual({ width: 640, height: 1138 });
    expect(posterSize(320, 180, 640)).toEqual({ width: 320, height: 180 });
  });

  it("fall back to JPEG where WebP cannot be written, and are skipped when neither can", async () => {
    const frame = { videoWidth: 100, videoHeight: 50 } as unknown as HTMLVideoElement;
    const jpeg = await capturePoster(frame, fakeCanvas(["image/jpeg"]), poster);
    expect(jpeg?.type).toBe("image/jpeg");
    expect(await capturePoster(frame, fakeCanvas([]), poster)).toBeNull();
  });
});
