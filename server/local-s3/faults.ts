import { z } from "zod";

export const OPERATIONS = [
  "ListBuckets",
  "CreateBucket",
  "HeadBucket",
  "DeleteBucket",
  "GetBucketLocation",
  "PutBucketCors",
  "GetBucketCors",
  "DeleteBucketCors",
  "PutObject",
  "CopyObject",
  "GetObject",
  "HeadObject",
  "DeleteObject",
  "DeleteObjects",
  "ListObjects",
  "ListObjectsV2",
  "ListObjectVersions",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "ListParts",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
  "ListMultipartUploads",
  "GetBucketAcl",
  "GetObjectAcl",
  "GetBucketPolicy",
  "GetBucketVersioning",
  "GetBucketLifecycleConfiguration",
  "GetBucketTagging",
  "GetObjectTagging",
  /** A subresource API this server does not implement: answered 501 NotImplemented. */
  "Unsupported",
  "Preflight",
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const faultRuleSchema = z
  .object({
    op: z.union([z.enum(OPERATIONS), z.literal("*")]),
    fault: z.enum(["reset", "status", "delay", "throttle", "stall", "expire"]),
    /** Chance that a matching request gets the fault, drawn from the seeded generator. */
    probability: z.number().min(0).max(1).default(1),
    /** Stop injecting after this many faults. */
    times: z.number().int().positive().optional(),
    bucket: z.string().optional(),
    keyPrefix: z.string().optional(),
    /** Only requests for these part numbers (UploadPart, UploadPartCopy): "part 37 fails twice". */
    partNumbers: z.array(z.number().int().min(1).max(10_000)).optional(),
    /** reset: bytes of the body to accept before destroying the socket. */
    afterBytes: z.number().int().nonnegative().default(0),
    /** status: HTTP status and S3 error code to answer with. */
    status: z.number().int().min(400).max(599).default(500),
    code: z.string().optional(),
    /** delay: milliseconds to wait before handling the request. */
    ms: z.number().int().nonnegative().default(1000),
    /** throttle: body bytes per second, both directions. */
    bytesPerSecond: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  })
  .strict();

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;
export const faultRulesSchema = z.array(faultRuleSchema);

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

export function faultErrorCode(rule: FaultRule): string {
  return rule.code ?? DEFAULT_CODES[rule.status] ?? "InjectedFault";
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

  set(rules: FaultRuleInput[], seed = this.seed): void {
    this.rules = faultRulesSchema.parse(rules);
    this.injected = this.rules.map(() => 0);
    this.seed = seed;
    this.random = mulberry32(seed);
  }

  state(): FaultState & { injected: number[] } {
    return { seed: this.seed, rules: this.rules, injected: [...this.injected] };
  }

  pick(op: Operation, bucket: string | undefined, key: string | undefined, partNumber?: number): FaultRule | undefined {
    for (const [index, rule] of this.rules.entries()) {
      if (rule.op !== "*" && rule.op !== op) continue;
      if (rule.bucket !== undefined && rule.bucket !== bucket) continue;
      if (rule.keyPrefix !== undefined && !(key ?? "").startsWith(rule.keyPrefix)) continue;
      if (rule.partNumbers !== undefined && (partNumber === undefined || !rule.partNumbers.includes(partNumber)))
        continue;
      if (rule.times !== undefined && this.injected[index]! >= rule.times) continue;
      // Draw for every matching rule so the sequence depends only on the requests, not on earlier outcomes.
      const hit = this.random() < rule.probability;
      if (hit) {
        this.injected[index]! += 1;
        return rule;
      }
    }
    return undefined;
  }
}
