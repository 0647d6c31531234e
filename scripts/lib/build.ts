import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUTS = ["app", "components", "lib", "public", "types", "generated", "package-lock.json", "next.config.ts", "proxy.ts", "postcss.config.mjs", "tsconfig.json"];

function walk(p: string, out: string[]): void {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) walk(path.join(p, name), out);
  } else {
    out.push(`${p}:${st.size}:${st.mtimeMs}`);
  }
}

/** A fingerprint of everything the Next build reads, so an unchanged tree is not rebuilt. */
export function sourceStamp(root: string): string {
  const entries: string[] = [];
  for (const i of INPUTS) walk(path.join(root, i), entries);
  return createHash("sha256").update(entries.join("\n")).digest("hex");
}

/** Runs `next build` unless the last build came from the same sources. */
export function buildIfStale(root: string, log: (line: string) => void): void {
  const stampFile = path.join(root, ".next", "console-source-stamp");
  const stamp = sourceStamp(root);
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    log("The web build is up to date.");
    return;
  }
  log("Building the web app (next build); this takes a minute the first time…");
  const res = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (res.status !== 0) throw new Error("next build failed; see the output above.");
  writeFileSync(stampFile, stamp);
}
