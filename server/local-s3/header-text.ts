// Header values with characters beyond US-ASCII. Node reads header bytes as latin1 (one character per
// byte); clients send such values either as latin1 (Node's http, which the JS SDK uses) or as UTF-8 bytes
// (the Go, Java and Rust SDKs, curl), and sign them as the text they meant.

const utf8 = new TextDecoder("utf-8", { fatal: true });
const BEYOND_ASCII = /[^ -~\t]/;

/** The value's bytes read as UTF-8, when they are not plain ASCII and form valid UTF-8; else undefined. */
export function asUtf8(value: string): string | undefined {
  if (!BEYOND_ASCII.test(value)) return undefined;
  try {
    return utf8.decode(Buffer.from(value, "latin1"));
  } catch {
    return undefined;
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;
const CHARSETS: Record<string, BufferEncoding> = { "utf-8": "utf8", "iso-8859-1": "latin1", "us-ascii": "latin1" };

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) decoded; others (unknown charsets) left as they are. */
export function decodeEncodedWords(value: string): string {
  // Whitespace between two encoded words is not part of the text.
  return value.replace(/(\?=)\s+(?==\?)/g, "$1").replace(ENCODED_WORD, (word, charset: string, coding, text) => {
    const encoding = CHARSETS[charset.toLowerCase()];
    if (!encoding) return word;
    const bytes =
      coding.toLowerCase() === "b"
        ? Buffer.from(text, "base64")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9a-f]{2})/gi, (_match: string, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            "latin1",
          );
    return bytes.toString(encoding);
  });
}

/** A metadata value as S3 returns it: as it is when US-ASCII, else as one RFC 2047 encoded word (UTF-8, base64). */
export function mailSafe(value: string): string {
  return BEYOND_ASCII.test(value) ? `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=` : value;
}
