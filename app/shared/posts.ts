/** The posts API's JSON shapes and rules, shared by the server and the page. */
export interface FeedMedia {
  contentType: string;
  /** A short-lived presigned GET URL: the bucket stays private. */
  url: string;
  /** A video's poster frame (presigned like `url`), or null. */
  posterUrl: string | null;
  size: number;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
}

export interface FeedPost {
  id: string;
  /** May be empty when the post has media: the caption is optional then. */
  text: string;
  createdAt: string;
  author: { login: string; name: string | null; avatarUrl: string | null };
  /** Whether the viewer wrote it (and so may delete it). */
  mine: boolean;
  media: FeedMedia | null;
}

export interface FeedPage {
  posts: FeedPost[];
  nextCursor: string | null;
}

/** The most characters a post's text may have. */
export const POST_TEXT_LIMIT = 2000;

/**
 * Characters as people and the database count them: Unicode code points, after trimming. PostgreSQL's
 * char_length counts the same way, so the page, the API and the table's check agree: 🎉 is one
 * character (two UTF-16 units), 👍🏽 is two (a hand and a skin tone).
 */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text.trim()) count += 1;
  return count;
}

export const NOTHING_TO_POST = "Write something or attach a video or photo.";

/**
 * Why this text cannot be posted, or null. The rule: a post needs text or an attachment; with an
 * attachment the caption is optional (the feed then shows the media alone).
 */
export function postTextProblem(text: string, hasMedia: boolean): string | null {
  const count = countCharacters(text);
  if (count > POST_TEXT_LIMIT) {
    const over = count - POST_TEXT_LIMIT;
    return `${over.toLocaleString("en")} character${over === 1 ? "" : "s"} over the limit`;
  }
  if (count === 0 && !hasMedia) return NOTHING_TO_POST;
  return null;
}

/** Poster frames: a still of a video, captured in the browser and uploaded with the post. */
export const POSTER = {
  /** The poster is scaled down to at most this width (in pixels). */
  maxWidth: 640,
  /** Types a poster may have (WebP where the browser can encode it, JPEG otherwise). */
  types: ["image/webp", "image/jpeg"] as readonly string[],
  /** Largest poster the server accepts. */
  maxBytes: 2 * 1024 * 1024,
  /** How long posting waits for the poster's upload before posting without it. */
  waitMs: 20_000,
};
