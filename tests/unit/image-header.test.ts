import { describe, expect, it } from "vitest";
import { imageDimensions } from "../../server/uploads/image-header.js";
import { IMAGE_FIXTURES, POLYGLOTS, imageBytes, jpegWithBulkyMetadata } from "../support/images.js";

describe("image headers", () => {
  it.each(IMAGE_FIXTURES)("reads $file as $width × $height", ({ file, contentType, width, height }) => {
    expect(imageDimensions(contentType, imageBytes(file), true)).toEqual({ width, height });
  });

  it.each(Object.entries(POLYGLOTS))("refuses %s magic bytes followed by HTML", (contentType, bytes) => {
    expect(imageDimensions(contentType, bytes, true)).toBeUndefined();
  });

  it("asks for more bytes when the header runs past them, and refuses a file that ends there", () => {
    const jpeg = jpegWithBulkyMetadata(3);
    expect(imageDimensions("image/jpeg", jpeg.subarray(0, 64 * 1024), false)).toBe("incomplete");
    expect(imageDimensions("image/jpeg", jpeg, true)).toEqual({ width: 40, height: 30 });
    expect(imageDimensions("image/png", imageBytes("photo.png").subarray(0, 20), false)).toBe("incomplete");
    expect(imageDimensions("image/png", imageBytes("photo.png").subarray(0, 20), true)).toBeUndefined();
  });

  it("refuses a PNG whose IHDR fails its CRC or has impossible fields", () => {
    const crc = Buffer.from(imageBytes("photo.png"));
    crc[17] = crc[17]! ^ 0x01; // width changed, CRC not
    expect(imageDimensions("image/png", crc, true)).toBeUndefined();
    const zero = Buffer.from(imageBytes("photo.png"));
    zero.writeUInt32BE(0, 16);
    expect(imageDimensions("image/png", zero, true)).toBeUndefined();
  });

  it("refuses a JPEG whose scan starts before any frame header", () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6]);
    expect(imageDimensions("image/jpeg", bytes, true)).toBeUndefined();
  });

  it("refuses a GIF of zero width and a WebP with an unknown chunk", () => {
    const gif = Buffer.from(imageBytes("pixels.gif"));
    gif.writeUInt16LE(0, 6);
    expect(imageDimensions("image/gif", gif, true)).toBeUndefined();
    const webp = Buffer.from(imageBytes("photo-vp8.webp"));
    webp.write("HTML", 12, "latin1");
    expect(imageDimensions("image/webp", webp, true)).toBeUndefined();
  });

  it("does not read headers of other types", () => {
    expect(imageDimensions("video/mp4", imageBytes("photo.png"), true)).toBeUndefined();
  });
});
