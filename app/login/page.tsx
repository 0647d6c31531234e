import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/resolve-actor";
import { LoginForm } from "@/components/auth/login-form";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { getEnv } from "@/lib/env";

// Without NEXTAUTH_URL only relative paths can be told apart as the console's own.
const UNKNOWN_ORIGIN = "http://console.invalid";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await currentActor()) redirect("/");
  const { callbackUrl } = await searchParams;
  // Only paths of the console: an open redirect after login would be a phishing aid.
  const next = safeCallbackPath(callbackUrl, getEnv().NEXTAUTH_URL ?? UNKNOWN_ORIGIN) ?? "/";
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">WebWaka Upgrade Console</h1>
        <p className="mt-1 mb-6 text-sm text-slate-600">Sign in to manage platform upgrades.</p>
        <LoginForm next={next} />
      </div>
    </main>
  );
}
