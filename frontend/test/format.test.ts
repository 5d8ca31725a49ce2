import { describe, expect, it } from "vitest";
import { formatRate, formatUsd, money, recentPeriods } from "../src/lib/format";

describe("money", () => {
  it("reads JSON numbers and exact decimal strings alike", () => {
    expect(money(3499)).toBe(3499);
    expect(money("3499.00")).toBe(3499);
    expect(money("0.015")).toBe(0.015);
    expect(formatUsd("3499.00")).toBe(formatUsd(3499));
    expect(formatUsd("3499.00")).toBe("$3,499.00");
    expect(formatRate("0.015")).toBe("$0.015");
  });
  it("shows a dash, not NaN, for what is not money", () => {
    expect(formatUsd("abc")).toBe("—");
    expect(formatUsd(null)).toBe("—");
  });
  it("lists past periods across a year boundary", () => {
    expect(recentPeriods(3, new Date(Date.UTC(2027, 0, 15)))).toEqual(["2027-01", "2026-12", "2026-11"]);
  });
});
