/** The app's own time for an API call, as its `Server-Timing` header carries it (server writes, clients read). */
export const serverTimingValue = (ms: number) => `app;dur=${ms.toFixed(1)}`;

/** The app's time in ms from a `Server-Timing` header (undefined when it has none). */
export function appDuration(header: string | null): number | undefined {
  const match = header?.match(/(?:^|,)\s*app;(?:[^,]*;)?\s*dur=([\d.]+)/);
  return match ? Number(match[1]) : undefined;
}
