/**
 * Money and number display. Every money field from the API goes through `money()`, which
 * accepts a JSON number (today) or an exact decimal string such as "3499.00" (coming), so
 * the server's switch to decimal strings changes nothing here.
 */
export type MoneyValue = number | string | null | undefined;

/** A money amount from the API as a number; NaN when it is absent or not a decimal. */
export function money(value: MoneyValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return Number.NaN;
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const usdWhole = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
const usdSmall = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 3,
});
const num = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

/** "$3,499.00"; "—" when the value is missing. */
export function formatUsd(value: MoneyValue): string {
  const n = money(value);
  return Number.isFinite(n) ? usd.format(n) : "—";
}

/** "$3,499" for prices shown in the catalogue. */
export function formatUsdWhole(value: MoneyValue): string {
  const n = money(value);
  return Number.isFinite(n) ? usdWhole.format(n) : "—";
}

/** Overage rates keep their third decimal: "$0.015". */
export function formatRate(value: MoneyValue): string {
  const n = money(value);
  return Number.isFinite(n) ? usdSmall.format(n) : "—";
}

/** Plain numbers with up to two decimals: "1,234.5". */
export function formatNumber(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : num.format(value);
}

/** Whole counts: "5,000". */
export function formatCount(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : int.format(value);
}

/** A ratio (0.95) as "95%". */
export function formatPercent(ratio: number | null | undefined): string {
  return ratio == null || !Number.isFinite(ratio) ? "—" : pct.format(ratio);
}

/** Bytes as GB (10^9 bytes, the billing unit). */
export function formatGb(gb: number | null | undefined): string {
  if (gb == null || !Number.isFinite(gb)) return "—";
  const digits = gb !== 0 && Math.abs(gb) < 0.01 ? 6 : 2;
  return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(gb)} GB`;
}

/** A timestamp in the reader's locale, in UTC so periods line up with billing. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(d) + " UTC";
}

/** The current billing period, "YYYY-MM" in UTC. */
export function currentPeriod(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The last `count` billing periods, newest first. */
export function recentPeriods(count: number, now = new Date()): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(currentPeriod(d));
  }
  return out;
}
