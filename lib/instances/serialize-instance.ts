import type { Instance, MaintenanceWindow, UpgradeRun } from "@/generated/prisma/client";
import { channelFromDb, type ChannelName } from "@/lib/instances/channels";

export type InstanceDto = {
  id: string;
  name: string;
  url: string;
  version: string;
  status: Instance["status"];
  maintenanceMode: boolean;
  maintenanceMessage: string | null;
  updateChannel: ChannelName;
  pinnedVersion: string | null;
  maintenanceWindow: {
    timezone: string;
    windows: { dayOfWeek: number; start: string; durationMinutes: number }[];
  } | null;
  activeUpgradeId: string | null;
  lastBackupAt: string | null;
  /** IANA zone in which the maintenance windows are read. */
  timezone: string;
  /** Approvals a manual-approval request needs before it runs. */
  requiredApprovals: number;
  /** Whether a failure from `migrate` on rolls back by itself. */
  autoRollback: boolean;
  monitoringWindowMinutes: number;
  rollbackOnMonitoringBreach: boolean;
  /** Why an operator must look at the instance (the console could not repair it alone), or null. */
  attention: { reason: string; since: string } | null;
};

export type InstanceRow = Instance & {
  maintenanceWindows: MaintenanceWindow[];
  activeRun: Pick<UpgradeRun, "id"> | null;
};

export const instanceInclude = {
  maintenanceWindows: { orderBy: [{ dayOfWeek: "asc" as const }, { startMinute: "asc" as const }] },
  activeRun: { select: { id: true } },
};

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

// The API's Instance shape (DESIGN.md). Secrets and runtime details never leave through it.
export function serializeInstance(i: InstanceRow): InstanceDto {
  return {
    id: i.id,
    name: i.name,
    url: i.url,
    version: i.version,
    status: i.status,
    maintenanceMode: i.maintenanceMode,
    maintenanceMessage: i.maintenanceMessage,
    updateChannel: channelFromDb(i.updateChannel),
    pinnedVersion: i.pinnedVersion,
    maintenanceWindow:
      i.maintenanceWindows.length === 0
        ? null
        : {
            timezone: i.timezone,
            windows: i.maintenanceWindows.map((w) => ({ dayOfWeek: w.dayOfWeek, start: hhmm(w.startMinute), durationMinutes: w.durationMinutes })),
          },
    activeUpgradeId: i.activeRun?.id ?? null,
    lastBackupAt: i.lastBackupAt?.toISOString() ?? null,
    timezone: i.timezone,
    requiredApprovals: i.requiredApprovals,
    autoRollback: i.autoRollback,
    monitoringWindowMinutes: i.monitoringWindowMinutes,
    rollbackOnMonitoringBreach: i.rollbackOnMonitoringBreach,
    attention: i.attentionReason ? { reason: i.attentionReason, since: (i.attentionAt ?? i.updatedAt).toISOString() } : null,
  };
}

/** What the instance list shows of an instance (the API's InstanceDto is one, so a refresh fits). */
export type InstanceListRow = Pick<InstanceDto, "id" | "name" | "version" | "pinnedVersion" | "updateChannel" | "status" | "attention" | "maintenanceMode">;

/** The list's fields only: the page hands its first page to the browser, and the rest would ride along unused. */
export function toInstanceListRow(i: InstanceDto): InstanceListRow {
  return { id: i.id, name: i.name, version: i.version, pinnedVersion: i.pinnedVersion, updateChannel: i.updateChannel, status: i.status, attention: i.attention, maintenanceMode: i.maintenanceMode };
}
