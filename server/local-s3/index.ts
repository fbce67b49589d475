export { startLocalS3, type LocalS3, type LocalS3Options } from "./server.js";
export { FaultConfigError, type FaultRuleInput } from "./fault-rules.js";
export { describeEvent, type LocalS3Event } from "./events.js";
export type { Operation } from "./operations.js";
export type { Stats, OperationStats } from "./stats.js";
export type { CorsRule } from "./cors.js";
export { startLocalS3OnStickyPort } from "./sticky-port.js";
