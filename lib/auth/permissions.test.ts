import { describe, expect, it } from "vitest";
import { can, PERMISSIONS, ROLES } from "@/lib/auth/permissions";

describe("permission table", () => {
  it("a viewer may only read", () => {
    const allowed = (Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).filter((p) => can("viewer", p));
    for (const p of allowed) expect(p).toMatch(/:(read|verify)$/);
  });

  it("an approver may approve but not run upgrades or change instances", () => {
    expect(can("approver", "upgrade:approve")).toBe(true);
    expect(can("approver", "upgrade:run")).toBe(false);
    expect(can("approver", "instance:update")).toBe(false);
  });

  it("a superadmin may do everything", () => {
    for (const p of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]) expect(can("superadmin", p)).toBe(true);
  });

  it("names exactly three roles", () => {
    expect([...ROLES]).toEqual(["superadmin", "approver", "viewer"]);
  });
});
