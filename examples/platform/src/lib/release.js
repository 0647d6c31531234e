// The bundle's own identity: release.json sits at the bundle's root, one folder above lib/.
import { readFileSync } from "node:fs";
import path from "node:path";

export const bundleDir = path.resolve(import.meta.dirname, "..");

/** @type {{version: string, schemaVersion: string, fault: null | "migration" | "unhealthy" | "errors"}} */
export const release = JSON.parse(readFileSync(path.join(bundleDir, "release.json"), "utf8"));

/** Major version of the release: 2.0.0 changed the config keys and the jobs schema. */
export const major = Number(release.version.split(".")[0]);

/** Whether the release's code expects the jobs/job_runs split of migration 0004. */
export const hasJobRuns = release.schemaVersion >= "0004";
export const hasAuditEvents = release.schemaVersion >= "0002";
export const hasFeatureFlags = release.schemaVersion >= "0003";
