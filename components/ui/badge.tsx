type Tone = "gray" | "green" | "yellow" | "red" | "blue" | "purple";

const TONES: Record<Tone, string> = {
  gray: "bg-slate-100 text-slate-700 ring-slate-200",
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  yellow: "bg-amber-50 text-amber-800 ring-amber-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  blue: "bg-brand-50 text-brand-700 ring-brand-100",
  purple: "bg-violet-50 text-violet-800 ring-violet-200",
};

export function Badge({ tone = "gray", children }: { tone?: Tone; children: React.ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>{children}</span>;
}

export function statusTone(status: string): Tone {
  switch (status) {
    case "active":
    case "succeeded":
    case "completed":
    case "success":
      return "green";
    case "maintenance":
    case "awaiting_checklist":
    case "pending_approval":
    case "scheduled":
    case "pending":
      return "yellow";
    case "failed":
    case "rolled_back":
    case "rejected":
    case "failure":
    case "denied":
      return "red";
    case "upgrading":
    case "running":
    case "rolling_back":
    case "monitoring":
      return "blue";
    default:
      return "gray";
  }
}
