import type { UploadPurpose } from "~/shared/uploads";
import { createHttpUploadApi, type CreateUploadInput, type UploadApi } from "~/upload/api";

/**
 * The upload API for a video's poster frame: the same routes and checks as any upload, with the
 * upload marked as a poster (WebP/JPEG, small, never offered for resuming).
 */
export function posterUploadApi(): UploadApi {
  const api = createHttpUploadApi();
  return {
    ...api,
    create: (input) => {
      const poster: CreateUploadInput & { purpose: UploadPurpose } = { ...input, purpose: "poster" };
      return api.create(poster);
    },
  };
}

/** The captured frame as a file to upload, named after its video ("clip.webm" → "clip-poster.webp"). */
export function posterFile(still: Blob, video: File): File {
  const base = video.name.replace(/\.[^.]*$/, "") || "video";
  const extension = still.type === "image/jpeg" ? "jpg" : "webp";
  return new File([still], `${base}-poster.${extension}`, { type: still.type, lastModified: video.lastModified });
}

/** What `work` resolves to, or null when it has not settled within `ms`. */
export function settleWithin<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
