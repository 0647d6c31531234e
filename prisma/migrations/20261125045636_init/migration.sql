-- CreateEnum
CREATE TYPE "Role" AS ENUM ('superadmin', 'approver', 'viewer');

-- CreateEnum
CREATE TYPE "RuntimeDriver" AS ENUM ('process', 'docker');

-- CreateEnum
CREATE TYPE "InstanceStatus" AS ENUM ('active', 'upgrading', 'maintenance', 'failed', 'rolling_back');

-- CreateEnum
CREATE TYPE "UpdateChannel" AS ENUM ('auto-update', 'manual-approval', 'frozen');

-- CreateEnum
CREATE TYPE "ReleaseStatus" AS ENUM ('stable', 'beta', 'deprecated');

-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('app_image', 'worker_image', 'bundle', 'migrations', 'config');

-- CreateEnum
CREATE TYPE "BackupStatus" AS ENUM ('pending', 'running', 'completed', 'failed');

-- CreateEnum
CREATE TYPE "BackupPartKind" AS ENUM ('database', 'config', 'assets');

-- CreateEnum
CREATE TYPE "RunKind" AS ENUM ('upgrade', 'rollback', 'emergency_rollback');

-- CreateEnum
CREATE TYPE "UpgradeStatus" AS ENUM ('pending_approval', 'approved', 'scheduled', 'running', 'awaiting_checklist', 'monitoring', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'rejected', 'cancelled');

-- CreateEnum
CREATE TYPE "RunTrigger" AS ENUM ('manual', 'api', 'auto_update', 'schedule', 'auto_rollback');

-- CreateEnum
CREATE TYPE "StepStatus" AS ENUM ('pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped');

-- CreateEnum
CREATE TYPE "RunEventType" AS ENUM ('run_status', 'step_status', 'log', 'checklist', 'approval', 'metric');

-- CreateEnum
CREATE TYPE "LogLevel" AS ENUM ('debug', 'info', 'warn', 'error');

-- CreateEnum
CREATE TYPE "ChecklistKey" AS ENUM ('backupCompleted', 'maintenanceWindowScheduled', 'stakeholdersNotified', 'rollbackPlanPrepared', 'compatibilityVerified', 'dependenciesChecked');

-- CreateEnum
CREATE TYPE "ApprovalDecision" AS ENUM ('approved', 'rejected');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('user', 'token', 'system', 'anonymous');

-- CreateEnum
CREATE TYPE "AuditResult" AS ENUM ('success', 'failure', 'denied');

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('email', 'slack', 'pagerduty', 'webhook');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('pending', 'sending', 'sent', 'failed', 'dead');

-- CreateEnum
CREATE TYPE "AlertKind" AS ENUM ('upgrade_duration', 'success_rate', 'post_upgrade_error_rate', 'rollback_rate', 'monitoring_breach');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('open', 'resolved');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "disabled_at" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "hosts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "driver" "RuntimeDriver" NOT NULL,
    "endpoint_encrypted" TEXT,
    "tls_encrypted" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "hosts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instances" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "status" "InstanceStatus" NOT NULL DEFAULT 'active',
    "maintenance_mode" BOOLEAN NOT NULL DEFAULT false,
    "maintenance_message" TEXT,
    "update_channel" "UpdateChannel" NOT NULL DEFAULT 'manual-approval',
    "pinned_version" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "host_id" TEXT,
    "database_url_encrypted" TEXT,
    "runtime_config" JSONB,
    "auto_rollback" BOOLEAN NOT NULL DEFAULT true,
    "rollback_on_monitoring_breach" BOOLEAN NOT NULL DEFAULT false,
    "required_approvals" INTEGER NOT NULL DEFAULT 1,
    "monitoring_window_minutes" INTEGER NOT NULL DEFAULT 1440,
    "last_backup_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "maintenance_windows" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "day_of_week" INTEGER NOT NULL,
    "start_minute" INTEGER NOT NULL,
    "duration_minutes" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_windows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "freeze_periods" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "freeze_periods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "config_snapshots" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "for_release" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "sha256" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "releases" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'platform',
    "version" TEXT NOT NULL,
    "status" "ReleaseStatus" NOT NULL,
    "breaking" BOOLEAN NOT NULL DEFAULT false,
    "security" BOOLEAN NOT NULL DEFAULT false,
    "critical" BOOLEAN NOT NULL DEFAULT false,
    "released_at" TIMESTAMPTZ(3) NOT NULL,
    "changelog" TEXT NOT NULL,
    "min_upgrade_from" TEXT,
    "config_requirements" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "releases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "release_artifacts" (
    "id" TEXT NOT NULL,
    "release_id" TEXT NOT NULL,
    "kind" "ArtifactKind" NOT NULL,
    "reference" TEXT NOT NULL,
    "digest" TEXT,
    "sha256" TEXT,
    "size_bytes" BIGINT,

    CONSTRAINT "release_artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backups" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "status" "BackupStatus" NOT NULL DEFAULT 'pending',
    "requested_by_id" TEXT,
    "upgrade_run_id" TEXT,
    "storage_path" TEXT,
    "size_bytes" BIGINT,
    "sha256" TEXT,
    "error" TEXT,
    "error_code" TEXT,
    "hint" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "verified_at" TIMESTAMPTZ(3),

    CONSTRAINT "backups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backup_parts" (
    "id" TEXT NOT NULL,
    "backup_id" TEXT NOT NULL,
    "kind" "BackupPartKind" NOT NULL,
    "path" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,

    CONSTRAINT "backup_parts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upgrade_runs" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "kind" "RunKind" NOT NULL DEFAULT 'upgrade',
    "from_version" TEXT NOT NULL,
    "to_version" TEXT NOT NULL,
    "status" "UpgradeStatus" NOT NULL,
    "trigger" "RunTrigger" NOT NULL,
    "active_instance_id" TEXT,
    "requested_by_id" TEXT,
    "requested_by_token_id" TEXT,
    "rollback_plan" TEXT,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "policy_reason" TEXT,
    "plan_id" TEXT,
    "hop_index" INTEGER NOT NULL DEFAULT 0,
    "parent_run_id" TEXT,
    "restore_backup_id" TEXT,
    "checklist_override_reason" TEXT,
    "checklist_override_by_id" TEXT,
    "checklist_override_at" TIMESTAMPTZ(3),
    "scheduled_for" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "monitoring_until" TIMESTAMPTZ(3),
    "current_step_key" TEXT,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "heartbeat_at" TIMESTAMPTZ(3),
    "cancel_requested_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "upgrade_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upgrade_steps" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "status" "StepStatus" NOT NULL DEFAULT 'pending',
    "expected_seconds" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "error_code" TEXT,
    "hint" TEXT,
    "result" JSONB,

    CONSTRAINT "upgrade_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_events" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "step_id" TEXT,
    "type" "RunEventType" NOT NULL,
    "level" "LogLevel",
    "message" TEXT,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checklist_items" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "key" "ChecklistKey" NOT NULL,
    "checked" BOOLEAN NOT NULL DEFAULT false,
    "by_system" BOOLEAN NOT NULL DEFAULT false,
    "checked_by_id" TEXT,
    "checked_at" TIMESTAMPTZ(3),
    "note" TEXT,

    CONSTRAINT "checklist_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "approver_id" TEXT NOT NULL,
    "decision" "ApprovalDecision" NOT NULL,
    "comment" TEXT NOT NULL,
    "rollback_plan_acknowledged" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT,
    "action" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" TEXT,
    "result" "AuditResult" NOT NULL,
    "metadata" JSONB NOT NULL,
    "ip" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stakeholders" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stakeholders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_channels" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT,
    "kind" "NotificationKind" NOT NULL,
    "name" TEXT NOT NULL,
    "target_encrypted" TEXT NOT NULL,
    "secret_encrypted" TEXT,
    "events" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_outbox" (
    "id" TEXT NOT NULL,
    "channel_id" TEXT,
    "kind" "NotificationKind" NOT NULL,
    "event" TEXT NOT NULL,
    "instance_id" TEXT,
    "run_id" TEXT,
    "payload" JSONB NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_samples" (
    "id" BIGSERIAL NOT NULL,
    "instance_id" TEXT NOT NULL,
    "run_id" TEXT,
    "sampled_at" TIMESTAMPTZ(3) NOT NULL,
    "error_rate" DOUBLE PRECISION NOT NULL,
    "p95_ms" DOUBLE PRECISION NOT NULL,
    "cpu_percent" DOUBLE PRECISION NOT NULL,
    "memory_percent" DOUBLE PRECISION NOT NULL,
    "queue_depth" INTEGER NOT NULL,

    CONSTRAINT "metric_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" TEXT NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "status" "AlertStatus" NOT NULL DEFAULT 'open',
    "severity" TEXT NOT NULL DEFAULT 'warning',
    "instance_id" TEXT,
    "run_id" TEXT,
    "message" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_page_tokens" (
    "id" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "run_id" TEXT,
    "instance_id" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "status_page_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "hosts_name_key" ON "hosts"("name");

-- CreateIndex
CREATE UNIQUE INDEX "instances_name_key" ON "instances"("name");

-- CreateIndex
CREATE INDEX "instances_status_idx" ON "instances"("status");

-- CreateIndex
CREATE INDEX "maintenance_windows_instance_id_idx" ON "maintenance_windows"("instance_id");

-- CreateIndex
CREATE INDEX "freeze_periods_instance_id_starts_at_idx" ON "freeze_periods"("instance_id", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "config_snapshots_instance_id_version_key" ON "config_snapshots"("instance_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "releases_type_version_key" ON "releases"("type", "version");

-- CreateIndex
CREATE UNIQUE INDEX "release_artifacts_release_id_kind_key" ON "release_artifacts"("release_id", "kind");

-- CreateIndex
CREATE INDEX "backups_instance_id_created_at_idx" ON "backups"("instance_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "backup_parts_backup_id_kind_key" ON "backup_parts"("backup_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "upgrade_runs_active_instance_id_key" ON "upgrade_runs"("active_instance_id");

-- CreateIndex
CREATE INDEX "upgrade_runs_instance_id_created_at_idx" ON "upgrade_runs"("instance_id", "created_at");

-- CreateIndex
CREATE INDEX "upgrade_runs_status_idx" ON "upgrade_runs"("status");

-- CreateIndex
CREATE INDEX "upgrade_runs_plan_id_hop_index_idx" ON "upgrade_runs"("plan_id", "hop_index");

-- CreateIndex
CREATE UNIQUE INDEX "upgrade_steps_run_id_key_key" ON "upgrade_steps"("run_id", "key");

-- CreateIndex
CREATE INDEX "run_events_run_id_id_idx" ON "run_events"("run_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "checklist_items_run_id_key_key" ON "checklist_items"("run_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_run_id_approver_id_key" ON "approvals"("run_id", "approver_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_logs_hash_key" ON "audit_logs"("hash");

-- CreateIndex
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at");

-- CreateIndex
CREATE INDEX "audit_logs_action_idx" ON "audit_logs"("action");

-- CreateIndex
CREATE INDEX "audit_logs_actor_id_idx" ON "audit_logs"("actor_id");

-- CreateIndex
CREATE INDEX "audit_logs_resource_type_resource_id_idx" ON "audit_logs"("resource_type", "resource_id");

-- CreateIndex
CREATE UNIQUE INDEX "stakeholders_instance_id_email_key" ON "stakeholders"("instance_id", "email");

-- CreateIndex
CREATE INDEX "notification_outbox_status_next_attempt_at_idx" ON "notification_outbox"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "metric_samples_instance_id_sampled_at_idx" ON "metric_samples"("instance_id", "sampled_at");

-- CreateIndex
CREATE INDEX "metric_samples_run_id_sampled_at_idx" ON "metric_samples"("run_id", "sampled_at");

-- CreateIndex
CREATE INDEX "alerts_status_kind_idx" ON "alerts"("status", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "status_page_tokens_token_key" ON "status_page_tokens"("token");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "instances" ADD CONSTRAINT "instances_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "maintenance_windows" ADD CONSTRAINT "maintenance_windows_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "freeze_periods" ADD CONSTRAINT "freeze_periods_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_snapshots" ADD CONSTRAINT "config_snapshots_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "release_artifacts" ADD CONSTRAINT "release_artifacts_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backups" ADD CONSTRAINT "backups_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backups" ADD CONSTRAINT "backups_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backups" ADD CONSTRAINT "backups_upgrade_run_id_fkey" FOREIGN KEY ("upgrade_run_id") REFERENCES "upgrade_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backup_parts" ADD CONSTRAINT "backup_parts_backup_id_fkey" FOREIGN KEY ("backup_id") REFERENCES "backups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_runs" ADD CONSTRAINT "upgrade_runs_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_runs" ADD CONSTRAINT "upgrade_runs_active_instance_id_fkey" FOREIGN KEY ("active_instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_runs" ADD CONSTRAINT "upgrade_runs_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_runs" ADD CONSTRAINT "upgrade_runs_checklist_override_by_id_fkey" FOREIGN KEY ("checklist_override_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_runs" ADD CONSTRAINT "upgrade_runs_parent_run_id_fkey" FOREIGN KEY ("parent_run_id") REFERENCES "upgrade_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_runs" ADD CONSTRAINT "upgrade_runs_restore_backup_id_fkey" FOREIGN KEY ("restore_backup_id") REFERENCES "backups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upgrade_steps" ADD CONSTRAINT "upgrade_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "upgrade_steps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checklist_items" ADD CONSTRAINT "checklist_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checklist_items" ADD CONSTRAINT "checklist_items_checked_by_id_fkey" FOREIGN KEY ("checked_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_approver_id_fkey" FOREIGN KEY ("approver_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stakeholders" ADD CONSTRAINT "stakeholders_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metric_samples" ADD CONSTRAINT "metric_samples_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metric_samples" ADD CONSTRAINT "metric_samples_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_page_tokens" ADD CONSTRAINT "status_page_tokens_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "upgrade_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_page_tokens" ADD CONSTRAINT "status_page_tokens_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_page_tokens" ADD CONSTRAINT "status_page_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
