// The runbook (../shared/runbook.md) as data. The engine, the run page, the status page and the
// docs all read these definitions, so a step's title, duration and hints are written once.

export type Hint = { code: string; hint: string };

export type RunbookStep = {
  key: string;
  title: string;
  /** Plain-language line for stakeholders' status pages (no hosts, no internals). */
  publicTitle: string;
  objective: string;
  actions: string[];
  expectedSeconds: number;
  hints: Hint[];
};

const min = (m: number) => m * 60;

export const UPGRADE_STEPS = [
  {
    key: "preparation",
    title: "Pre-upgrade preparation",
    publicTitle: "Preparing the upgrade",
    objective: "Prepare the instance for upgrade.",
    actions: ["Review upgrade changelog", "Check compatibility requirements", "Verify update channel policy", "Create instance backup", "Schedule maintenance window", "Notify stakeholders"],
    expectedSeconds: min(10),
    hints: [
      { code: "incompatible_version", hint: "Incompatible version: review the upgrade path." },
      { code: "dependencies_not_met", hint: "Dependencies not met: upgrade dependencies first." },
      { code: "policy_refused", hint: "The update channel policy refuses this target: check the channel and the pinned version." },
    ],
  },
  {
    key: "backup",
    title: "Create instance backup",
    publicTitle: "Taking a backup",
    objective: "Create a complete backup of the instance.",
    actions: ["Create database backup", "Backup application configuration", "Backup uploaded files/assets", "Verify backup integrity", "Store backup securely"],
    expectedSeconds: min(5),
    hints: [
      { code: "backup_failed", hint: "Backup failed: check storage availability." },
      { code: "backup_timeout", hint: "Backup timeout: increase the backup timeout." },
      { code: "insufficient_storage", hint: "Insufficient storage: free up storage space." },
      { code: "backup_corrupt", hint: "Backup corruption: retry the backup." },
    ],
  },
  {
    key: "pre_checks",
    title: "Run pre-upgrade checks",
    publicTitle: "Checking the system is ready",
    objective: "Verify the instance is ready for upgrade.",
    actions: ["Check instance health", "Verify database integrity", "Check disk space availability", "Verify network connectivity", "Check for running jobs", "Validate configuration"],
    expectedSeconds: min(2),
    hints: [
      { code: "unhealthy", hint: "Status unhealthy: fix health issues before upgrading." },
      { code: "low_disk_space", hint: "Low disk space: free up space or expand storage." },
      { code: "active_jobs", hint: "Active jobs: wait for jobs to complete or pause the queue." },
      { code: "unreachable", hint: "The instance cannot be reached: verify network connectivity." },
      { code: "invalid_configuration", hint: "Invalid configuration: validate the configuration syntax." },
    ],
  },
  {
    key: "maintenance_on",
    title: "Enable maintenance mode",
    publicTitle: "Entering maintenance",
    objective: "Prepare the instance for upgrade by enabling maintenance mode.",
    actions: ["Enable maintenance mode", "Drain active connections", "Pause job queue", "Stop accepting new requests", "Display maintenance page"],
    expectedSeconds: min(1),
    hints: [{ code: "maintenance_failed", hint: "Failed to enable maintenance mode: check application status." }],
  },
  {
    key: "pull_artifacts",
    title: "Pull new artifacts",
    publicTitle: "Downloading the new version",
    objective: "Download and prepare new version artifacts.",
    actions: ["Pull new images or bundles", "Verify artifact checksums", "Prepare deployment files"],
    expectedSeconds: min(3),
    hints: [
      { code: "image_pull_failed", hint: "Image pull failed: check registry access." },
      { code: "checksum_mismatch", hint: "Checksum mismatch: re-download the artifacts." },
      { code: "digest_mismatch", hint: "Checksum mismatch: the pulled image's digest differs from the release's; re-download the artifacts." },
      { code: "network_timeout", hint: "Network timeout: retry with an increased timeout." },
    ],
  },
  {
    key: "migrate",
    title: "Run database migrations",
    publicTitle: "Updating the database",
    objective: "Update the database schema to the new version.",
    actions: ["Backup current schema", "Run migration scripts", "Verify schema changes", "Update schema version", "Test database integrity"],
    expectedSeconds: min(2),
    hints: [
      { code: "migration_failed", hint: "Migration failed: review the migration logs." },
      { code: "schema_conflict", hint: "Schema conflict: check for manual schema changes." },
      { code: "permission_denied", hint: "Permission denied: verify the database user's permissions." },
    ],
  },
  {
    key: "configure",
    title: "Update configuration",
    publicTitle: "Applying new settings",
    objective: "Apply configuration changes for the new version.",
    actions: ["Update environment variables", "Update application configuration", "Update feature flags", "Update secrets (if needed)", "Verify configuration syntax"],
    expectedSeconds: min(1),
    hints: [
      { code: "invalid_configuration", hint: "Invalid configuration: validate the configuration syntax." },
      { code: "missing_configuration", hint: "Missing required config: add the missing configuration." },
    ],
  },
  {
    key: "deploy",
    title: "Deploy new version",
    publicTitle: "Starting the new version",
    objective: "Deploy the new application version.",
    actions: ["Stop old containers", "Deploy new containers", "Start application services", "Start worker services", "Verify deployment"],
    expectedSeconds: min(3),
    hints: [
      { code: "container_start_failed", hint: "Container failed to start: check the container logs." },
      { code: "port_in_use", hint: "Port already in use: verify the old containers are stopped." },
      { code: "health_check_failed", hint: "Health check failed: review the application logs." },
    ],
  },
  {
    key: "validate",
    title: "Post-upgrade validation",
    publicTitle: "Checking everything works",
    objective: "Verify the upgrade was successful.",
    actions: ["Run health checks", "Run smoke tests", "Verify data integrity", "Check error logs", "Monitor performance metrics"],
    expectedSeconds: min(5),
    hints: [
      { code: "health_check_failed", hint: "Health check failures: review the application logs." },
      { code: "smoke_test_failed", hint: "Smoke test failures: investigate and fix the issues." },
      { code: "version_mismatch", hint: "The instance does not report the target version: check the deployment." },
      { code: "error_rate_high", hint: "High error rate: consider rolling back." },
      { code: "performance_degraded", hint: "Performance degradation: check resource utilization." },
    ],
  },
  {
    key: "maintenance_off",
    title: "Exit maintenance mode",
    publicTitle: "Leaving maintenance",
    objective: "Restore normal operation.",
    actions: ["Disable maintenance mode", "Resume job queue", "Enable traffic", "Monitor for issues", "Send completion notification"],
    expectedSeconds: min(1),
    hints: [
      { code: "maintenance_failed", hint: "Failed to disable maintenance mode: check application status." },
      { code: "error_rate_high", hint: "High error rate: consider rolling back." },
    ],
  },
  {
    key: "monitor",
    title: "Post-upgrade monitoring",
    publicTitle: "Watching the new version",
    objective: "Monitor the instance after upgrade.",
    actions: ["Monitor error rates", "Monitor performance metrics", "Monitor user feedback", "Check audit logs", "Document upgrade results"],
    expectedSeconds: min(2),
    hints: [
      { code: "error_rate_high", hint: "High error rate: investigate errors and consider rollback." },
      { code: "performance_degraded", hint: "Performance degradation: check resource utilization." },
    ],
  },
] as const satisfies readonly RunbookStep[];

export type UpgradeStepKey = (typeof UPGRADE_STEPS)[number]["key"];

/** The runbook's rollback procedure (nine steps). */
export const ROLLBACK_STEPS = [
  { key: "rb_maintenance_on", title: "Enable maintenance mode", publicTitle: "Entering maintenance", objective: "Stop users reaching the failed version.", actions: ["Enable maintenance mode"], expectedSeconds: 60, hints: [{ code: "maintenance_failed", hint: "Failed to enable maintenance mode: check application status." }] },
  { key: "rb_stop_new", title: "Stop new version containers", publicTitle: "Stopping the new version", objective: "Stop the new version's app and worker.", actions: ["Stop the app", "Stop the worker"], expectedSeconds: 60, hints: [] },
  { key: "rb_migrate_down", title: "Roll back database migrations", publicTitle: "Restoring the database", objective: "Return the schema to the previous version; restore from the backup if that fails.", actions: ["Run migrations down", "Restore from the pre-upgrade backup if needed"], expectedSeconds: 120, hints: [{ code: "migration_failed", hint: "Migration rollback failed: restore the database from the backup." }, { code: "restore_failed", hint: "Restore failed: check the backup's integrity and the database's storage." }] },
  { key: "rb_restore_config", title: "Restore previous configuration", publicTitle: "Restoring previous settings", objective: "Put back the configuration of the previous version.", actions: ["Restore the previous config snapshot"], expectedSeconds: 30, hints: [] },
  { key: "rb_deploy_previous", title: "Deploy previous version", publicTitle: "Starting the previous version", objective: "Run the previous version again.", actions: ["Start the previous app", "Start the previous worker"], expectedSeconds: 180, hints: [{ code: "container_start_failed", hint: "Container failed to start: check the container logs." }] },
  { key: "rb_health", title: "Run health checks", publicTitle: "Checking everything works", objective: "Confirm the previous version is healthy.", actions: ["GET /health/status", "Check the version"], expectedSeconds: 60, hints: [{ code: "health_check_failed", hint: "Health check failed: review the application logs." }] },
  { key: "rb_maintenance_off", title: "Disable maintenance mode", publicTitle: "Leaving maintenance", objective: "Restore normal operation.", actions: ["Disable maintenance mode"], expectedSeconds: 60, hints: [{ code: "maintenance_failed", hint: "Failed to disable maintenance mode: check application status." }] },
  { key: "rb_audit", title: "Create audit log", publicTitle: "Recording the rollback", objective: "Record instance.upgrade.rollback.", actions: ["Write the audit entry"], expectedSeconds: 5, hints: [] },
  { key: "rb_notify", title: "Notify stakeholders", publicTitle: "Notifying people", objective: "Send the rollback notification with its reason and next steps.", actions: ["Queue notifications"], expectedSeconds: 5, hints: [] },
] as const satisfies readonly RunbookStep[];

/** The one-click emergency rollback: restore from backup, no migrations down. */
export const EMERGENCY_STEPS = [
  { key: "em_maintenance_on", title: "Enable maintenance mode", publicTitle: "Entering maintenance", objective: "Stop users reaching the failing version.", actions: ["Enable maintenance mode"], expectedSeconds: 30, hints: [{ code: "maintenance_failed", hint: "Failed to enable maintenance mode: continuing; the new version is stopped next." }] },
  { key: "em_stop_new", title: "Stop new version", publicTitle: "Stopping the new version", objective: "Stop the app and worker.", actions: ["Stop the app", "Stop the worker"], expectedSeconds: 30, hints: [] },
  { key: "em_restore_db", title: "Restore database from backup", publicTitle: "Restoring the data", objective: "Restore the database from the pre-upgrade backup.", actions: ["pg_restore --clean --if-exists"], expectedSeconds: 120, hints: [{ code: "restore_failed", hint: "Restore failed: check the backup's integrity and the database's storage." }] },
  { key: "em_deploy_previous", title: "Deploy previous version", publicTitle: "Starting the previous version", objective: "Run the previous version again.", actions: ["Restore the previous config", "Start the previous app and worker"], expectedSeconds: 120, hints: [{ code: "container_start_failed", hint: "Container failed to start: check the container logs." }] },
  { key: "em_health", title: "Run health checks", publicTitle: "Checking everything works", objective: "Confirm the previous version is healthy.", actions: ["GET /health/status"], expectedSeconds: 60, hints: [{ code: "health_check_failed", hint: "Health check failed: review the application logs." }] },
  { key: "em_maintenance_off", title: "Disable maintenance mode", publicTitle: "Leaving maintenance", objective: "Restore normal operation.", actions: ["Disable maintenance mode"], expectedSeconds: 30, hints: [] },
  { key: "em_page_oncall", title: "Notify on-call team", publicTitle: "Notifying people", objective: "Page PagerDuty and send email and Slack notifications.", actions: ["PagerDuty alert", "Email notification", "Slack notification"], expectedSeconds: 5, hints: [] },
] as const satisfies readonly RunbookStep[];

export const ALL_STEPS: readonly RunbookStep[] = [...UPGRADE_STEPS, ...ROLLBACK_STEPS, ...EMERGENCY_STEPS];

export function stepsForKind(kind: "upgrade" | "rollback" | "emergency_rollback"): readonly RunbookStep[] {
  switch (kind) {
    case "upgrade":
      return UPGRADE_STEPS;
    case "rollback":
      return ROLLBACK_STEPS;
    case "emergency_rollback":
      return EMERGENCY_STEPS;
  }
}

export function findStep(key: string): RunbookStep | undefined {
  return ALL_STEPS.find((s) => s.key === key);
}

// Errors any step can meet, whatever it is doing; a step's own hint for a code comes first.
const COMMON_HINTS: Record<string, string> = {
  unreachable: "The instance cannot be reached: verify network connectivity.",
  migration_timeout: "Migration failed: review the migration logs (it ran past its time limit).",
  invalid_version: "Incompatible version: review the upgrade path.",
  checksum_mismatch: "Checksum mismatch: re-download the artifacts.",
  digest_mismatch: "Checksum mismatch: the pulled image's digest differs from the release's; re-download the artifacts.",
  maintenance_failed: "Maintenance mode could not be switched: check application status.",
  port_in_use: "Port already in use: verify the old containers are stopped.",
  container_start_failed: "Container failed to start: check the container logs.",
  health_check_failed: "Health check failed: review the application logs.",
  image_pull_failed: "Image pull failed: check registry access.",
  migration_failed: "Migration failed: review the migration logs.",
  restore_failed: "Restore failed: check the backup's integrity and the database's storage.",
};

export function hintFor(stepKey: string, code: string): string | null {
  return findStep(stepKey)?.hints.find((h) => h.code === code)?.hint ?? COMMON_HINTS[code] ?? null;
}

/** The step from which a failure means rolling back rather than just leaving maintenance. */
export const POINT_OF_NO_RETURN: UpgradeStepKey = "migrate";

export const CHECKLIST_ITEMS = [
  { key: "backupCompleted", label: "Backup completed successfully", bySystem: true },
  { key: "maintenanceWindowScheduled", label: "Maintenance window scheduled", bySystem: false },
  { key: "stakeholdersNotified", label: "Stakeholders notified", bySystem: false },
  { key: "rollbackPlanPrepared", label: "Rollback plan prepared", bySystem: false },
  { key: "compatibilityVerified", label: "Compatibility verified", bySystem: true },
  { key: "dependenciesChecked", label: "Dependencies checked", bySystem: true },
] as const;

export type ChecklistKeyName = (typeof CHECKLIST_ITEMS)[number]["key"];
