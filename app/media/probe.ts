/**
 * The playability probe: before any byte is uploaded, the browser opens the file as the feed will
 * (a detached <video>, or an image decode) and refuses what it cannot show, so no one posts a dead
 * player. What it measures (size, duration) goes with the post as display hints; a video also yields
 * its poster frame. Framework-free; the DOM comes in through `ProbeEnvironment`.
 */
import { capturePoster, posterTime, type PosterCanvas } from "./poster";

export interface MediaFacts {
  width: number;
  height: number;
  /** Videos only, when the file states it (a live-recorded WebM may not). */
  durationSeconds?: number;
}

export type ProbeResult = { ok: true; facts: MediaFacts; poster: Blob | null } | { ok: false; message: string };

/** The parts of a <video> the probe uses. */
export interface ProbeVideo extends EventTarget {
  muted: boolean;
  preload: string;
  src: string;
  currentTime: number;
  readonly duration: number;
  readonly videoWidth: number;
  readonly videoHeight: number;
  readonly readyState: number;
  readonly error: { code: number } | null;
  removeAttribute(name: string): void;
  load(): void;
}

export interface ProbeEnvironment {
  createObjectURL(file: Blob): string;
  revokeObjectURL(url: string): void;
  createVideo(): ProbeVideo;
  createCanvas(): PosterCanvas;
  /** Decodes an image fully (as createImageBitmap does); rejects when it cannot. */
  decodeImage(file: Blob): Promise<{ width: number; height: number }>;
}

export interface ProbeOptions {
  /** How long loading the metadata, and then seeking to the poster frame, may each take. */
  timeoutMs?: number;
  poster?: { maxWidth: number; types: readonly string[] };
}

export const PROBE_TIMEOUT_MS = 15_000;
const HAVE_CURRENT_DATA = 2;
/** MediaError codes (the DOM's constants, which Node lacks). */
const MEDIA_ERR_DECODE = 3;

const LABELS: Record<string, string> = {
  "video/mp4": "MP4",
  "video/webm": "WebM",
  "video/quicktime": "MOV",
  "image/jpeg": "JPEG",
  "image/png": "PNG",
  "image/webp": "WebP",
  "image/gif": "GIF",
};
const labelOf = (type: string) => LABELS[type] ?? type;

const VIDEO_ADVICE = "Try MP4 with H.264/AAC or WebM.";
const IMAGE_ADVICE = "Try JPEG, PNG or WebP.";

/** The sentence a person reads when the file cannot be shown; says what went wrong and what to try. */
export function refusalMessage(
  file: Pick<File, "name" | "type">,
  problem: "unsupported" | "undecodable" | "timeout" | "no-picture",
  timeoutMs = PROBE_TIMEOUT_MS,
): string {
  const name = `“${file.name}”`;
  const label = labelOf(file.type);
  const video = file.type.startsWith("video/");
  const advice = video ? VIDEO_ADVICE : IMAGE_ADVICE;
  switch (problem) {
    case "no-picture":
      return `${name} has no picture (sound only). Attach a video or a photo.`;
    case "timeout":
      return `${name} could not be opened within ${Math.round(timeoutMs / 1000)} seconds, so it cannot be checked. ${advice}`;
    case "undecodable":
      return video
        ? `${name} can't be played in a browser (its ${label} video could not be decoded). ${advice}`
        : `${name} can't be shown in a browser (the ${label} image could not be decoded). ${advice}`;
    case "unsupported":
      return video
        ? `${name} can't be played in a browser (an ${label} file whose codec or structure browsers cannot read). ${advice}`
        : `${name} can't be shown in a browser (the ${label} image could not be read). ${advice}`;
  }
}

/** Opens `file` as the feed would show it; refuses it with a plain message when a browser cannot. */
export async function probeMedia(file: File, env: ProbeEnvironment, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  if (file.type.startsWith("image/")) {
    const decoded = await withTimeout(env.decodeImage(file), timeoutMs).then(
      (size) => size ?? ("timeout" as const),
      () => "undecodable" as const,
    );
    if (typeof decoded === "string") return { ok: false, message: refusalMessage(file, decoded, timeoutMs) };
    return { ok: true, facts: { width: decoded.width, height: decoded.height }, poster: null };
  }
  return probeVideo(file, env, timeoutMs, options.poster);
}

async function probeVideo(
  file: File,
  env: ProbeEnvironment,
  timeoutMs: number,
  poster: ProbeOptions["poster"],
): Promise<ProbeResult> {
  const url = env.createObjectURL(file);
  const video = env.createVideo();
  const refuse = (problem: Parameters<typeof refusalMessage>[1]): ProbeResult => ({
    ok: false,
    message: refusalMessage(file, problem, timeoutMs),
  });
  try {
    video.muted = true;
    video.preload = "auto";
    video.src = url;
    const loaded = await nextEvent(video, "loadedmetadata", timeoutMs);
    if (loaded !== "ok") return refuse(failure(video, loaded));
    if (!video.videoWidth || !video.videoHeight) return refuse("no-picture");
    const facts: MediaFacts = {
      width: video.videoWidth,
      height: video.videoHeight,
      ...(Number.isFinite(video.duration) && video.duration > 0 ? { durationSeconds: video.duration } : {}),
    };
    // A frame must decode too: metadata alone loads for some files whose video cannot be played.
    const at = posterTime(facts.durationSeconds);
    const framed =
      at > 0
        ? await nextEvent(video, "seeked", timeoutMs, () => (video.currentTime = at))
        : video.readyState >= HAVE_CURRENT_DATA
          ? "ok"
          : await nextEvent(video, "loadeddata", timeoutMs);
    if (framed !== "ok") return refuse(failure(video, framed));
    const still = poster ? await capturePoster(video as unknown as HTMLVideoElement, env.createCanvas(), poster) : null;
    return { ok: true, facts, poster: still };
  } finally {
    video.removeAttribute("src");
    video.load();
    env.revokeObjectURL(url);
  }
}

function failure(video: ProbeVideo, outcome: "error" | "timeout"): "unsupported" | "undecodable" | "timeout" {
  if (outcome === "timeout") return "timeout";
  return video.error?.code === MEDIA_ERR_DECODE ? "undecodable" : "unsupported";
}

/** Waits for `name` (after running `start`), or the element's error event, or the timeout. */
function nextEvent(
  target: EventTarget,
  name: string,
  timeoutMs: number,
  start?: () => void,
): Promise<"ok" | "error" | "timeout"> {
  return new Promise((resolve) => {
    const settle = (outcome: "ok" | "error" | "timeout") => {
      clearTimeout(timer);
      target.removeEventListener(name, onEvent);
      target.removeEventListener("error", onError);
      resolve(outcome);
    };
    const onEvent = () => settle("ok");
    const onError = () => settle("error");
    const timer = setTimeout(() => settle("timeout"), timeoutMs);
    target.addEventListener(name, onEvent);
    target.addEventListener("error", onError);
    start?.();
  });
}

/** The promise's value, or undefined if it takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The real DOM: a detached <video> and <canvas>, object URLs, and createImageBitmap for images. */
export const browserProbeEnvironment: ProbeEnvironment = {
  createObjectURL: (file) => URL.createObjectURL(file),
  revokeObjectURL: (url) => URL.revokeObjectURL(url),
  createVideo: () => document.createElement("video"),
  createCanvas: () => document.createElement("canvas"),
  async decodeImage(file) {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  },
};
