import type { UpdateChannel } from "@/generated/prisma/enums";

// The API speaks the runbook's channel names; the database enum cannot hold hyphens in its
// identifiers, so it maps them.
export const CHANNELS = ["auto-update", "manual-approval", "frozen"] as const;
export type ChannelName = (typeof CHANNELS)[number];

const TO_DB: Record<ChannelName, UpdateChannel> = {
  "auto-update": "auto_update",
  "manual-approval": "manual_approval",
  frozen: "frozen",
};

export function channelToDb(name: ChannelName): UpdateChannel {
  return TO_DB[name];
}

export function channelFromDb(value: UpdateChannel): ChannelName {
  switch (value) {
    case "auto_update":
      return "auto-update";
    case "manual_approval":
      return "manual-approval";
    case "frozen":
      return "frozen";
  }
}

export const CHANNEL_LABELS: Record<ChannelName, string> = {
  "auto-update": "Auto-update",
  "manual-approval": "Manual approval",
  frozen: "Frozen",
};
