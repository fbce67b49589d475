import { describe, expect, it } from "vitest";
import { guardLeaving } from "~/upload/leave-guard";

function leave(target: EventTarget): { prevented: boolean; returnValue: unknown } {
  const event = new Event("beforeunload", { cancelable: true });
  // As on a BeforeUnloadEvent, returnValue is writable (Node's plain Event has a getter only).
  Object.defineProperty(event, "returnValue", { writable: true, value: undefined });
  target.dispatchEvent(event);
  return { prevented: event.defaultPrevented, returnValue: event.returnValue };
}

describe("leaving the page", () => {
  it("asks for confirmation while an upload runs, and only then", () => {
    const target = new EventTarget();
    let running = false;
    const stop = guardLeaving(target as unknown as Window, () => running);
    expect(leave(target).prevented).toBe(false);
    running = true;
    expect(leave(target)).toEqual({ prevented: true, returnValue: "" });
    stop();
    expect(leave(target).prevented).toBe(false);
  });
});
