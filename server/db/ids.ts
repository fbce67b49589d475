import { z } from "zod";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one schema for row ids (uuids), in paths, bodies and cursors. Parse before querying: a malformed
 * id must answer like an unknown one (404), never reach PostgreSQL as an invalid uuid (an error, a 500).
 */
export const idSchema = z.string().regex(UUID, "is not a valid id");

export function isUuid(id: unknown): id is string {
  return idSchema.safeParse(id).success;
}
