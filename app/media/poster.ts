/** Poster frames: which moment of a video to show before it plays, at what size, in what format. */

/** 10% of the way in (past a fade from black), but at most 2 s, so long videos need little decoding. */
export function posterTime(durationSeconds: number | undefined): number {
  return durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds > 0
    ? Math.min(durationSeconds * 0.1, 2)
    : 0;
}

/** The video's frame scaled down (never up) to at most `maxWidth` wide, keeping its shape. */
export function posterSize(width: number, height: number, maxWidth: number): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / width);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** What a poster is drawn on: a canvas, or a fake in tests. */
export interface PosterCanvas {
  width: number;
  height: number;
  getContext(
    kind: "2d",
  ): { drawImage(image: CanvasImageSource, x: number, y: number, w: number, h: number): void } | null;
  toBlob(callback: (blob: Blob | null) => void, type: string, quality: number): void;
}

/**
 * Draws the video's current frame, scaled to `maxWidth`, and encodes it in the first of `types` the
 * browser can write (WebP where it can; a browser that cannot answers with PNG, which is then skipped).
 * Null when no type works: the video is posted without a poster.
 */
export async function capturePoster(
  video: CanvasImageSource & { videoWidth: number; videoHeight: number },
  canvas: PosterCanvas,
  options: { maxWidth: number; types: readonly string[]; quality?: number },
): Promise<Blob | null> {
  const size = posterSize(video.videoWidth, video.videoHeight, options.maxWidth);
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.drawImage(video, 0, 0, size.width, size.height);
  for (const type of options.types) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, options.quality ?? 0.8));
    if (blob?.type === type) return blob;
  }
  return null;
}
