import { apiRoute } from "@/lib/http/api-route";
import { snapshotStream } from "@/lib/events/snapshot-stream";
import { actorStillAllowed } from "@/lib/auth/recheck-actor";
import { approvalQueueFingerprint } from "@/lib/upgrades/approval-queue-fingerprint";

export const dynamic = "force-dynamic";

// The approval queue's live stream: a `change` event whenever a request arrives, is decided or
// leaves the queue. The page refetches itself on each. The queue is the same for every reader
// allowed to see it, so all its streams share one look.
export const GET = apiRoute("upgrade:read", async ({ req, actor }) =>
  snapshotStream({ key: "approval-queue", signal: req.signal, stillAllowed: actorStillAllowed(actor, "upgrade:read"), snapshot: () => approvalQueueFingerprint(actor) }),
);
