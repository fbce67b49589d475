import { useEffect, useRef, useState } from "react";

/** Initials, or the person's picture over them. */
export function Avatar({ name, url, size = 36 }: { name: string; url: string | null; size?: number }) {
  const [failed, setFailed] = useState(false);
  const image = useRef<HTMLImageElement>(null);
  // An image that failed before the page hydrated fired its error event before React listened;
  // decode() still says so (it rejects for a broken image, now or once it has loaded).
  useEffect(() => {
    image.current?.decode().catch(() => setFailed(true));
  }, [url]);
  const initials = name
    .split(/[\s-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => [...part][0]!.toUpperCase())
    .join("");
  const style = { width: size, height: size };
  if (url && !failed)
    return (
      <img
        ref={image}
        src={url}
        alt=""
        style={style}
        onError={() => setFailed(true)}
        className="shrink-0 rounded-full bg-slate-200 object-cover"
      />
    );
  return (
    <span
      aria-hidden="true"
      style={style}
      data-testid="avatar-initials"
      className="inline-flex shrink-0 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700"
    >
      {initials || "?"}
    </span>
  );
}
