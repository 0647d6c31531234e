"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/actions/safe-action";

/** Runs a server action, keeps its error and field errors, and refreshes the page on success. */
export function useActionRunner() {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  function run<T>(action: () => Promise<ActionResult<T>>, onOk?: (data: T) => void) {
    start(async () => {
      const res = await action();
      if (res.ok) {
        setError(null);
        setFieldErrors({});
        onOk?.(res.data);
        router.refresh();
      } else {
        setError(res.message);
        setFieldErrors(res.fieldErrors ?? {});
      }
    });
  }
  return { pending, error, fieldErrors, run };
}
