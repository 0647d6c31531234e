import path from "node:path";

/**
 * The node arguments that start the console's web server (scripts/web-server.mjs: Next behind a
 * server that records each request's socket address). `npm start` and the test stack both use it.
 */
export function webServerArgs(root: string, port: number, hostname: string): string[] {
  return [path.join(root, "scripts/web-server.mjs"), "--port", String(port), "--hostname", hostname];
}
