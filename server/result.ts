/** A domain failure: becomes `{ error: { code, message, fields?, details? } }` with `status` at the route. */
export interface DomainError {
  status: number;
  code: string;
  message: string;
  fields?: Record<string, string[]>;
  details?: Record<string, unknown>;
  /** Response headers that go with it (Retry-After on a 429). */
  headers?: Record<string, string>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = <T = never>(
  status: number,
  code: string,
  message: string,
  extra: Pick<DomainError, "fields" | "details" | "headers"> = {},
): Result<T> => ({
  ok: false,
  error: { status, code, message, ...extra },
});
