import type { Operation } from "./operations.js";

export interface OperationStats {
  requests: number;
  bytesReceived: number;
  bytesSent: number;
  /** Body bytes that were verified and kept (objects and parts). */
  bytesStored: number;
  faults: number;
  errors: number;
}

export type Stats = Partial<Record<Operation, OperationStats>>;

/** Counters per operation, so tests can assert what a client really sent. */
export class StatsCounter {
  private counters: Stats = {};

  of(op: Operation): OperationStats {
    return (this.counters[op] ??= {
      requests: 0,
      bytesReceived: 0,
      bytesSent: 0,
      bytesStored: 0,
      faults: 0,
      errors: 0,
    });
  }

  snapshot(): Stats {
    return structuredClone(this.counters);
  }

  reset(): void {
    this.counters = {};
  }
}
