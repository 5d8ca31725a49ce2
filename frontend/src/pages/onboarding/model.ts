import { z } from "zod";
import type { Schema } from "../../api/client";

/** The intake as the form holds it: text as typed, converted once on the way out. */
export interface IntakeForm {
  organization: string;
  tenant_id: string;
  contact_name: string;
  contact_email: string;
  primary_use_case: string;
  departments: string;
  seats: string;
  estimated_matters_per_month: string;
  roi_baseline_hours_per_matter: string;
  automation_target_percent: string;
  hourly_rate: string;
  expected_ingest_gb_per_month: string;
  required_sla_hours: string;
  success_criteria: string;
  go_live_date: string;
  notes: string;
  selected_plan: "" | Schema<"PlanId">;
}

export const emptyIntake: IntakeForm = {
  organization: "",
  tenant_id: "",
  contact_name: "",
  contact_email: "",
  primary_use_case: "",
  departments: "",
  seats: "",
  estimated_matters_per_month: "",
  roi_baseline_hours_per_matter: "",
  automation_target_percent: "",
  hourly_rate: "",
  expected_ingest_gb_per_month: "",
  required_sla_hours: "",
  success_criteria: "",
  go_live_date: "",
  notes: "",
  selected_plan: "",
};

const blank = (s: string) => s.trim() === "";
const isNum = (s: string) => /^-?\d+(\.\d+)?$/.test(s.trim());
const isWhole = (s: string) => /^\d+$/.test(s.trim());

function required(label: string) {
  return z.string().refine((s) => !blank(s), `${label} is required`);
}
function whole(min: number, max: number) {
  return z
    .string()
    .refine((s) => !blank(s), "required")
    .refine((s) => blank(s) || (isWhole(s) && +s >= min && +s <= max), `must be a whole number from ${min} to ${max}`);
}
function decimal(min: number, max: number, optional = false) {
  return z
    .string()
    .refine((s) => optional || !blank(s), "required")
    .refine((s) => blank(s) || (isNum(s) && +s >= min && +s <= max), `must be a number from ${min} to ${max}`);
}
/** Lines or commas to a list of entries. */
export function splitList(s: string): string[] {
  return s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Client-side checks, the same bounds the server applies; the server stays the judge. */
export const intakeSchema = z.object({
  organization: required("Organisation"),
  tenant_id: z
    .string()
    .refine((s) => blank(s) || /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/.test(s.trim()), "lower-case letters, digits and hyphens, 2 to 63 characters"),
  contact_name: required("Contact name"),
  contact_email: z.string().refine((s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.trim()), "enter an e-mail address such as ann@firm.example"),
  primary_use_case: required("Use case"),
  departments: z.string().refine((s) => splitList(s).length >= 1, "list at least one department"),
  seats: whole(1, 100000),
  estimated_matters_per_month: whole(0, 1000000),
  roi_baseline_hours_per_matter: decimal(0, 10000),
  automation_target_percent: decimal(0, 100),
  hourly_rate: decimal(0, 100000, true),
  expected_ingest_gb_per_month: decimal(0, 1000000, true),
  required_sla_hours: z.string().refine((s) => blank(s) || (isWhole(s) && +s >= 1 && +s <= 8760), "must be a whole number of hours"),
  success_criteria: z.string().refine((s) => splitList(s).length >= 1, "list at least one success criterion"),
  go_live_date: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s), "pick a date"),
  notes: z.string(),
  selected_plan: z.enum(["", "community", "professional", "enterprise"]),
});

/** The fields of each step, for per-step validation and for finding where an error lives. */
export const STEPS: { title: string; fields: (keyof IntakeForm)[] }[] = [
  { title: "Organisation and contact", fields: ["organization", "tenant_id", "contact_name", "contact_email"] },
  { title: "Use case and departments", fields: ["primary_use_case", "departments"] },
  {
    title: "Sizing and ROI inputs",
    fields: [
      "seats",
      "estimated_matters_per_month",
      "roi_baseline_hours_per_matter",
      "automation_target_percent",
      "hourly_rate",
      "expected_ingest_gb_per_month",
      "required_sla_hours",
    ],
  },
  { title: "Success criteria and go-live", fields: ["success_criteria", "go_live_date", "notes"] },
  { title: "Review and submit", fields: ["selected_plan"] },
];

/**
 * The sizing body for `POST /billing/recommend`, or null while a required sizing field is
 * not yet a number (nothing worth asking the server about).
 */
export function toRecommendRequest(v: IntakeForm): Schema<"RecommendationRequest"> | null {
  const need = [v.seats, v.estimated_matters_per_month, v.roi_baseline_hours_per_matter, v.automation_target_percent];
  if (need.some((s) => !isNum(s))) return null;
  const body: Schema<"RecommendationRequest"> = {
    seats: Number(v.seats),
    estimated_matters_per_month: Number(v.estimated_matters_per_month),
    roi_baseline_hours_per_matter: Number(v.roi_baseline_hours_per_matter),
    automation_target_percent: Number(v.automation_target_percent),
  };
  if (isNum(v.hourly_rate)) body.hourly_rate = Number(v.hourly_rate);
  if (isNum(v.expected_ingest_gb_per_month)) body.expected_ingest_gb_per_month = Number(v.expected_ingest_gb_per_month);
  if (isNum(v.required_sla_hours)) body.required_sla_hours = Number(v.required_sla_hours);
  if (v.selected_plan) body.selected_plan = v.selected_plan;
  return body;
}

/** The whole body for `POST /onboarding`. */
export function toIntake(v: IntakeForm): Schema<"OnboardingIntake"> {
  const sizing = toRecommendRequest(v);
  if (!sizing) throw new Error("sizing fields are not numbers");
  const body: Schema<"OnboardingIntake"> = {
    ...sizing,
    organization: v.organization.trim(),
    tenant_id: v.tenant_id.trim(),
    contact_name: v.contact_name.trim(),
    contact_email: v.contact_email.trim(),
    primary_use_case: v.primary_use_case.trim(),
    departments: splitList(v.departments),
    success_criteria: splitList(v.success_criteria),
    go_live_date: v.go_live_date,
  };
  // The server derives the tenant id from the organisation when none is given.
  if (!body.tenant_id) delete (body as Partial<Schema<"OnboardingIntake">>).tenant_id;
  if (v.notes.trim()) body.notes = v.notes.trim();
  return body;
}

/** Form values from a sizing request (the inverse of toRecommendRequest, for tests and drafts). */
export function fromRecommendRequest(r: Partial<Schema<"RecommendationRequest">>): Partial<IntakeForm> {
  const s = (n: number | null | undefined) => (n == null ? "" : String(n));
  return {
    seats: s(r.seats),
    estimated_matters_per_month: s(r.estimated_matters_per_month),
    roi_baseline_hours_per_matter: s(r.roi_baseline_hours_per_matter),
    automation_target_percent: s(r.automation_target_percent),
    hourly_rate: s(r.hourly_rate),
    expected_ingest_gb_per_month: s(r.expected_ingest_gb_per_month),
    required_sla_hours: s(r.required_sla_hours),
    selected_plan: r.selected_plan ?? "",
  };
}
