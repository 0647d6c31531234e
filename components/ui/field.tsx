import type { InputHTMLAttributes, SelectHTMLAttributes } from "react";

const CONTROL = "block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-600 aria-[invalid=true]:border-red-500";

export function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string[] | undefined; hint?: string; children: React.ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
      {error?.length ? (
        <p id={`${htmlFor}-error`} className="text-xs text-red-700">
          {error.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export function Input({ invalid, ...props }: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }) {
  return <input aria-invalid={invalid || undefined} aria-describedby={invalid && props.id ? `${props.id}-error` : undefined} className={CONTROL} {...props} />;
}

export function Select({ invalid, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }) {
  return <select aria-invalid={invalid || undefined} aria-describedby={invalid && props.id ? `${props.id}-error` : undefined} className={CONTROL} {...props} />;
}
