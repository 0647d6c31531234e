import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion } from "@/lib/versions";

describe("versions", () => {
  it.each([
    ["1.0.0", "1.1.0", -1],
    ["1.10.0", "1.9.0", 1],
    ["2.0.0", "2.0.0", 0],
    ["1.2.1", "1.2.0", 1],
    ["2.0.0-rc.1", "2.0.0", -1],
    ["2.0.0", "1.99.99", 1],
  ])("compare %s with %s", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it.each(["1.0", "01.0.0", "v1.0.0", "1.0.0.0", ""])("rejects %j", (v) => {
    expect(parseVersion(v)).toBeNull();
  });
});
