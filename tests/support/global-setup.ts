import "./register-tsx.js";
import type { TestProject } from "vitest/node";
import { startTestCluster } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** Integration tests share one embedded PostgreSQL; each test file clones its own database from a migrated template. */
export default async function setup(project: TestProject) {
  const cluster = await startTestCluster();
  project.provide("pgAdminUrl", cluster.adminUrl);
  return () => cluster.stop();
}
