// The assets part of a backup is a tar.gz that tar reads: of the assets folder, or, with no
// assets, the empty archive written without starting a tar process.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { archiveAssets } from "@/lib/backups/perform-backup";

const dir = mkdtempSync(path.join(os.tmpdir(), "archive-assets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const list = (file: string) => execFileSync("tar", ["-tzf", file], { encoding: "utf8" }).split("\n").filter(Boolean);

describe("archiveAssets", () => {
  it("writes an empty archive tar reads as empty", async () => {
    const file = path.join(dir, "empty.tar.gz");
    await archiveAssets(file, null);
    expect(list(file)).toEqual([]);
  });

  it("archives the assets folder", async () => {
    const assets = path.join(dir, "assets");
    mkdirSync(path.join(assets, "img"), { recursive: true });
    writeFileSync(path.join(assets, "img", "logo.png"), "png");
    const file = path.join(dir, "assets.tar.gz");
    await archiveAssets(file, assets);
    expect(list(file)).toEqual(expect.arrayContaining(["./img/logo.png"]));
  });
});
