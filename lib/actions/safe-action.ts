import "server-only";
import type { z } from "zod";
import { isAppError } from "@/lib/errors";
import { currentActor, isCrossSiteAction } from "@/lib/auth/resolve-actor";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { Permission } from "@/lib/auth/permissions";
import { fieldErrorsOf } from "@/lib/http/api-route";
import { CROSS_SITE_MESSAGE } from "@/lib/http/same-origin";
import { nulFieldErrors } from "@/lib/http/read-input";
import { logError } from "@/lib/log";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; code: string; message: string; fieldErrors?: Record<string, string[]> };

/**
 * Every exported server action is a public endpoint: this refuses a call from another origin,
 * checks the caller's permission, parses
 * the input with zod, calls one domain function, and never lets a raw error reach the client.
 */
export function safeAction<S extends z.ZodType, T>(
  permission: Permission,
  schema: S,
  run: (input: z.output<S>, actor: Actor) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      if (await isCrossSiteAction()) return { ok: false, code: "forbidden", message: CROSS_SITE_MESSAGE };
      const actor = await currentActor();
      requirePermission(actor, permission);
      // PostgreSQL cannot store NUL in text: refuse it here, as the REST edge does.
      const nul = nulFieldErrors(input);
      if (nul) return { ok: false, code: "validation_failed", message: "Check the highlighted fields.", fieldErrors: nul };
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        return { ok: false, code: "validation_failed", message: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
      }
      return { ok: true, data: await run(parsed.data, actor) };
    } catch (e) {
      if (isAppError(e)) {
        const fieldErrors = (e.details as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors;
        return { ok: false, code: e.code, message: e.message, ...(fieldErrors ? { fieldErrors } : {}) };
      }
      const id = logError("unhandled error in server action", e);
      return { ok: false, code: "internal", message: `Something went wrong on our side (error id ${id}).` };
    }
  };
}
