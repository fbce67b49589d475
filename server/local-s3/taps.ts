import type { Socket } from "node:net";
import { Transform, type TransformCallback } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

/** Counts bytes as they pass. */
export function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
}

/** Passes `afterBytes` bytes, then destroys the connection: a network drop mid-body. */
export function resetAfter(afterBytes: number, socket: Socket): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (seen + chunk.length >= afterBytes) {
        const allowed = chunk.subarray(0, Math.max(0, afterBytes - seen));
        seen = afterBytes;
        if (allowed.length > 0) this.push(allowed);
        socket.resetAndDestroy();
        callback(new Error("local-s3: connection reset by fault injection"));
        return;
      }
      seen += chunk.length;
      callback(null, chunk);
    },
  });
}

/** Limits the rate of bytes that pass to `bytesPerSecond`. */
export function throttle(bytesPerSecond: number): Transform {
  const started = Date.now();
  let passed = 0;
  return new Transform({
    async transform(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      const due = started + (passed / bytesPerSecond) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      callback(null, chunk);
    },
  });
}
