export { startLocalS3, type LocalS3, type LocalS3Options } from "./server.js";
export type { FaultRuleInput, Operation } from "./faults.js";
export type { Stats, OperationStats } from "./stats.js";
export type { CorsRule } from "./cors.js";
export { startLocalS3OnStickyPort } from "./sticky-port.js";
