import { formatPercent } from "../lib/format";

/**
 * A usage ratio as a bar with marks at the soft (80 %) and hard (95 %) alert thresholds.
 * The bar is decorative; the number beside it carries the value for everyone.
 */
export function UsageBar({ ratio, soft = 0.8, hard = 0.95, label }: { ratio: number; soft?: number; hard?: number; label?: string }) {
  const clamped = Math.max(0, Math.min(1, ratio));
  const level = ratio >= hard ? "hard" : ratio >= soft ? "soft" : "ok";
  return (
    <span className="usage">
      <span
        className={`usage-bar usage-${level}`}
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(ratio * 100)}
        aria-label={label ?? "Usage ratio"}
        title={`soft alert at ${formatPercent(soft)}, hard alert at ${formatPercent(hard)}`}
      >
        <span className="usage-fill" style={{ width: `${clamped * 100}%` }} />
        <span className="usage-mark" style={{ left: `${soft * 100}%` }} aria-hidden="true" />
        <span className="usage-mark usage-mark-hard" style={{ left: `${hard * 100}%` }} aria-hidden="true" />
      </span>
      <span className="usage-value">{formatPercent(ratio)}</span>
    </span>
  );
}
