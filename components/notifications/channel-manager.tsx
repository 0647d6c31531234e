"use client";
import { useState } from "react";
import { createChannelAction, deleteChannelAction, sendTestNotificationAction, updateChannelAction } from "@/lib/notifications/actions";
import { CHANNEL_KINDS, EVENT_LABELS, KIND_LABELS, SUBSCRIBABLE_EVENTS, type ChannelKind } from "@/lib/notifications/events";
import type { ChannelDto } from "@/lib/notifications/serialize";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { useActionRunner } from "@/components/notifications/use-action-runner";

const TARGET_LABEL: Record<ChannelKind, { label: string; placeholder: string; type: string }> = {
  email: { label: "Email address", placeholder: "ops@example.com", type: "email" },
  slack: { label: "Slack incoming webhook URL", placeholder: "https://hooks.slack.com/services/…", type: "url" },
  pagerduty: { label: "PagerDuty routing key", placeholder: "32 letters and digits", type: "text" },
  webhook: { label: "Webhook URL", placeholder: "https://example.com/hooks/upgrades", type: "url" },
};

export function ChannelManager({ instanceId, channels, canManage }: { instanceId: string | null; channels: ChannelDto[]; canManage: boolean }) {
  const { pending, error, fieldErrors, run } = useActionRunner();
  const [kind, setKind] = useState<ChannelKind>(instanceId ? "email" : "pagerduty");
  const [notice, setNotice] = useState<string | null>(null);
  const prefix = instanceId ? "channel" : "fleet-channel";

  function onAdd(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const secret = String(form.get("secret") ?? "");
    const channel = { kind, name: String(form.get("name") ?? ""), target: String(form.get("target") ?? ""), events: form.getAll("events").map(String), ...(kind === "webhook" && secret ? { secret } : {}) };
    run(
      () => createChannelAction({ instanceId, channel }),
      (data) => {
        formEl.reset();
        setNotice(data.secret ? `Signing secret (shown once; the receiver verifies with it): ${data.secret}` : "Channel added.");
      },
    );
  }

  return (
    <div className="space-y-3">
      {error ? <Alert>{error}</Alert> : null}
      {notice ? (
        <Alert tone="success">
          <span className="break-all" data-testid={`${prefix}-notice`}>
            {notice}
          </span>
        </Alert>
      ) : null}
      {channels.length === 0 ? (
        <p className="text-sm text-slate-600">No channels yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" aria-label={instanceId ? "Notification channels" : "Fleet-wide channels"}>
          {channels.map((c) => (
            <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div className="min-w-0">
                <p className="font-medium">
                  {c.name} <Badge>{KIND_LABELS[c.kind]}</Badge> {c.enabled ? null : <Badge tone="yellow">disabled</Badge>}
                </p>
                <p className="font-mono text-xs text-slate-500">{c.target}</p>
                <p className="text-xs text-slate-500">{c.events.length ? c.events.map((e) => EVENT_LABELS[e as keyof typeof EVENT_LABELS] ?? e).join(", ") : "All events"}</p>
              </div>
              {canManage ? (
                <div className="flex gap-1">
                  <Button variant="secondary" disabled={pending} onClick={() => run(() => sendTestNotificationAction({ channelId: c.id }), () => setNotice(`Test message queued for ${c.name}; see recent deliveries.`))}>
                    Send test
                  </Button>
                  <Button variant="secondary" disabled={pending} onClick={() => run(() => updateChannelAction({ channelId: c.id, changes: { enabled: !c.enabled } }))}>
                    {c.enabled ? "Disable" : "Enable"}
                  </Button>
                  <Button
                    variant="ghost"
                    disabled={pending}
                    aria-label={`Remove channel ${c.name}`}
                    onClick={() => {
                      if (window.confirm(`Remove the channel "${c.name}"?`)) run(() => deleteChannelAction({ channelId: c.id }));
                    }}
                  >
                    Remove
                  </Button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canManage ? (
        <form onSubmit={onAdd} className="space-y-2 rounded-md border border-slate-200 p-3" aria-label={instanceId ? "Add notification channel" : "Add fleet-wide channel"}>
          <div className="grid gap-2 sm:grid-cols-[10rem_1fr]">
            <Field label="Kind" htmlFor={`${prefix}-kind`}>
              <Select id={`${prefix}-kind`} value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
                {CHANNEL_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Name" htmlFor={`${prefix}-name`} error={fieldErrors["channel.name"]}>
              <Input id={`${prefix}-name`} name="name" required maxLength={80} placeholder={instanceId ? "Ops team" : "On-call"} invalid={!!fieldErrors["channel.name"]} />
            </Field>
          </div>
          <Field label={TARGET_LABEL[kind].label} htmlFor={`${prefix}-target`} error={fieldErrors["channel.target"]} hint="Stored encrypted; shown masked afterwards.">
            <Input id={`${prefix}-target`} name="target" type={TARGET_LABEL[kind].type} required placeholder={TARGET_LABEL[kind].placeholder} invalid={!!fieldErrors["channel.target"]} autoComplete="off" />
          </Field>
          {kind === "webhook" ? (
            <Field label="Signing secret (optional)" htmlFor={`${prefix}-secret`} error={fieldErrors["channel.secret"]} hint="At least 16 characters; leave empty to generate one.">
              <Input id={`${prefix}-secret`} name="secret" type="password" autoComplete="new-password" invalid={!!fieldErrors["channel.secret"]} />
            </Field>
          ) : null}
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Events (none ticked: all)</legend>
            <div className="mt-1 grid gap-1 sm:grid-cols-2">
              {SUBSCRIBABLE_EVENTS.map((ev) => (
                <label key={ev} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="events" value={ev} />
                  {EVENT_LABELS[ev]}
                </label>
              ))}
            </div>
          </fieldset>
          <Button type="submit" disabled={pending}>
            Add channel
          </Button>
        </form>
      ) : null}
    </div>
  );
}
