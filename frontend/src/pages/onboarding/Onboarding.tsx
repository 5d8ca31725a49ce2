import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, keepPreviousData } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useForm, useWatch, type FieldErrors, type UseFormRegisterReturn } from "react-hook-form";
import { Link, useSearchParams } from "react-router";
import { api, ApiError, unwrap, type FieldError, type Schema } from "../../api/client";
import { usePlans } from "../../api/plans";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatDateTime } from "../../lib/format";
import { usePageTitle } from "../../lib/title";
import { useDebounced } from "../../lib/useDebounced";
import { emptyIntake, intakeSchema, STEPS, toIntake, toRecommendRequest, type IntakeForm } from "./model";
import { RecommendationView } from "./RecommendationView";

const DRAFT_KEY = "docket.onboarding.draft";

function loadDraft(): IntakeForm {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    return raw ? { ...emptyIntake, ...(JSON.parse(raw) as Partial<IntakeForm>) } : emptyIntake;
  } catch {
    return emptyIntake;
  }
}

/** The server's field path (`departments[0]`) to the form field it belongs to. */
function formField(path: string): keyof IntakeForm | null {
  const head = path.split(/[.[]/)[0] as keyof IntakeForm;
  return head in emptyIntake ? head : null;
}

function byField(fields: FieldError[]): Partial<Record<keyof IntakeForm, string>> {
  const out: Partial<Record<keyof IntakeForm, string>> = {};
  for (const f of fields) {
    const k = formField(f.field);
    if (k && !out[k]) out[k] = f.message;
  }
  return out;
}

/** The onboarding intake: five steps, a live recommendation, and the submission. */
export function Onboarding() {
  usePageTitle("Onboarding");
  const [params, setParams] = useSearchParams();
  const step = Math.min(Math.max(Number(params.get("step") ?? "1") || 1, 1), STEPS.length);
  const goTo = (n: number) => setParams((p) => { p.set("step", String(n)); return p; });
  const form = useForm<IntakeForm>({
    defaultValues: loadDraft(),
    resolver: zodResolver(intakeSchema),
    mode: "onTouched",
  });
  const values = useWatch({ control: form.control }) as IntakeForm;
  useEffect(() => {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(values));
  }, [values]);

  const plans = usePlans();
  const sizing = useMemo(() => toRecommendRequest({ ...emptyIntake, ...values }), [values]);
  const debounced = useDebounced(sizing, 350);
  const recommend = useQuery({
    queryKey: ["recommend", debounced],
    queryFn: () => unwrap<Schema<"Evaluation">>(api.POST("/billing/recommend", { body: debounced! })),
    enabled: debounced !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });

  const idempotencyKey = useRef<string>(crypto.randomUUID());
  const submit = useMutation({
    mutationFn: (body: Schema<"OnboardingIntake">) =>
      unwrap<Schema<"OnboardingResponse">>(
        api.POST("/onboarding", { body, params: { header: { "Idempotency-Key": idempotencyKey.current } } }),
      ),
    onSuccess: () => sessionStorage.removeItem(DRAFT_KEY),
    onError: (e) => {
      if (e instanceof ApiError && e.fields.length) {
        const errs = byField(e.fields);
        const first = STEPS.findIndex((s) => s.fields.some((f) => errs[f]));
        if (first >= 0) goTo(first + 1);
      }
    },
  });

  // Server errors show beside their fields: the recommendation's while typing, the submission's after it.
  const serverErrors = {
    ...(recommend.error instanceof ApiError ? byField(recommend.error.fields) : {}),
    ...(submit.error instanceof ApiError ? byField(submit.error.fields) : {}),
  };
  const errorFor = (k: keyof IntakeForm, errors: FieldErrors<IntakeForm>) => errors[k]?.message ?? serverErrors[k];

  if (submit.data) return <Submitted result={submit.data} />;

  const next = async () => {
    const ok = await form.trigger(STEPS[step - 1].fields);
    if (ok) goTo(step + 1);
    else {
      const firstBad = STEPS[step - 1].fields.find((f) => form.getFieldState(f).invalid);
      if (firstBad) form.setFocus(firstBad);
    }
  };
  const onSubmit = form.handleSubmit(
    (v) => submit.mutate(toIntake(v)),
    (errs) => {
      const first = STEPS.findIndex((s) => s.fields.some((f) => errs[f]));
      if (first >= 0) goTo(first + 1);
    },
  );
  const errors = form.formState.errors;
  const field = (k: keyof IntakeForm, label: string, input: (reg: UseFormRegisterReturn, describedBy: string) => ReactNode, hint?: string) => (
    <Field id={`f-${k}`} label={label} hint={hint} error={errorFor(k, errors)}>
      {input(form.register(k), [hint ? `f-${k}-hint` : "", errorFor(k, errors) ? `f-${k}-error` : ""].join(" ").trim())}
    </Field>
  );
  const text = (k: keyof IntakeForm, label: string, type = "text", hint?: string, extra: Record<string, string> = {}) =>
    field(
      k,
      label,
      (reg, d) => (
        <input id={`f-${k}`} type={type} {...reg} {...extra} aria-invalid={errorFor(k, errors) ? true : undefined} aria-describedby={d || undefined} />
      ),
      hint,
    );
  const area = (k: keyof IntakeForm, label: string, hint?: string) =>
    field(k, label, (reg, d) => <textarea id={`f-${k}`} rows={3} {...reg} aria-invalid={errorFor(k, errors) ? true : undefined} aria-describedby={d || undefined} />, hint);

  return (
    <>
      <h1>Onboarding</h1>
      <p className="lead">Tell us about your team: the recommendation and the ROI projection update as you type.</p>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.title} aria-current={i + 1 === step ? "step" : undefined}>
            <Link to={`?step=${i + 1}`}>
              <span className="step-n">{i + 1}</span> {s.title}
            </Link>
          </li>
        ))}
      </ol>
      <div className="onboarding">
        <form className="card intake" noValidate onSubmit={onSubmit}>
          <h2 id="step-title">
            Step {step} of {STEPS.length}: {STEPS[step - 1].title}
          </h2>
          {step === 1 ? (
            <>
              {text("organization", "Organisation", "text", undefined, { autoComplete: "organization" })}
              {text("tenant_id", "Tenant id (optional)", "text", "Lower-case letters, digits and hyphens; derived from the organisation when empty.")}
              {text("contact_name", "Contact name", "text", undefined, { autoComplete: "name" })}
              {text("contact_email", "Contact e-mail", "email", undefined, { autoComplete: "email" })}
            </>
          ) : null}
          {step === 2 ? (
            <>
              {area("primary_use_case", "Primary use case", "What the team wants Docket for, in your words.")}
              {area("departments", "Departments", "One per line or separated by commas.")}
            </>
          ) : null}
          {step === 3 ? (
            <div className="grid-2">
              {text("seats", "Seats", "text", "People who will sign in.", { inputMode: "numeric" })}
              {text("estimated_matters_per_month", "Matters per month", "text", undefined, { inputMode: "numeric" })}
              {text("roi_baseline_hours_per_matter", "Baseline hours per matter", "text", "Hours a matter takes today.", { inputMode: "decimal" })}
              {text("automation_target_percent", "Automation target (%)", "text", "Share of those hours Docket should save, 0 to 100.", { inputMode: "decimal" })}
              {text("hourly_rate", "Hourly rate (USD, optional)", "text", "The server's default rate applies when empty.", { inputMode: "decimal" })}
              {text("expected_ingest_gb_per_month", "Expected ingest, GB per month (optional)", "text", "Estimated from matters when empty.", { inputMode: "decimal" })}
              {text("required_sla_hours", "Required support response, hours (optional)", "text", undefined, { inputMode: "numeric" })}
            </div>
          ) : null}
          {step === 4 ? (
            <>
              {area("success_criteria", "Success criteria", "What success looks like at go-live; one per line.")}
              {text("go_live_date", "Go-live date", "date")}
              {area("notes", "Notes (optional)")}
            </>
          ) : null}
          {step === 5 ? <Review values={values} plan={values.selected_plan} evaluation={recommend.data} /> : null}

          {submit.isError && !(submit.error instanceof ApiError && submit.error.fields.length) ? <ErrorNotice error={submit.error} /> : null}
          {submit.isError && submit.error instanceof ApiError && submit.error.fields.length ? (
            <div className="notice notice-error" role="alert">
              <p className="notice-title">The intake was refused</p>
              <p>Correct the fields marked on step {STEPS.findIndex((s) => s.fields.some((f) => serverErrors[f])) + 1} and submit again.</p>
            </div>
          ) : null}
          <div className="actions">
            {step > 1 ? (
              <button type="button" className="secondary" onClick={() => goTo(step - 1)}>
                Back
              </button>
            ) : null}
            {step < STEPS.length ? (
              <button type="button" onClick={next}>
                Next
              </button>
            ) : (
              <button type="submit" disabled={submit.isPending}>
                {submit.isPending ? "Submitting…" : "Submit intake"}
              </button>
            )}
          </div>
        </form>

        <section className="card live" aria-labelledby="live-title" aria-busy={recommend.isFetching}>
          <h2 id="live-title">Recommendation</h2>
          <div aria-live="polite">
            {sizing === null && !recommend.data ? (
              <p>Fill in seats, matters per month, baseline hours and automation target (step 3) to see the recommended plan.</p>
            ) : null}
            {recommend.isError && !(recommend.error instanceof ApiError && recommend.error.fields.length) ? (
              <ErrorNotice error={recommend.error} onRetry={() => recommend.refetch()} />
            ) : null}
            {recommend.isError && recommend.error instanceof ApiError && recommend.error.fields.length ? (
              <p className="notice notice-error">The recommendation waits for valid sizing inputs: see the marked fields on step 3.</p>
            ) : null}
          </div>
          {recommend.data ? (
            <RecommendationView
              evaluation={recommend.data}
              catalogue={plans.data}
              selectedPlan={values.selected_plan}
              onSelect={(p) => form.setValue("selected_plan", p, { shouldDirty: true })}
            />
          ) : null}
        </section>
      </div>
    </>
  );
}

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Review({ values, plan, evaluation }: { values: IntakeForm; plan: IntakeForm["selected_plan"]; evaluation?: Schema<"Evaluation"> }) {
  const rec = evaluation?.recommendation;
  const chosen = plan || rec?.recommended_plan;
  const label = rec?.comparison.find((p) => p.plan_id === chosen)?.label ?? chosen ?? "not yet known";
  const rows: [string, string][] = [
    ["Organisation", values.organization],
    ["Tenant id", values.tenant_id || "derived from the organisation"],
    ["Contact", `${values.contact_name} <${values.contact_email}>`],
    ["Use case", values.primary_use_case],
    ["Departments", values.departments],
    ["Seats", values.seats],
    ["Matters per month", values.estimated_matters_per_month],
    ["Baseline hours per matter", values.roi_baseline_hours_per_matter],
    ["Automation target", `${values.automation_target_percent} %`],
    ["Success criteria", values.success_criteria],
    ["Go-live date", values.go_live_date],
  ];
  return (
    <>
      <dl className="review">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v || "—"}</dd>
          </div>
        ))}
      </dl>
      <p>
        Plan: <strong>{label}</strong> {plan ? "(your choice)" : "(recommended)"}. You can choose another plan in the comparison.
      </p>
    </>
  );
}

function Submitted({ result }: { result: Schema<"OnboardingResponse"> }) {
  const label = result.recommendation.comparison.find((p) => p.plan_id === result.plan_id)?.label ?? result.plan_id;
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const [copied, setCopied] = useState(false);
  return (
    <>
      <h1 ref={ref} tabIndex={-1}>
        Welcome to Docket
      </h1>
      <div className="card" data-testid="onboarding-result">
        <dl className="review">
          <div>
            <dt>Tenant id</dt>
            <dd data-testid="tenant-id">{result.tenant_id}</dd>
          </div>
          <div>
            <dt>Plan</dt>
            <dd>{label}</dd>
          </div>
          <div>
            <dt>Submitted</dt>
            <dd>{formatDateTime(result.submitted_at)}</dd>
          </div>
        </dl>
        <button
          type="button"
          className="secondary"
          onClick={() => navigator.clipboard?.writeText(result.tenant_id).then(() => setCopied(true), () => setCopied(false))}
        >
          Copy tenant id
        </button>
        <span role="status">{copied ? " Copied." : ""}</span>
        <h2>What happens next</h2>
        <ol>
          <li>Your customer success manager reviews the intake and confirms the {label} plan with you.</li>
          <li>Your administrator receives tokens for tenant {result.tenant_id} and your team signs in to the <Link to="/workspace">workspace</Link>.</li>
          <li>Upload a first matter, search it and read its timeline; usage against your quotas is shown in the workspace.</li>
        </ol>
      </div>
    </>
  );
}
