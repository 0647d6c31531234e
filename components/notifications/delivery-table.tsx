"use client";
import { retryNotificationAction } from "@/lib/notifications/actions";
import { EVENT_LABELS, KIND_LABELS } from "@/lib/notifications/events";
import type { NotificationDto } from "@/lib/notifications/serialize";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { useActionRunner } from "@/components/notifications/use-action-runner";

function tone(status: string) {
  return status === "sent" ? "green" : status === "dead" ? "red" : status === "failed" ? "yellow" : "blue";
}

/** Recent deliveries with their state; failed and dead ones can be sent again. */
export function DeliveryTable({ notifications, canManage, caption = "Recent deliveries" }: { notifications: NotificationDto[]; canManage: boolean; caption?: string }) {
  const { pending, error, run } = useActionRunner();
  if (notifications.length === 0) return <p className="text-sm text-slate-600">No notifications yet.</p>;
  return (
    <div className="space-y-2">
      {error ? <Alert>{error}</Alert> : null}
      <Table caption={caption}>
        <thead>
          <tr>
            <Th>Event</Th>
            <Th>To</Th>
            <Th>Status</Th>
            <Th>Attempts</Th>
            <Th>Next attempt</Th>
            <Th>Last error</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {notifications.map((n) => (
            <tr key={n.id} data-testid="delivery-row">
              <Td>
                {EVENT_LABELS[n.event as keyof typeof EVENT_LABELS] ?? n.event}
                <div className="text-xs text-slate-500">
                  <Time value={n.createdAt} />
                </div>
              </Td>
              <Td>
                <Badge>{KIND_LABELS[n.kind]}</Badge> {n.recipient}
              </Td>
              <Td>
                <Badge tone={tone(n.status)}>{n.status}</Badge>
              </Td>
              <Td>{n.attempts}</Td>
              <Td>{n.nextAttemptAt ? <Time value={n.nextAttemptAt} /> : "—"}</Td>
              <Td className="max-w-xs break-words text-xs text-red-700">{n.lastError ?? ""}</Td>
              <Td>
                {canManage && (n.status === "failed" || n.status === "dead") && n.recipient !== "no channel configured" ? (
                  <Button variant="secondary" disabled={pending} onClick={() => run(() => retryNotificationAction({ id: n.id }))}>
                    Retry
                  </Button>
                ) : null}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
