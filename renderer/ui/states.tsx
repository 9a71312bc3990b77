/** Designed loading, error and empty states: never a blank area. */
import type { ReactNode } from 'react';
import type { ApiError } from '../../app/service/contract.js';
import { errorText } from '../api.js';

export function Loading({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorBox({ error, what, onRetry }: { error: ApiError; what: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <strong>{what}</strong>
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}
