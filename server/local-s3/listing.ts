export type ListingEntry = { type: "key"; key: string } | { type: "prefix"; prefix: string };

export interface ListingOptions {
  prefix: string;
  delimiter: string;
  /** Exclusive lower bound: a key or a common prefix returned by the previous page. */
  after: string;
  maxKeys: number;
}

export interface Listing {
  entries: ListingEntry[];
  isTruncated: boolean;
  /** The last key or prefix returned, to continue from. */
  last?: string;
}

/** Pages through sorted keys the way S3 lists them: prefix, delimiter roll-up, exclusive marker. */
export function listKeys(sortedKeys: string[], options: ListingOptions): Listing {
  const { prefix, delimiter, after, maxKeys } = options;
  // S3 answers a request for no keys with an empty page that is not truncated.
  if (maxKeys === 0) return { entries: [], isTruncated: false };
  const entries: ListingEntry[] = [];
  let lastPrefix: string | undefined = delimiter && after.endsWith(delimiter) ? after : undefined;
  for (const key of sortedKeys) {
    if (key <= after && !(after === "" && key === "")) continue;
    if (!key.startsWith(prefix)) {
      if (key > prefix) break;
      continue;
    }
    if (lastPrefix !== undefined && key.startsWith(lastPrefix)) continue;
    let entry: ListingEntry = { type: "key", key };
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) {
        lastPrefix = key.slice(0, at + delimiter.length);
        entry = { type: "prefix", prefix: lastPrefix };
      }
    }
    if (entries.length === maxKeys) {
      const last = entries.at(-1);
      return { entries, isTruncated: true, last: last && (last.type === "key" ? last.key : last.prefix) };
    }
    entries.push(entry);
  }
  const last = entries.at(-1);
  return { entries, isTruncated: false, last: last && (last.type === "key" ? last.key : last.prefix) };
}
