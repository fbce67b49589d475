const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` can be a row id (a uuid). Check before querying: a malformed id must answer like an
 * unknown one (404), never reach PostgreSQL as an invalid uuid (an error, a 500).
 */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
