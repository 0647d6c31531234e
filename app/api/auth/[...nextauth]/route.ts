import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/auth-options";
import { crossSiteResponse } from "@/lib/http/api-route";
import { isSameOriginRequest } from "@/lib/http/same-origin";

type Ctx = { params: Promise<{ nextauth: string[] }> };

function handler(req: Request, ctx: Ctx) {
  return NextAuth(getAuthOptions())(req, ctx);
}

// next-auth's double-submit token guards these POSTs, but a page on another port of this host
// can plant cookies for it; the Origin check closes that (sign-in and sign-out CSRF).
function post(req: Request, ctx: Ctx) {
  if (!isSameOriginRequest(req.headers)) return crossSiteResponse();
  return handler(req, ctx);
}

export { handler as GET, post as POST };
