// Rendered in UTC on the server so the markup does not differ between server and browser.
export function Time({ value }: { value: string | Date | null | undefined }) {
  if (!value) return <span className="text-slate-400">—</span>;
  const d = typeof value === "string" ? new Date(value) : value;
  const text = d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  return <time dateTime={d.toISOString()}>{text}</time>;
}
