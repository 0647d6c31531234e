"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { createUserAction, setUserDisabledAction, setUserPasswordAction, updateUserRoleAction } from "@/lib/users/actions";
import type { UserDto } from "@/lib/users/manage-users";
import { ROLES } from "@/lib/auth/permissions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

export function UserManager({ users, selfId }: { users: UserDto[]; selfId: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  function run(p: Promise<{ ok: true } | { ok: false; message: string; fieldErrors?: Record<string, string[]> }>, success: string, after?: () => void) {
    start(async () => {
      const res = await p;
      if (res.ok) {
        setMessage({ tone: "success", text: success });
        setFieldErrors({});
        after?.();
        router.refresh();
      } else {
        setMessage({ tone: "error", text: res.message });
        setFieldErrors(res.fieldErrors ?? {});
      }
    });
  }

  function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const f = new FormData(formEl);
    run(
      createUserAction({ email: f.get("email"), name: f.get("name"), role: f.get("role"), password: f.get("password") }),
      "User created.",
      () => formEl.reset(),
    );
  }

  function onSetPassword(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const f = new FormData(formEl);
    run(setUserPasswordAction({ userId: f.get("userId"), password: f.get("password") }), "Password set; that user's sessions have ended.", () => formEl.reset());
  }

  return (
    <div className="space-y-4">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Table caption="Users">
        <thead>
          <tr>
            <Th>Email</Th>
            <Th>Name</Th>
            <Th>Role</Th>
            <Th>Last sign-in</Th>
            <Th>Access</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((u) => (
            <tr key={u.id}>
              <Td>{u.email}</Td>
              <Td>{u.name}</Td>
              <Td>
                <label className="sr-only" htmlFor={`role-${u.id}`}>
                  Role of {u.email}
                </label>
                <Select id={`role-${u.id}`} defaultValue={u.role} disabled={pending || u.id === selfId} onChange={(e) => run(updateUserRoleAction({ userId: u.id, role: e.target.value }), `Role of ${u.email} changed.`)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              </Td>
              <Td>
                <Time value={u.lastLoginAt} />
              </Td>
              <Td>
                {u.id === selfId ? (
                  <span className="text-slate-500">you</span>
                ) : (
                  <Button variant="secondary" disabled={pending} onClick={() => run(setUserDisabledAction({ userId: u.id, disabled: !u.disabled }), u.disabled ? `${u.email} enabled.` : `${u.email} disabled.`)}>
                    {u.disabled ? "Enable" : "Disable"}
                  </Button>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <form onSubmit={onCreate} className="grid gap-3 rounded-lg border border-slate-200 p-4 sm:grid-cols-2" aria-label="Add user">
        <Field label="Email" htmlFor="new-email" error={fieldErrors.email}>
          <Input id="new-email" name="email" type="email" required invalid={!!fieldErrors.email} />
        </Field>
        <Field label="Name" htmlFor="new-name" error={fieldErrors.name}>
          <Input id="new-name" name="name" required invalid={!!fieldErrors.name} />
        </Field>
        <Field label="Role" htmlFor="new-role" error={fieldErrors.role}>
          <Select id="new-role" name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Initial password" htmlFor="new-password" error={fieldErrors.password} hint="At least 12 characters.">
          <Input id="new-password" name="password" type="password" autoComplete="new-password" required minLength={12} invalid={!!fieldErrors.password} />
        </Field>
        <div>
          <Button type="submit" disabled={pending}>
            Add user
          </Button>
        </div>
      </form>
      <form onSubmit={onSetPassword} className="grid gap-3 rounded-lg border border-slate-200 p-4 sm:grid-cols-2" aria-label="Set a password">
        <Field label="User" htmlFor="pw-user">
          <Select id="pw-user" name="userId">
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="New password" htmlFor="pw-password" error={fieldErrors.password} hint="At least 12 characters. Signs the user out everywhere.">
          <Input id="pw-password" name="password" type="password" autoComplete="new-password" required minLength={12} invalid={!!fieldErrors.password} />
        </Field>
        <div>
          <Button type="submit" disabled={pending}>
            Set password
          </Button>
        </div>
      </form>
    </div>
  );
}
