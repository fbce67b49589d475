import { parseFaultConfig, type FaultRule, type FaultRuleInput } from "./fault-rules.js";
import type { Operation } from "./operations.js";

export interface FaultState {
  seed: number;
  rules: FaultRule[];
}

/** mulberry32: tiny, fast and good enough to make "20% of parts fail" reproducible from a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEFAULT_CODES: Record<number, string> = {
  400: "BadRequest",
  403: "AccessDenied",
  404: "NoSuchKey",
  409: "OperationAborted",
  429: "SlowDown",
  500: "InternalError",
  501: "NotImplemented",
  503: "SlowDown",
};

export function faultErrorCode(rule: Extract<FaultRule, { fault: "status" }>): string {
  return rule.code ?? DEFAULT_CODES[rule.status] ?? "InjectedFault";
}

/** The request a fault may be injected into. */
export interface FaultTarget {
  op: Operation;
  bucket: string;
  key: string;
  /** UploadPart and UploadPartCopy: the part number. */
  partNumber?: number;
  /** Whether the request is the first on its connection. */
  freshConnection: boolean;
}

/** A fault to inject, and the index of the rule that chose it. */
export interface PickedFault {
  rule: FaultRule;
  index: number;
}

/**
 * Decides, per request and in arrival order, which fault (if any) applies.
 * The same seed and the same sequence of requests give the same decisions.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private injected: number[] = [];
  private random: () => number = Math.random;
  private seed = 0;

  constructor(rules: FaultRuleInput[] = [], seed = 1) {
    this.set(rules, seed);
  }

  /** Puts `rules` in force (counting afresh); throws FaultConfigError, naming the field, for a bad rule. */
  set(rules: FaultRuleInput[], seed = this.seed): void {
    this.rules = parseFaultConfig({ rules, seed }).rules;
    this.injected = this.rules.map(() => 0);
    this.seed = seed;
    this.random = mulberry32(seed);
  }

  state(): FaultState & { injected: number[] } {
    return { seed: this.seed, rules: this.rules, injected: [...this.injected] };
  }

  /** Whether a rule that wants fresh connections can still fire: then every answer closes its connection. */
  wantsFreshConnections(): boolean {
    return this.rules.some((rule, index) => rule.connection === "fresh" && this.canFire(index));
  }

  pick(target: FaultTarget): PickedFault | undefined {
    for (const [index, rule] of this.rules.entries()) {
      if (!this.matches(rule, target) || !this.canFire(index)) continue;
      // Draw for every matching rule so the sequence depends only on the requests, not on earlier outcomes.
      const hit = this.random() < rule.probability;
      if (hit) {
        this.injected[index]! += 1;
        return { rule, index };
      }
    }
    return undefined;
  }

  private matches(rule: FaultRule, { op, bucket, key, partNumber, freshConnection }: FaultTarget): boolean {
    if (rule.op !== "*" && rule.op !== op) return false;
    if (rule.bucket !== undefined && rule.bucket !== bucket) return false;
    if (rule.keyPrefix !== undefined && !key.startsWith(rule.keyPrefix)) return false;
    if (rule.partNumbers !== undefined && (partNumber === undefined || !rule.partNumbers.includes(partNumber)))
      return false;
    return rule.connection !== "fresh" || freshConnection;
  }

  private canFire(index: number): boolean {
    const times = this.rules[index]!.times;
    return times === undefined || this.injected[index]! < times;
  }
}
