import { apiRoute } from "@/lib/http/api-route";
import { snapshotStream } from "@/lib/events/snapshot-stream";
import { isActorStillAllowed } from "@/lib/auth/recheck-actor";
import { approvalQueueFingerprint } from "@/lib/upgrades/approval-queue-fingerprint";

export const dynamic = "force-dynamic";

// The approval queue's live stream: a `change` event whenever a request arrives, is decided or
// leaves the queue. The page refetches itself on each.
export const GET = apiRoute("upgrade:read", async ({ req, actor }) => snapshotStream({ signal: req.signal, stillAllowed: () => isActorStillAllowed(actor, "upgrade:read"), snapshot: () => approvalQueueFingerprint(actor) }));
