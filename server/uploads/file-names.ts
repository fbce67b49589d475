/** The uploaded file's name: cleaned once for storing and showing, and carried in the object's Content-Disposition. */

/**
 * Characters that are never shown as themselves: controls (Cc), format characters (Cf: the bidi
 * overrides and isolates that make "invoice\u202Egpj.exe" read "invoiceexe.jpg", zero-width joiners,
 * the BOM), line and paragraph separators, and unpaired surrogates (which no encoding can carry).
 */
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** A file name safe to store and show: no path, nothing invisible, at most 255 characters. */
export function sanitizeFileName(name: string): string {
  const base = name.normalize("NFC").split(/[\\/]/).pop() ?? "";
  const clean = base.replace(INVISIBLE_CHARACTERS, "").replace(/\s+/g, " ").trim();
  const limited = [...clean].slice(0, 255).join("");
  return limited === "" || limited === "." || limited === ".." ? "upload" : limited;
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
