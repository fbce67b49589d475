import { createHash } from "node:crypto";
import type { Locator } from "@playwright/test";

export interface PageFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export const sha256Hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Drops `file` on `target` as a person dragging it from their desktop would. */
export async function dropFile(target: Locator, file: PageFile): Promise<void> {
  await target.evaluate(
    (element, { name, mimeType, bytes }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type: mimeType, lastModified: Date.now() }));
      for (const type of ["dragenter", "dragover", "drop"])
        element.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name: file.name, mimeType: file.mimeType, bytes: [...file.buffer] },
  );
}
