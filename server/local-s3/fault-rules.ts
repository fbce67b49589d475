import { z } from "zod";
import { OPERATIONS } from "./operations.js";

const FAULT_KINDS = ["reset", "status", "delay", "throttle", "stall", "expire"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What every rule may say, whatever its fault: which requests it picks, how often, and on which connections. */
const selection = {
  op: z.union([z.enum(OPERATIONS), z.literal("*")], {
    error: 'must be an S3 operation name such as "UploadPart", or "*"',
  }),
  /** Chance that a matching request gets the fault, drawn from the seeded generator. */
  probability: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").default(1),
  /** Stop injecting after this many faults. */
  times: z.number().int().positive().optional(),
  bucket: z.string().optional(),
  keyPrefix: z.string().optional(),
  /** Only requests for these part numbers (UploadPart, UploadPartCopy): "part 37 fails twice". */
  partNumbers: z.array(z.number().int().min(1).max(10_000)).optional(),
  /**
   * "fresh": only a request that is the first on its connection gets the fault, and while the rule is in
   * force every answer closes its connection, so that each request comes on a new one (a browser re-sends a
   * request on its own when a reused connection fails before any answer, which would hide the fault).
   */
  connection: z.enum(["any", "fresh"]).default("any"),
};

const rule = <K extends FaultKind, O extends z.ZodRawShape>(fault: K, options: O) =>
  z.object({ ...selection, fault: z.literal(fault), ...options }).strict();

export const faultRuleSchema = z.discriminatedUnion("fault", [
  rule("reset", {
    /** "body": after `afterBytes` bytes of the body (request body; GET: response body). "headers": after the answer's headers. */
    after: z.enum(["body", "headers"]).default("body"),
    afterBytes: z.number().int().nonnegative().default(0),
  }),
  /** An S3 error answer with this HTTP status and code. */
  rule("status", { status: z.number().int().min(400).max(599).default(500), code: z.string().optional() }),
  /** Milliseconds to wait before handling the request. */
  rule("delay", { ms: z.number().int().nonnegative().default(1000) }),
  /** Body bytes per second, both directions. */
  rule("throttle", {
    bytesPerSecond: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  }),
  rule("stall", {}),
  rule("expire", {}),
]);

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;

/** The fault rules in force and the seed of their random choices: the body of PUT /_local/faults and a --faults file. */
const faultConfigSchema = z.object({ seed: z.number().int().optional(), rules: z.array(faultRuleSchema) }).strict();
export type FaultConfig = z.output<typeof faultConfigSchema>;

/** A fault configuration that cannot be used, with one line saying which field is wrong and why. */
export class FaultConfigError extends Error {
  override name = "FaultConfigError";
}

const EXPECTED: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a string",
  array: "a list",
  object: "an object",
};

/** `["rules", 0, "probability"]` as `rules[0].probability`. */
function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>(
    (name, step) => (typeof step === "number" ? `${name}[${step}]` : name ? `${name}.${String(step)}` : String(step)),
    "",
  );
}

/** What is wrong with one field, in a few words (a message the schema gives is used as it is). */
function problem(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message)) return issue.message;
  const given = "input" in issue && issue.input !== undefined;
  switch (issue.code) {
    case "invalid_type":
      return given ? `must be ${EXPECTED[issue.expected] ?? issue.expected}` : "is required";
    case "too_small":
      return `must be ${issue.inclusive === false ? "more than" : "at least"} ${String(issue.minimum)}`;
    case "too_big":
      return `must be ${issue.inclusive === false ? "less than" : "at most"} ${String(issue.maximum)}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "unrecognized_keys": {
      const kind = given ? (issue.input as Record<string, unknown>).fault : undefined;
      const fields = issue.keys.map((k) => `"${k}"`).join(", ");
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${fields}${typeof kind === "string" ? ` for a ${kind} fault` : ""}`;
    }
    case "invalid_union": {
      const rule = given ? (issue.input as Record<string, unknown>) : {};
      const kinds = FAULT_KINDS.join(", ");
      return rule.fault === undefined ? `is required (one of ${kinds})` : `must be one of ${kinds}`;
    }
    default:
      return issue.message;
  }
}

/** Zod's issues as one line: `rules[0].probability: must be between 0 and 1; rules[1]: unknown field "ms"`. */
function oneLine(error: z.ZodError): string {
  const lines = error.issues.map((issue) => `${fieldName(issue.path) || "faults"}: ${problem(issue)}`);
  return lines.length > 3 ? `${lines.slice(0, 3).join("; ")}; and ${lines.length - 3} more` : lines.join("; ");
}

/** Reads fault rules given as `{ seed, rules }` or as a bare list of rules; throws FaultConfigError. */
export function parseFaultConfig(input: unknown): FaultConfig {
  const result = faultConfigSchema.safeParse(Array.isArray(input) ? { rules: input } : input, { reportInput: true });
  if (!result.success) throw new FaultConfigError(oneLine(result.error));
  return result.data;
}

/** Reads fault rules as JSON text (a --faults file, a PUT /_local/faults body); throws FaultConfigError. */
export function parseFaultConfigJson(text: string): FaultConfig {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new FaultConfigError(`faults: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseFaultConfig(input);
}
