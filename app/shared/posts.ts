/** The posts API's JSON shapes, shared by the server and the page. */
export interface FeedMedia {
  contentType: string;
  /** A short-lived presigned GET URL: the bucket stays private. */
  url: string;
  size: number;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
}

export interface FeedPost {
  id: string;
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
