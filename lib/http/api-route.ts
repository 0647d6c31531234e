import "server-only";
import { z, ZodError } from "zod";
import { AppError, isAppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import { actorFromRequest } from "@/lib/auth/resolve-actor";
import { requirePermission, type Actor } from "@/lib/auth/actor";
import type { Permission } from "@/lib/auth/permissions";
import { apiRateLimiter } from "@/lib/rate-limit-leases";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { CROSS_SITE_MESSAGE, isSameOriginRequest, isStateChanging } from "@/lib/http/same-origin";
import { logError } from "@/lib/log";
import { findNulPaths, readBodyText, rejectNul } from "@/lib/http/read-input";

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

export function errorResponse(code: string, message: string, status: number, details?: unknown, headers?: HeadersInit): Response {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return Response.json(body, { status, headers });
}

export function fieldErrorsOf(e: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of e.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export function toErrorResponse(e: unknown): Response {
  if (isAppError(e)) {
    const retry = e.code === "rate_limited" && typeof (e.details as { retryAfter?: number })?.retryAfter === "number"
      ? { "Retry-After": String((e.details as { retryAfter: number }).retryAfter) }
      : undefined;
    return errorResponse(e.code, e.message, e.status, e.details, retry);
  }
  if (e instanceof ZodError) {
    return errorResponse("validation_failed", "The request is not valid.", 422, { fieldErrors: fieldErrorsOf(e) });
  }
  const id = logError("unhandled error in API route", e);
  return errorResponse("internal", `Something went wrong on our side (error id ${id}).`, 500);
}

/**
 * Parses a JSON body: 400 for a body that is not JSON, 413 for one over 256 KiB (counted as it
 * streams in, never buffered whole), 422 for one that holds a NUL anywhere or fails the schema.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  // Requiring JSON also keeps cross-site forms out: they cannot send it without a CORS preflight.
  if (!/^application\/json\b/i.test(type)) throw new AppError("bad_request", "Send the body as application/json.");
  const text = await readBodyText(req);
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  rejectNul(raw, "The request is not valid.");
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("validation_failed", "The request is not valid.", { fieldErrors: fieldErrorsOf(parsed.error) });
  }
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams.entries());
  rejectNul(params, "The query is not valid.");
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new AppError("validation_failed", "The query is not valid.", { fieldErrors: fieldErrorsOf(parsed.error) });
  }
  return parsed.data;
}

export function parseParam<S extends z.ZodType>(value: unknown, schema: S, what: string): z.output<S> {
  const parsed = findNulPaths(value).length ? null : schema.safeParse(value);
  if (!parsed?.success) throw new AppError("not_found", `No ${what} with id ${JSON.stringify(String(value)).slice(1, -1).slice(0, 100)}.`);
  return parsed.data;
}

type Ctx<P> = { req: Request; actor: Actor; params: P };
type RouteContext<P> = { params: Promise<P> };

/** 403 for a write that a page of another origin made the browser send with its cookie. */
export function crossSiteResponse(): Response {
  return errorResponse("forbidden", CROSS_SITE_MESSAGE, 403);
}

/**
 * Wraps an /api/superadmin route: authenticates (bearer token or session), refuses cookie writes
 * from other origins (CSRF), rate-limits, checks the permission, and maps every error to the
 * DESIGN error shape.
 */
export function apiRoute<P = Record<string, never>>(
  permission: Permission,
  handler: (ctx: Ctx<P>) => Promise<Response>,
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, routeCtx) => {
    try {
      const { actor, badToken, via } = await actorFromRequest(req);
      // Before anything is written: a bearer token is never sent by a browser on its own.
      if (via === "session" && actor && isStateChanging(req.method) && !isSameOriginRequest(req.headers)) return crossSiteResponse();
      const key = actor && actor.type !== "system" ? `api:user:${actor.userId}` : `api:ip:${clientIpFromHeaders(req.headers) ?? "unknown"}`;
      const limit = await apiRateLimiter().take(key, getEnv().API_RATE_LIMIT, 60);
      if (!limit.ok) {
        return errorResponse("rate_limited", `Too many requests. Try again in ${limit.retryAfter} s.`, 429, undefined, { "Retry-After": String(limit.retryAfter) });
      }
      if (badToken) return errorResponse("unauthorized", "The API token is unknown, revoked or expired.", 401);
      requirePermission(actor, permission);
      const params = routeCtx?.params ? await routeCtx.params : ({} as P);
      return await handler({ req, actor, params });
    } catch (e) {
      return toErrorResponse(e);
    }
  };
}
