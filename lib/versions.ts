// Semantic versions as releases use them: MAJOR.MINOR.PATCH with an optional pre-release tag.
export const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$/;

export function parseVersion(v: string): [number, number, number, string | null] | null {
  const m = SEMVER_RE.exec(v);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? null];
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] as number) - (pb[i] as number);
    if (d !== 0) return d;
  }
  if (pa[3] === pb[3]) return 0;
  if (pa[3] === null) return 1; // a release outranks its pre-releases
  if (pb[3] === null) return -1;
  return pa[3].localeCompare(pb[3]);
}
