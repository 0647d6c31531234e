"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { updateInstanceAction } from "@/lib/instances/actions";
import { CHANNELS, CHANNEL_LABELS, type ChannelName } from "@/lib/instances/channels";
import { Button } from "@/components/ui/button";
import { Field, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";

export function ChannelForm({ instanceId, channel, pinnedVersion, versions }: { instanceId: string; channel: ChannelName; pinnedVersion: string | null; versions: string[] }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const pinned = String(form.get("pinnedVersion") ?? "");
    start(async () => {
      const res = await updateInstanceAction({
        id: instanceId,
        changes: { updateChannel: String(form.get("updateChannel")), pinnedVersion: pinned === "" ? null : pinned },
      });
      if (res.ok) {
        setFieldErrors({});
        setMessage({ tone: "success", text: "Saved. The change is in the audit log." });
        router.refresh();
      } else {
        const errs: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(res.fieldErrors ?? {})) errs[k.replace(/^changes\./, "")] = v;
        setFieldErrors(errs);
        setMessage({ tone: "error", text: res.message });
      }
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Update channel and version pin">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Field label="Update channel" htmlFor="updateChannel" error={fieldErrors.updateChannel}>
        <Select id="updateChannel" name="updateChannel" defaultValue={channel} invalid={!!fieldErrors.updateChannel}>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {CHANNEL_LABELS[c]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Pinned version" htmlFor="pinnedVersion" error={fieldErrors.pinnedVersion} hint="When set, only this version is eligible.">
        <Select id="pinnedVersion" name="pinnedVersion" defaultValue={pinnedVersion ?? ""} invalid={!!fieldErrors.pinnedVersion}>
          <option value="">Not pinned</option>
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}
