/** The one shape of every API error body, produced by the server's routes and read by the browser. */
export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string[]>; details?: Record<string, unknown> };
}
