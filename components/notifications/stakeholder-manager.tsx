"use client";
import { addStakeholderAction, removeStakeholderAction } from "@/lib/notifications/actions";
import type { StakeholderDto } from "@/lib/notifications/list-stakeholders";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { useActionRunner } from "@/components/notifications/use-action-runner";

export function StakeholderManager({ instanceId, stakeholders, canManage }: { instanceId: string; stakeholders: StakeholderDto[]; canManage: boolean }) {
  const { pending, error, fieldErrors, run } = useActionRunner();

  function onAdd(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const stakeholder = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? "") };
    run(() => addStakeholderAction({ instanceId, stakeholder }), () => formEl.reset());
  }

  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-900">Stakeholders</h3>
      <p className="text-xs text-slate-500">They get every event of this instance by email.</p>
      {error ? <Alert>{error}</Alert> : null}
      {stakeholders.length === 0 ? (
        <p className="text-sm text-slate-600">No stakeholders yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" aria-label="Stakeholders">
          {stakeholders.map((s) => (
            <li key={s.id} className="flex items-center justify-between gap-2 py-1.5">
              <span>
                {s.name} <span className="text-slate-500">&lt;{s.email}&gt;</span>
              </span>
              {canManage ? (
                <Button variant="ghost" disabled={pending} aria-label={`Remove stakeholder ${s.name}`} onClick={() => run(() => removeStakeholderAction({ stakeholderId: s.id }))}>
                  Remove
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canManage ? (
        <form onSubmit={onAdd} className="grid gap-2 sm:grid-cols-[1fr_1fr_auto] sm:items-end" aria-label="Add stakeholder">
          <Field label="Name" htmlFor="stakeholder-name" error={fieldErrors["stakeholder.name"]}>
            <Input id="stakeholder-name" name="name" required maxLength={120} invalid={!!fieldErrors["stakeholder.name"]} />
          </Field>
          <Field label="Email" htmlFor="stakeholder-email" error={fieldErrors["stakeholder.email"]}>
            <Input id="stakeholder-email" name="email" type="email" required maxLength={254} invalid={!!fieldErrors["stakeholder.email"]} />
          </Field>
          <Button type="submit" disabled={pending}>
            Add
          </Button>
        </form>
      ) : null}
    </div>
  );
}
