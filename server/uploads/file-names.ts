/** The uploaded file's name: cleaned once for storing and showing, and carried in the object's Content-Disposition. */

// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** A file name safe to store and show: no path, no control characters, at most 255 characters. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(CONTROL_CHARACTERS, "").replace(/\s+/g, " ").trim();
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
