import { XMLParser } from "fast-xml-parser";
import { S3Error, errors } from "./errors.js";

const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"\r]/g, (c) =>
    c === "<"
      ? "&lt;"
      : c === ">"
        ? "&gt;"
        : c === "&"
          ? "&amp;"
          : c === "'"
            ? "&apos;"
            : c === '"'
              ? "&quot;"
              : "&#13;",
  );
}

export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  [tag: string]: XmlValue;
}

/** Serialises a node tree; arrays repeat the tag, undefined/null omit it. */
function render(tag: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => render(tag, v)).join("");
  if (typeof value === "object") {
    const inner = Object.entries(value)
      .map(([k, v]) => render(k, v))
      .join("");
    return `<${tag}>${inner}</${tag}>`;
  }
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

export function xmlDocument(root: string, body: XmlNode, namespaced = true): string {
  const inner = Object.entries(body)
    .map(([k, v]) => render(k, v))
    .join("");
  const open = namespaced ? `<${root} xmlns="${S3_NS}">` : `<${root}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${inner}</${root}>`;
}

export function errorXml(error: S3Error, resource: string, requestId: string): string {
  return xmlDocument(
    "Error",
    { Code: error.code, Message: error.message, ...error.extra, Resource: resource, RequestId: requestId },
    false,
  );
}

const TEXT = "#text";

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // Values are kept as sent: keys such as " " or "a " must reach DeleteObjects unchanged.
  trimValues: false,
  textNodeName: TEXT,
  removeNSPrefix: true,
  processEntities: true,
  // Character references too: Go's encoding/xml (aws-sdk-go, rclone, minio-go) writes the quotes
  // around ETags as &#34;, and this server writes \r in keys as &#13;.
  htmlEntities: true,
});

/** Drops the whitespace between elements (indentation), which untrimmed parsing keeps as text. */
function withoutIndentation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIndentation);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    if (name === TEXT && typeof child === "string" && child.trim() === "") continue;
    out[name] = withoutIndentation(child);
  }
  return out;
}

/** Parses a request body; returns the root element's content or throws MalformedXML. */
export function parseXmlBody(text: string, root: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = withoutIndentation(parser.parse(text, true));
  } catch {
    throw errors.malformedXml();
  }
  const node = (parsed as Record<string, unknown>)[root];
  if (node === undefined) throw errors.malformedXml();
  // An element with no children (or only whitespace) is an empty document.
  return typeof node === "string" && node.trim() === "" ? {} : (node as Record<string, unknown>);
}

/** XML elements that may repeat come back as a value or an array: always an array here. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
