import { faultErrorCode } from "./faults.js";
import type { FaultKind, FaultRule } from "./fault-rules.js";
import type { Operation } from "./operations.js";

/** A fault the server injected, as its `log` option receives it. */
export interface FaultEvent {
  type: "fault";
  /** The index of the rule that injected it, in the rules in force. */
  rule: number;
  fault: FaultKind;
  /** How the fault shows to the client, in words. */
  effect: string;
  op: Operation;
  bucket: string;
  key: string;
  /** UploadPart and UploadPartCopy: the part number. */
  partNumber?: number;
}

/** What the local S3 reports through its `log` option. */
export type LocalS3Event = FaultEvent;

/** How a rule's fault shows to the client, in words. */
export function faultEffect(rule: FaultRule): string {
  const fresh = rule.connection === "fresh" ? ", on a fresh connection" : "";
  switch (rule.fault) {
    case "reset":
      return rule.after === "headers"
        ? `connection cut after the answer's headers${fresh}`
        : `connection reset after ${rule.afterBytes} body bytes${fresh}`;
    case "status":
      return `answered ${rule.status} ${faultErrorCode(rule)}${fresh}`;
    case "delay":
      return `delayed ${rule.ms} ms${fresh}`;
    case "throttle":
      return `throttled to ${rule.bytesPerSecond} bytes/s${fresh}`;
    case "stall":
      return `never answered${fresh}`;
    case "expire":
      return `answered 403 "Request has expired"${fresh}`;
  }
}

/** One line for a log: `local S3: fault rules[0] on UploadPart part 3 (media/v.mp4): connection reset after 0 body bytes`. */
export function describeEvent(event: LocalS3Event): string {
  const part = event.partNumber === undefined ? "" : ` part ${event.partNumber}`;
  return `local S3: fault rules[${event.rule}] on ${event.op}${part} (${event.bucket}/${event.key}): ${event.effect}`;
}
