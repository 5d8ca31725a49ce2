// Generated from the server's /openapi.json by `npm run gen:api`. Do not edit.
export interface paths {
    "/agents/privilege_review/counsel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's counsel list for privilege review (scope agents:read). */
        get: operations["get_counsel_list"];
        /** Replace the tenant's counsel list (scope agents:run); answers it as stored. */
        put: operations["set_counsel_list"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an agent run (scope agents:run): `privilege_review`, `chronology` or `case_brief`.
         *     Answers 202 with the queued run; follow it with `GET /agents/runs/{run_id}`.
         */
        post: operations["start_agent_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's recent runs, newest first, without their outputs (scope agents:read). */
        get: operations["list_agent_runs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/runs/{run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run: status, steps, output and citations (scope agents:read). Another tenant's run is a 404. */
        get: operations["get_agent_run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/runs/{run_id}/export/{format}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A run's output exported as `csv` (privilege log, chronology) or `md` (chronology, case
         *     brief) (scope agents:read).
         */
        get: operations["export_agent_run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/runs/{run_id}/privilege-log.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A privilege review's privilege log as CSV (scope agents:read): one row per document called
         *     privileged or needing review.
         */
        get: operations["get_privilege_log"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record usage reported by another component (role AutomationService or PlatformAdmin,
         *     scope billing:write). Answers once every event is durable.
         */
        post: operations["events"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/export/crm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Weekly CRM sync: one row per tenant, as CSV or JSON Lines.
         * @description Organisation, contact, plan, seats, departments, go-live, success criteria, health, usage
         *     ratio, costs, alert level and last activity, in the columns listed in docs/api.md. CSV has
         *     a header row, and free text starting with = + - @ gets a leading apostrophe so that a
         *     spreadsheet shows it as text. Role CustomerSuccessManager or PlatformAdmin, scope
         *     billing:export, audience docket-billing; a tenant-scoped token gets its own row only.
         */
        get: operations["export_crm"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The plan catalogue: pricing, quotas, support tiers and alert thresholds. */
        get: operations["plans"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/recommend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Recommend a plan and project ROI from sizing inputs; stores nothing. The same code serves
         *     `POST /onboarding`.
         */
        post: operations["recommend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/triage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tenants to look at today, riskiest first, each with its reasons in words (role
         *     CustomerSuccessManager or PlatformAdmin, scope billing:read, audience docket-billing).
         */
        get: operations["triage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Customer health snapshots (role CustomerSuccessManager or PlatformAdmin, scope
         *     billing:read, audience docket-billing), paged, sorted and filtered on the server.
         */
        get: operations["usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/usage/{tenant_id}/daily": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A tenant's daily usage series (same access as `GET /billing/usage`). */
        get: operations["daily"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's documents with provenance, filtered and paginated (scope ingest:read). */
        get: operations["list"];
        put?: never;
        /** Upload files (multipart/form-data, one or more `file` parts) as one ingestion job. */
        post: operations["upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/documents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One document: provenance, extracted text and attachments (scope ingest:read). */
        get: operations["get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/entities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** People, organisations, e-mail addresses, money amounts and case numbers (scope query:read). */
        get: operations["entities"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/graph/neighbor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An entity's documents and the entities that co-occur with it (scope query:read). */
        get: operations["neighbor"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the server is up and its ledger takes writes (a heartbeat committed through the
         *     writer): 503 naming the component (`details.component`) otherwise, with `Retry-After`.
         */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ingest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's recent jobs, newest first (scope ingest:read). */
        get: operations["get_ingest"];
        put?: never;
        /**
         * Start an ingestion job (role CaseCoordinator or PlatformAdmin, scope ingest:write).
         *     Answers 202 at once; follow it with `GET /ingest/{job_id}`.
         */
        post: operations["submit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ingest/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's status and counts (scope ingest:read): 202 while queued or running, 200 once done. */
        get: operations["status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/onboarding": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit the onboarding intake: validates every field, creates the tenant on the selected or
         *     recommended plan, records a signup usage event, and keeps the intake. Repeating a
         *     submission with the same `Idempotency-Key` header answers the first response again.
         */
        post: operations["post_onboarding"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/query": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the tenant's documents (scope query:read). A malformed query or one past a limit is
         *     a 400, a search past its deadline a 503; neither is billed. Nothing found is a 200 with no
         *     evidence. With stream=true each hit is sent as it is read.
         */
        get: operations["query"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/support/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tickets, newest first (audience docket-api, scope support:read): a tenant's token sees its
         *     own; SupportAgent, CustomerSuccessManager and PlatformAdmin tokens without a tenant see all.
         */
        get: operations["get_support_tickets"];
        put?: never;
        /**
         * Open a ticket for the caller's tenant (audience docket-api, scope support:write, a token
         *     naming the tenant). Its first response is due the tenant's SLA hours later.
         */
        post: operations["open"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/support/tickets/{ticket_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One ticket with its responses (same access as the list; another tenant's ticket is a 404). */
        get: operations["get_support_tickets_ticket_id"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/support/tickets/{ticket_id}/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Answer a ticket (role SupportAgent, scope support:write). The first response is measured
         *     against the ticket's deadline; after it, a `late` breach is recorded.
         */
        post: operations["respond"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Dated events with citations and entity highlights, in chronological order, with a stable
         *     cursor (scope timeline:read).
         */
        get: operations["timeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's own tenant usage (audience docket-api, role TenantAdmin, scope usage:read). */
        get: operations["own_usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A run with what it was asked, its steps, its output and its citations. */
        AgentRun: components["schemas"]["RunSummary"] & {
            /** @description Every passage the output cites. */
            citations: components["schemas"]["RunCitation"][];
            /** @description The options as given (null when none were). */
            options?: Record<string, never> | null;
            /** @description The agent's output once the run succeeded (its shape depends on the agent). */
            output?: Record<string, never> | null;
            question?: string | null;
            scope: components["schemas"]["RunScope"];
            /** @description What the run did, step by step, with counts and durations. */
            steps: components["schemas"]["RunStep"][];
        };
        /**
         * @description How close a tenant is to its quota.
         * @enum {string}
         */
        AlertLevel: "none" | "soft" | "hard";
        /** @description The alert thresholds as served beside the catalogue. */
        AlertThresholds: {
            /** Format: double */
            hard: number;
            /** Format: double */
            soft: number;
        };
        /** @description A sentence of the extractive answer. */
        AnswerSentence: {
            citation: components["schemas"]["Citation"];
            sentence: string;
        };
        /** @description One attachment as its parent lists it. */
        AttachmentInfo: {
            /**
             * Format: int64
             * @description Size of its content in bytes (text parts as UTF-8).
             */
            bytes: number;
            /**
             * Format: uuid
             * @description The document holding its content, when there is one.
             */
            document_id?: string | null;
            /** @description Why it is not a document (`not_parsed`, `failed`, `not_followed`). */
            error?: string | null;
            /** @description The file name the parent gives it (made safe), or a generated one. */
            file_name: string;
            /** @description The media type the parent declares for it. */
            media_type?: string | null;
            /** @description Lower-case hex SHA-256 of its content, the key of the document it became. */
            sha256: string;
            status: components["schemas"]["AttachmentStatus"];
        };
        /**
         * @description What became of an attachment.
         * @enum {string}
         */
        AttachmentStatus: "ingested" | "not_parsed" | "failed" | "not_followed" | "pending";
        /** @description `GET /billing/plans`: the catalogue and the alert thresholds. */
        Catalogue: {
            alert_thresholds: components["schemas"]["AlertThresholds"];
            plans: components["schemas"]["PlanView"][];
        };
        /** @description Where a piece of evidence is in the corpus. */
        Citation: {
            /** Format: uuid */
            document_id: string;
            /** @description Byte offset of the end in the document's text. */
            passage_end: number;
            /** @description Byte offset in the document's text. */
            passage_start: number;
            source: string;
        };
        /** @description Consumption of each quota as a share of the plan's allowance (not clamped). */
        ConsumptionView: {
            /** Format: double */
            ingest_gb: number;
            /** Format: double */
            queries: number;
            /** Format: double */
            seats: number;
        };
        /** @description An entity that shares documents with another. */
        CoOccurrence: {
            entity: components["schemas"]["EntityInfo"];
            /**
             * Format: int64
             * @description Documents mentioning both entities.
             */
            shared_documents: number;
        };
        /**
         * @description Counsel of a tenant: outside firms and in-house legal, by name, address and domain, and the
         *     client's own e-mail domains (anyone else on a thread is a third party).
         */
        CounselList: {
            /**
             * @description The client's own e-mail domains: a participant from neither these nor counsel's is a
             *     third party, whose presence breaks privilege.
             * @default []
             */
            client_domains?: string[];
            /**
             * @description E-mail domains of outside law firms and of in-house legal departments with their own
             *     domain: everyone writing from them is counsel.
             * @default []
             */
            domains?: string[];
            /**
             * @description E-mail addresses of counsel (in-house lawyers at the client's own domain go here).
             * @default []
             */
            emails?: string[];
            /**
             * @description Names of counsel as they sign and appear in headers ("Dana Whitfield").
             * @default []
             */
            names?: string[];
        };
        /** @description One tenant in the CRM export. Fields are in [`CRM_COLUMNS`] order. */
        CrmRow: {
            /**
             * Format: int64
             * @description Distinct people active in the period.
             */
            active_seats: number;
            alert_level: components["schemas"]["AlertLevel"];
            contact_email?: string | null;
            /** @description From the onboarding intake; null for a tenant created without it. */
            contact_name?: string | null;
            /**
             * @description Decimal string, two decimals.
             * @example 3499.00
             */
            cost_to_date_usd: string;
            departments: string[];
            /** @description Planned go-live, YYYY-MM-DD. */
            go_live_date?: string | null;
            /** Format: double */
            health_score: number;
            /**
             * Format: date-time
             * @description Time of the last usage event, RFC 3339; null when none yet.
             */
            last_activity_at?: string | null;
            organization: string;
            /** @description Billing period, YYYY-MM. */
            period: string;
            plan: components["schemas"]["PlanId"];
            /** @example 3514.00 */
            projected_cost_usd: string;
            /**
             * @description Projected cost above the plan price.
             * @example 15.00
             */
            projected_overage_usd: string;
            /**
             * Format: int64
             * @description Seats sized at onboarding (null without an intake).
             */
            seats?: number | null;
            success_criteria: string[];
            tenant_id: string;
            /** Format: double */
            usage_ratio: number;
        };
        /** @description A tenant's usage for each day of a period, for charts. */
        DailySeries: {
            days: components["schemas"]["DailyUsage"][];
            period: string;
            tenant_id: string;
        };
        /** @description A tenant's usage on one day. */
        DailyUsage: {
            /** Format: int64 */
            agent_runs: number;
            /** @description YYYY-MM-DD (UTC). */
            day: string;
            /** Format: int64 */
            ingest_bytes: number;
            /** Format: int64 */
            queries: number;
            /** Format: int64 */
            signups: number;
            /** Format: int64 */
            timeline_requests: number;
        };
        /**
         * @description How precisely a date is known.
         * @enum {string}
         */
        DatePrecision: "day" | "month" | "year";
        /** @description One document with its text and its attachments. */
        DocumentDetail: components["schemas"]["DocumentInfo"] & {
            /**
             * @description The documents its attachments became (their own, or the tenant's earlier document with
             *     the same content), in the parent's order.
             */
            attachment_ids: string[];
            /** @description Every attachment the document carries, whether or not it became a document. */
            attachments: components["schemas"]["AttachmentInfo"][];
            /** @description The extracted plain text; citation offsets are byte offsets into it. */
            text: string;
        };
        /** @description Provenance of one document. */
        DocumentInfo: {
            author?: string | null;
            /**
             * Format: int64
             * @description Content size in bytes.
             */
            bytes: number;
            /**
             * Format: date-time
             * @description The document's own date (e-mail Date header, document properties), in UTC.
             */
            document_date?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            ingested_at: string;
            /**
             * Format: uuid
             * @description The ingestion job that registered the document.
             */
            job_id: string;
            media_type: string;
            /**
             * Format: date-time
             * @description When the document was last modified, from its metadata (DOCX core properties, PDF info).
             */
            modified_date?: string | null;
            /**
             * Format: uuid
             * @description The containing document, for attachments.
             */
            parent_id?: string | null;
            /** @description Parser that produced the text ("text", "html", "email", ...). */
            parser: string;
            recipients: string[];
            /** @description Lower-case hex SHA-256 of the content. */
            sha256: string;
            /** @description Canonical path (local), file name (upload, inline) or attachment file name. */
            source: string;
            source_type: components["schemas"]["SourceType"];
            subject?: string | null;
            tenant_id: components["schemas"]["TenantId"];
            title?: string | null;
            /**
             * @description What a reader should know about the text: `needs_ocr` when a page (or the whole file)
             *     has no text layer, so the text is not the whole document; `empty` when the file gave no
             *     text at all.
             */
            warnings: string[];
        };
        /** @description One page of documents. */
        DocumentPage: {
            documents: components["schemas"]["DocumentInfo"][];
            /** Format: int32 */
            page: number;
            /** Format: int32 */
            page_size: number;
            /**
             * Format: int64
             * @description Documents matching the filter, over all pages.
             */
            total: number;
        };
        /** @description A document in a neighbourhood. */
        EntityDocument: {
            /** Format: uuid */
            id: string;
            /**
             * Format: int64
             * @description Mentions of the entity in this document.
             */
            mentions: number;
            source: string;
            title?: string | null;
        };
        /** @description An entity mentioned in an event's summary; offsets are byte offsets into `summary`. */
        EntityHighlight: {
            end: number;
            entity_id: string;
            kind: components["schemas"]["EntityKind"];
            start: number;
            text: string;
        };
        /** @description An entity of a tenant with how often it is mentioned. */
        EntityInfo: {
            /**
             * Format: int64
             * @description Number of documents that mention it.
             */
            documents: number;
            /** @description Stable id within the tenant, e.g. "org:acme-corp" or "email:jane@example.com". */
            id: string;
            kind: components["schemas"]["EntityKind"];
            /**
             * Format: int64
             * @description Number of mentions over all documents.
             */
            mentions: number;
            /** @description The normalised form that identifies the entity. */
            normalized: string;
        };
        /**
         * @description Kind of a named entity.
         * @enum {string}
         */
        EntityKind: "person" | "organization" | "email" | "money" | "case_number";
        /** @description The error body every endpoint answers with. */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        /** @description What went wrong: a stable code, a sentence, and details (e.g. the fields at fault). */
        ErrorDetail: {
            code: string;
            details: Record<string, never>;
            message: string;
        };
        /** @description A plan recommendation and, when a plan applies, its ROI. */
        Evaluation: {
            /** @description The recommended plan and the comparison of every plan. */
            recommendation: components["schemas"]["Recommendation"];
            roi?: null | components["schemas"]["Roi"];
        };
        /** @description A batch of usage events. */
        EventBatch: {
            events: components["schemas"]["ReportedEvent"][];
        };
        /** @description A byte range of a document's text that supports an event. */
        EventCitation: {
            /** Format: uuid */
            document_id: string;
            end: number;
            start: number;
        };
        /**
         * @description What a usage event meters.
         * @enum {string}
         */
        EventKind: "ingestion" | "query" | "timeline" | "agent" | "signup";
        /** @description The server's state. */
        Health: {
            /**
             * Format: int64
             * @description Passages in the search index (all tenants).
             */
            indexed_passages: number;
            /** @description sqlite or postgres. */
            ledger: string;
            /** @description The current billing period. */
            period: string;
            status: string;
            version: string;
        };
        /** @description The parts of the health score, each within 0..=1 (see docs/commercial/health_score.md). */
        HealthComponents: {
            /**
             * Format: double
             * @description Active seats against a fifth of the included seats.
             */
            adoption: number;
            /**
             * Format: double
             * @description Projected queries against a quarter of the included queries.
             */
            engagement: number;
            /**
             * Format: double
             * @description 1 up to 80 % of any quota, falling to 0 at 120 %.
             */
            headroom: number;
            /**
             * Format: double
             * @description 1 if the tenant was active in the last 7 days, falling to 0 at 30 days.
             */
            recency: number;
        };
        /** @description A byte range within a passage's text. */
        Highlight: {
            end: number;
            start: number;
        };
        /** @description What to ingest. */
        IngestRequest: {
            /**
             * @description `{"type": "local", "path"}` (`root-name/sub/file`, inside a root DOCKET_INGEST_ROOTS
             *     grants the caller's tenant) or
             *     `{"type": "inline", "name", "content", "media_type"?}`.
             */
            sources: components["schemas"]["Source"][];
        };
        /** @description Why one document of a job was not ingested. */
        JobError: {
            error: string;
            /** @description The path, file name or attachment ("parent > attachment") that failed. */
            source: string;
        };
        /**
         * @description Where a job is in its life.
         * @enum {string}
         */
        JobState: "queued" | "running" | "succeeded" | "partially_failed" | "failed";
        /** @description A job and its progress. */
        JobStatus: {
            /**
             * Format: int64
             * @description Bytes of new content accepted for the tenant (the billed quantity); attachments are
             *     inside their parent's bytes and are not counted twice.
             */
            bytes: number;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: int64
             * @description Documents found so far (files under folders, inline and uploaded sources, attachments).
             */
            discovered: number;
            /**
             * Format: int64
             * @description Documents whose content the tenant already had (not billed, not indexed again).
             */
            duplicates: number;
            errors: components["schemas"]["JobError"][];
            /** Format: int64 */
            failed: number;
            /** Format: date-time */
            finished_at?: string | null;
            /**
             * Format: int64
             * @description Documents newly registered for the tenant.
             */
            ingested: number;
            /**
             * Format: uuid
             * @description The job's id, as `job_id` in JSON (the name every endpoint and report uses).
             */
            job_id: string;
            /** @description True once the usage of this job was recorded by the meter. */
            metered: boolean;
            /** Format: date-time */
            started_at?: string | null;
            status: components["schemas"]["JobState"];
            submitted_by: string;
            tenant_id: components["schemas"]["TenantId"];
        };
        /** @description An entity, the documents that mention it and the entities mentioned alongside it. */
        Neighborhood: {
            co_occurring: components["schemas"]["CoOccurrence"][];
            documents: components["schemas"]["EntityDocument"][];
            entity: components["schemas"]["EntityInfo"];
        };
        /** @description An onboarding submission that passed every check. */
        OnboardingIntake: components["schemas"]["RecommendationRequest"] & {
            /** @description How to reach them. */
            contact_email: string;
            /** @description Who to talk to. */
            contact_name: string;
            /** @description Departments that will use Docket (1 to 50). */
            departments: string[];
            /**
             * Format: date
             * @description Planned go-live, `YYYY-MM-DD`.
             */
            go_live_date: string;
            /** @description Anything else the team wants on record. */
            notes?: string | null;
            /** @description The prospect's organisation, as they write it. */
            organization: string;
            /** @description What the team wants Docket for, in their words. */
            primary_use_case: string;
            /** @description What success looks like at go-live (1 to 50). */
            success_criteria: string[];
            /** @description The tenant id: as given, else derived from the organisation. */
            tenant_id: components["schemas"]["TenantId"];
        };
        /** @description The answer to an onboarding submission. */
        OnboardingResponse: {
            /** @description The plan the tenant was created on: the selected one, else the recommended one. */
            plan_id: components["schemas"]["PlanId"];
            recommendation: components["schemas"]["Recommendation"];
            recommended_plan?: null | components["schemas"]["PlanId"];
            roi?: null | components["schemas"]["Roi"];
            /** Format: date-time */
            submitted_at: string;
            tenant_id: string;
        };
        /** @description A ticket to open. */
        OpenTicket: {
            /** @description 1 to 20,000 characters. */
            body: string | null;
            severity: null | components["schemas"]["Severity"];
            /** @description 1 to 200 characters. */
            subject: string | null;
        };
        /** @description The calling tenant's snapshot, daily series and alerts. */
        OwnUsage: {
            alerts: components["schemas"]["QuotaAlert"][];
            daily: components["schemas"]["DailyUsage"][];
            snapshot: components["schemas"]["TenantSnapshot"];
        };
        /** @description A passage of evidence. */
        Passage: {
            /** @description Byte offset of the passage's end in the document's text. */
            end: number;
            /** @description Matched terms, as byte ranges within `text`. */
            highlights: components["schemas"]["Highlight"][];
            /** @description Byte offset of the passage in the document's text. */
            start: number;
            text: string;
        };
        /**
         * @description One of the three plans Docket is sold in.
         * @enum {string}
         */
        PlanId: "community" | "professional" | "enterprise";
        /** @description One plan priced on the projected usage. */
        PlanOption: {
            /** @description Whether the plan has enough seats and a fast enough support SLA. */
            eligible: boolean;
            /** @description The plan's published name. */
            label: string;
            /**
             * @description The plan's published monthly price, in USD.
             * @example 3499.00
             */
            monthly_price_usd: string;
            /** @description The plan. */
            plan_id: components["schemas"]["PlanId"];
            /**
             * @description Price plus overage on the projected usage, in USD.
             * @example 3499.00
             */
            projected_monthly_cost_usd: string;
            /** @description Why the plan was chosen, passed over or ruled out. */
            reasons: string[];
            /** @description Whether this is the recommended plan. */
            recommended: boolean;
        };
        /** @description The catalogue as served by `GET /billing/plans`. */
        PlanView: {
            /** Format: int64 */
            included_ingest_gb: number;
            /** Format: int64 */
            included_queries: number;
            /** Format: int64 */
            included_seats: number;
            label: string;
            /** @example 3499.00 */
            monthly_price_usd: string;
            /** @example 2.40 */
            overage_per_gb_usd: string;
            /** @example 0.015 */
            overage_per_query_usd: string;
            plan_id: components["schemas"]["PlanId"];
            support_channels: string[];
            support_contact_path: string;
            /** Format: int32 */
            support_sla_hours: number;
            support_tier: components["schemas"]["SupportTier"];
            support_tier_label: string;
        };
        /** @description A quota alert: the first time in a period a tenant crossed a threshold on one dimension. */
        QuotaAlert: {
            /**
             * Format: double
             * @description Consumption share when the alert fired.
             */
            consumption: number;
            dimension: components["schemas"]["QuotaDimension"];
            level: components["schemas"]["AlertLevel"];
            /** @example 2026-11 */
            period: string;
            tenant_id: string;
            /** Format: date-time */
            triggered_at: string;
        };
        /**
         * @description The quota dimensions that alerts and the usage ratio look at.
         * @enum {string}
         */
        QuotaDimension: "queries" | "ingest_gb" | "seats";
        /** @description The recommended plan, the projected usage it was priced on, and every plan compared. */
        Recommendation: {
            /** @description Every plan, lowest tier first. */
            comparison: components["schemas"]["PlanOption"][];
            /**
             * Format: double
             * @description Ingest a month projected from the intake, in GB.
             */
            projected_monthly_ingest_gb: number;
            /**
             * Format: int64
             * @description Queries a month projected from the intake.
             */
            projected_monthly_queries: number;
            /** @description Why that plan, in one sentence. */
            reason: string;
            recommended_plan?: null | components["schemas"]["PlanId"];
        };
        /** @description What a prospect tells us about their team and workload; validated by [`RecommendationRequest::parse`]. */
        RecommendationRequest: {
            /**
             * Format: double
             * @description Share of those hours the team expects Docket to take over, in percent (0..=100).
             */
            automation_target_percent: number;
            /**
             * Format: int64
             * @description New or active matters worked per month (0..=100000).
             */
            estimated_matters_per_month: number;
            /**
             * Format: double
             * @description Document content expected per month, in GB (0..=1000000); derived from matters when absent.
             */
            expected_ingest_gb_per_month?: number | null;
            /**
             * Format: double
             * @description Loaded cost of one hour of that work, in USD (over 0, at most 10000; 285 when not given).
             * @default 285
             */
            hourly_rate?: number;
            /**
             * Format: int32
             * @description Slowest acceptable support response, in hours (1..=720).
             */
            required_sla_hours?: number | null;
            /**
             * Format: double
             * @description Hours a matter takes today in the work Docket can take over (over 0, at most 10000).
             */
            roi_baseline_hours_per_matter: number;
            /**
             * Format: int64
             * @description People who will use Docket (1..=100000).
             */
            seats: number;
            selected_plan?: null | components["schemas"]["PlanId"];
        };
        /** @description What recording a batch of events did. */
        RecordOutcome: {
            /**
             * Format: int64
             * @description Events whose id was already in the ledger (counted once, earlier).
             */
            duplicates: number;
            /**
             * Format: int64
             * @description Events newly committed.
             */
            recorded: number;
        };
        /** @description One usage event as reported by a service. */
        ReportedEvent: {
            attributes?: Record<string, never> | null;
            /** Format: int64 */
            bytes?: number;
            /** @description Unique id chosen by the reporter; a retry with the same id is counted once. */
            event_id: string;
            kind: components["schemas"]["EventKind"];
            /** Format: int64 */
            latency_ms?: number | null;
            /**
             * Format: date-time
             * @description RFC 3339; now when absent.
             */
            occurred_at?: string | null;
            subject?: string | null;
            tenant_id: string;
            /** Format: int64 */
            units?: number;
        };
        /** @description A response to a ticket. */
        RespondToTicket: {
            /** @description 1 to 20,000 characters. */
            body: string | null;
        };
        /** @description The return on one plan, per month unless named otherwise; money in USD rounded to cents. */
        Roi: {
            /**
             * @description 12 × the monthly value.
             * @example 3499.00
             */
            annual_value_usd: string;
            /** @description Whether that plan was selected or recommended. */
            basis: components["schemas"]["RoiBasis"];
            /**
             * Format: double
             * @description matters × baseline hours × automation % / 100, rounded to 2 decimals.
             */
            monthly_hours_saved: number;
            /**
             * @description Hours saved × hourly rate.
             * @example 3499.00
             */
            monthly_value_usd: string;
            /**
             * @description Monthly value minus the plan's monthly cost (negative when the plan costs more).
             * @example 3499.00
             */
            net_monthly_value_usd: string;
            /**
             * Format: double
             * @description Days of value that cover one month's cost (cost × 30 / value); 0 if free, null if no value.
             */
            payback_days?: number | null;
            /** @description The plan the figures are for. */
            plan_id: components["schemas"]["PlanId"];
            /**
             * @description The plan's projected monthly cost (price plus overage).
             * @example 3499.00
             */
            plan_monthly_cost_usd: string;
            /**
             * Format: double
             * @description Monthly value / monthly cost, 2 decimals; null for a plan that costs nothing.
             */
            roi_multiple?: number | null;
        };
        /**
         * @description Which plan an ROI was computed for.
         * @enum {string}
         */
        RoiBasis: "selected" | "recommended";
        /** @description A place in a document's text that supports a claim: byte offsets into the extracted text. */
        RunCitation: {
            /** Format: uuid */
            document_id: string;
            /** @description Byte offset of the end in the document's text. */
            end: number;
            /** @description Byte offset in the document's text. */
            start: number;
        };
        /** @description What a caller asks of an agent. */
        RunRequest: {
            /** @description The agent's name: privilege_review, chronology or case_brief. */
            agent: string;
            /** @description Options of the agent (see docs/api.md); absent means the defaults. */
            options?: Record<string, never>;
            /** @description The question a case brief answers (required by case_brief). */
            question?: string | null;
            scope?: components["schemas"]["RunScope"];
        };
        /**
         * @description Which documents a run covers; every given filter applies (their intersection). Empty: all
         *     the tenant's documents.
         */
        RunScope: {
            /**
             * @description Only these documents (at most 10,000).
             * @default null
             */
            document_ids?: string[] | null;
            /**
             * @description Only documents mentioning this entity (an entity id or its normalised form).
             * @default null
             */
            entity?: string | null;
            /**
             * @description Only documents (and events) dated on or after this time, `YYYY-MM-DD` or RFC 3339.
             * @default null
             */
            from_ts?: string | null;
            /**
             * @description Only documents matching this search query.
             * @default null
             */
            query?: string | null;
            /**
             * @description Only documents of this source type: local, inline, upload or attachment.
             * @default null
             */
            source?: string | null;
            /**
             * @description Only documents (and events) dated on or before this time, `YYYY-MM-DD` or RFC 3339.
             * @default null
             */
            to_ts?: string | null;
        };
        /**
         * @description Where a run is in its life.
         * @enum {string}
         */
        RunState: "queued" | "running" | "succeeded" | "failed";
        /** @description One step of a run: what it did, on how many documents, how long it took. */
        RunStep: {
            /**
             * Format: int64
             * @description Documents (or events, for the timeline steps) the step went through.
             */
            documents: number;
            /** Format: int64 */
            duration_ms: number;
            name: string;
        };
        /** @description A run as listed: who asked which agent, and how far it got. */
        RunSummary: {
            agent: string;
            /**
             * Format: int32
             * @description How many times the run was started (more than one after a restart interrupted it).
             */
            attempts: number;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: int64
             * @description Documents the run has examined so far (the billed attribute once it succeeded).
             */
            documents_examined: number;
            /**
             * Format: int64
             * @description Documents in the run's scope, once counted.
             */
            documents_total?: number | null;
            /** @description Why the run failed. */
            error?: string | null;
            /** Format: date-time */
            finished_at?: string | null;
            /** @description True once the run's usage event was recorded by the ledger. */
            metered: boolean;
            /**
             * Format: uuid
             * @description The run's id, as `run_id` in JSON.
             */
            run_id: string;
            /** Format: date-time */
            started_at?: string | null;
            status: components["schemas"]["RunState"];
            submitted_by: string;
            tenant_id: components["schemas"]["TenantId"];
        };
        /**
         * @description What one result is.
         * @enum {string}
         */
        SearchGroup: "document" | "passage";
        /** @description One matching document (or, with `group=passage`, one matching passage). */
        SearchHit: {
            /** @description Citation of the best passage. */
            citation: components["schemas"]["Citation"];
            /** Format: uuid */
            document_id: string;
            /** @description The query's terms (as typed) this result holds. */
            matched_terms: string[];
            /**
             * Format: int64
             * @description How many passages of the document match (1 with `group=passage`).
             */
            matching_passages: number;
            /** @description The query's terms (as typed) this result lacks: empty when it holds every one. */
            missing_terms: string[];
            /** @description The best passage (the first of `passages`). */
            passage: components["schemas"]["Passage"];
            /** @description The best passages of the document, best first (up to 3; with `group=passage`, the one). */
            passages: components["schemas"]["Passage"][];
            /**
             * Format: float
             * @description BM25 score of the best passage (comparable only within one response). Results are
             *     ordered by how many terms they hold first, then by this score.
             */
            score: number;
            /** @description The document's source: canonical path or file name. */
            source: string;
            source_type?: null | components["schemas"]["SourceType"];
            title?: string | null;
        };
        /**
         * @description How typed terms match.
         * @enum {string}
         */
        SearchMode: "precision" | "recall";
        /** @description Search results. */
        SearchResponse: {
            /** @description The best one to three sentences of the top passages that contain query terms. */
            answer: components["schemas"]["AnswerSentence"][];
            /** Format: int32 */
            page: number;
            /** Format: int32 */
            page_size: number;
            results: components["schemas"]["SearchHit"][];
            /** Format: int64 */
            took_ms: number;
            /**
             * Format: int64
             * @description Matching documents over all pages (passages with `group=passage`).
             */
            total_hits: number;
        };
        /**
         * @description How urgent a ticket is, as its author judges.
         * @enum {string}
         */
        Severity: "low" | "normal" | "high" | "urgent";
        /**
         * @description How a ticket missed its first-response deadline.
         * @enum {string}
         */
        SlaBreach: "unanswered" | "late";
        /** @description One thing to ingest. */
        Source: {
            path: string;
            /** @enum {string} */
            type: "local";
        } | {
            content: string;
            media_type?: string | null;
            name: string;
            /** @enum {string} */
            type: "inline";
        };
        /**
         * @description Where a document came from.
         * @enum {string}
         */
        SourceType: "local" | "inline" | "upload" | "attachment";
        /** @description A response to a ticket. */
        SupportResponse: {
            body: string;
            /** Format: date-time */
            responded_at: string;
            /** @description The subject of the token that answered. */
            responder: string;
            response_id: string;
        };
        /** @description A support ticket with its SLA state. */
        SupportTicket: {
            body: string;
            breach?: null | components["schemas"]["SlaBreach"];
            /** Format: date-time */
            breach_recorded_at?: string | null;
            /**
             * Format: date-time
             * @description `opened_at` plus the SLA hours: a first response at or before it meets the SLA.
             */
            due_at: string;
            /** Format: date-time */
            first_response_at?: string | null;
            /** Format: date-time */
            opened_at: string;
            /** @description The subject of the token that opened it. */
            opened_by: string;
            /** @description Responses, oldest first (empty in lists). */
            responses: components["schemas"]["SupportResponse"][];
            severity: components["schemas"]["Severity"];
            /**
             * Format: int32
             * @description First-response SLA of that tier, in hours.
             */
            sla_hours: number;
            subject: string;
            /** @description The tenant's support tier when the ticket was opened. */
            support_tier: components["schemas"]["SupportTier"];
            tenant_id: string;
            ticket_id: string;
        };
        /**
         * @description The support tier that comes with a plan.
         * @enum {string}
         */
        SupportTier: "community" | "standard" | "premium";
        TenantId: string;
        /** @description A tenant's current standing: usage in the period and everything computed from it. */
        TenantSnapshot: components["schemas"]["UsageAssessment"] & {
            /** Format: int64 */
            active_seats: number;
            /** Format: int64 */
            agent_runs: number;
            /** Format: int64 */
            ingest_bytes: number;
            /**
             * Format: double
             * @description Ingest in GB (10^9 bytes).
             */
            ingest_gb: number;
            /** Format: date-time */
            last_event_at?: string | null;
            /** @description The onboarding intake, when the tenant came through it. */
            onboarding?: Record<string, never> | null;
            organization: string;
            /** @example 2026-11 */
            period: string;
            plan_id: components["schemas"]["PlanId"];
            /**
             * Format: int64
             * @description Queries executed in the period: the `queries` usage dimension.
             */
            queries: number;
            /** Format: int32 */
            support_sla_hours: number;
            support_tier: components["schemas"]["SupportTier"];
            tenant_id: string;
            /** Format: int64 */
            timeline_requests: number;
        };
        /** @description Tickets, newest first. */
        TicketList: {
            tickets: components["schemas"]["SupportTicket"][];
        };
        /** @description The response recorded and the ticket after it. */
        TicketResponse: {
            response: components["schemas"]["SupportResponse"];
            ticket: components["schemas"]["SupportTicket"];
        };
        /** @description One dated event. */
        TimelineEvent: {
            citations: components["schemas"]["EventCitation"][];
            /**
             * Format: float
             * @description 0..1: how sure the extractor is that this is an event date.
             */
            confidence: number;
            /** Format: uuid */
            document_id: string;
            entity_highlights: components["schemas"]["EntityHighlight"][];
            /** Format: uuid */
            id: string;
            /** @description The day as written, `YYYY-MM-DD`. */
            local_date: string;
            /** @description "metadata" (e-mail Date, DOCX core properties, PDF info) or "body". */
            origin: string;
            precision: components["schemas"]["DatePrecision"];
            /** @description The sentence that carries the date. */
            summary: string;
            /** @description The document's title or e-mail subject. */
            title: string;
            /**
             * @description `YYYY-MM-DD`, or an RFC 3339 timestamp with the offset it was written with when the
             *     time of day is known (`2024-03-01T23:06:00-04:00`). Events are ordered and filtered by
             *     this local time: an e-mail is on the day its sender wrote it.
             */
            ts: string;
            /** @description The same instant in UTC (`2024-03-02T03:06:00Z`), when the time of day is known. */
            utc?: string | null;
            /** @description The UTC offset the time was written with (`-04:00`), when the time of day is known. */
            utc_offset?: string | null;
        };
        /** @description One page of the timeline, in chronological order. */
        TimelinePage: {
            events: components["schemas"]["TimelineEvent"][];
            /** @description Pass back as `cursor` for the next page; None on the last page. */
            next_cursor?: string | null;
        };
        /** @description Why a tenant is in the triage and how urgent it is. */
        TriageAssessment: {
            /**
             * Format: int64
             * @description Whole days since the tenant's last usage event; null when it never had one.
             */
            days_since_activity?: number | null;
            /** @description What put the tenant here, most pressing first. */
            reasons: string[];
            /**
             * Format: double
             * @description 0..=1, riskiest first: the larger of how far health is below 0.75 (0 at 0.75, 1 at 0)
             *     and how far the fullest quota is past 0.95 (0 at 0.95, 1 at 1.20), rounded to 3 decimals.
             */
            risk: number;
        };
        /** @description One flagged tenant in the triage. */
        TriageEntry: components["schemas"]["TriageAssessment"] & {
            alert_level: components["schemas"]["AlertLevel"];
            /** Format: double */
            health_score: number;
            /** Format: date-time */
            last_event_at?: string | null;
            organization: string;
            plan_id: components["schemas"]["PlanId"];
            /**
             * @description Decimal string, two decimals.
             * @example 3514.00
             */
            projected_monthly_cost_usd: string;
            /** Format: int32 */
            support_sla_hours: number;
            /**
             * @description The tenant's support tier (its plan's unless overridden) and its SLA: how fast
             *     customer success must answer.
             */
            support_tier: components["schemas"]["SupportTier"];
            tenant_id: string;
            /** Format: double */
            usage_ratio: number;
        };
        /** @description The triage of one period. */
        TriageReport: {
            /** Format: date-time */
            generated_at: string;
            period: string;
            /** @description Tenants with health < 0.75 or usage ratio > 0.95, riskiest first. */
            tenants: components["schemas"]["TriageEntry"][];
        };
        /** @description Everything computed from a tenant's usage in a period. */
        UsageAssessment: {
            alert_level: components["schemas"]["AlertLevel"];
            consumption: components["schemas"]["ConsumptionView"];
            /**
             * @description Decimal string, two decimals ("3499.00").
             * @example 3499.00
             */
            cost_to_date_usd: string;
            flagged: boolean;
            health_components: components["schemas"]["HealthComponents"];
            /** Format: double */
            health_score: number;
            /**
             * @description Decimal string, two decimals.
             * @example 3514.00
             */
            projected_monthly_cost_usd: string;
            /** Format: double */
            usage_ratio: number;
        };
        /**
         * @description The tenants of a period matching the filters: one page of them (all without `limit`), and
         *     the summary of every matching tenant.
         */
        UsageReport: {
            /** @description Quota alerts of the period, for the tenants listed. */
            alerts: components["schemas"]["QuotaAlert"][];
            /**
             * Format: date-time
             * @description When the tenants' assessments were computed.
             */
            generated_at: string;
            /**
             * Format: int64
             * @description Tenants matching the filters, over every page.
             */
            matching: number;
            /** @description Pass as `cursor` for the next page; null on the last page. */
            next_cursor?: string | null;
            period: string;
            /**
             * @description The sort order applied.
             * @example -health
             */
            sort: string;
            /** @description Summary over every tenant matching the filters (all pages, not only this one). */
            summary: components["schemas"]["UsageSummary"];
            tenants: components["schemas"]["TenantSnapshot"][];
        };
        /** @description The dashboard's summary tiles, over every tenant matching the filters (all pages). */
        UsageSummary: {
            /**
             * Format: int64
             * @description Of those, tenants flagged for triage.
             */
            flagged: number;
            /**
             * @description Sum of their plans' monthly prices. Decimal string, two decimals.
             * @example 12497.00
             */
            monthly_recurring_revenue_usd: string;
            /**
             * @description Sum over those tenants of projected monthly cost above the plan price. Decimal string.
             * @example 42.50
             */
            projected_overage_usd: string;
            /**
             * Format: int64
             * @description Tenants matching the filters.
             */
            tenants: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    get_counsel_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CounselList"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    set_counsel_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CounselList"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CounselList"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than DOCKET_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    start_agent_run: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RunRequest"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentRun"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than DOCKET_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_agent_runs: {
        parameters: {
            query?: {
                /** @description Most runs returned, 1..=200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunSummary"][];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_agent_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentRun"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    export_agent_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description csv or md */
                format: string;
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the export */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "text/markdown": string;
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_privilege_log: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    events: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EventBatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordOutcome"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    export_crm: {
        parameters: {
            query?: {
                /** @description csv or jsonl; when absent, jsonl if `Accept` asks for application/x-ndjson, else csv. */
                format?: string;
                /** @description Billing period, YYYY-MM (UTC); the current one when absent. */
                period?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the export: text/csv with a header row, or one JSON object per line */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["CrmRow"];
                    "text/csv": string;
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    plans: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Catalogue"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    recommend: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecommendationRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Evaluation"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than DOCKET_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    triage: {
        parameters: {
            query?: {
                /** @description Billing period, YYYY-MM (UTC); the current one when absent. */
                period?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TriageReport"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    usage: {
        parameters: {
            query?: {
                /** @description Only tenants at this alert level: none, soft or hard. */
                alert_level?: string;
                /** @description `next_cursor` of the previous page, with the same `sort` and filters. */
                cursor?: string;
                /** @description Only tenants flagged for triage (health < 0.75 or usage ratio > 0.95), or only the others. */
                flagged?: boolean;
                /** @description Tenants per page, 1 to 1000. Without it every matching tenant is returned (exports). */
                limit?: number;
                /** @description Billing period YYYY-MM; past periods come from history. */
                period?: string;
                /** @description Only tenants on this plan: community, professional or enterprise. */
                plan?: string;
                /**
                 * @description Only tenants whose organisation name or tenant id contains this text, ignoring case
                 *     (at most 200 characters).
                 */
                q?: string;
                /**
                 * @description Sort order: health, usage_ratio, projected_cost, last_activity, tenant or organization;
                 *     a leading '-' sorts descending (`-projected_cost`). Ties go by tenant id. Default: tenant.
                 */
                sort?: string;
                /** @description Only this tenant. */
                tenant_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageReport"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    daily: {
        parameters: {
            query?: {
                /** @description Billing period, YYYY-MM (UTC); the current one when absent. */
                period?: string;
            };
            header?: never;
            path: {
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DailySeries"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list: {
        parameters: {
            query?: {
                /** @description Earliest document date, `YYYY-MM-DD` or RFC 3339, inclusive. */
                date_from?: string;
                /** @description Latest document date, `YYYY-MM-DD` (the whole day) or RFC 3339, inclusive. */
                date_to?: string;
                job_id?: string;
                /** @description 1-based page number (default 1). */
                page?: number;
                /** @description Documents per page, 1..=200 (default 50). */
                page_size?: number;
                parent_id?: string;
                source_type?: components["schemas"]["SourceType"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentPage"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description one or more parts named `file` */
        requestBody?: {
            content: {
                "multipart/form-data": unknown;
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentDetail"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    entities: {
        parameters: {
            query?: {
                /** @description Most entities returned, 1..=200 (default 50). */
                limit?: number;
                /** @description Part of the entity's name (case-insensitive); all entities when empty. */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntityInfo"][];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    neighbor: {
        parameters: {
            query: {
                /** @description The entity's id. */
                id: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Neighborhood"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_ingest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"][];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    submit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["IngestRequest"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    post_onboarding: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes a retried submission safe */
                "Idempotency-Key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OnboardingIntake"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OnboardingResponse"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    query: {
        parameters: {
            query: {
                /** @description Only documents mentioning this entity (id or normalised name). */
                "filters[entity]"?: string;
                /** @description Only documents of this source type: local, inline, upload or attachment. */
                "filters[source]"?: string;
                /** @description document (one result per document with its best passages; the default) or passage. */
                group?: components["schemas"]["SearchGroup"];
                /** @description precision (terms as written) or recall (one typo tolerated in long terms). */
                mode?: components["schemas"]["SearchMode"];
                /** @description 1-based page (default 1). */
                page?: number;
                /** @description Results per page, 1..=100 (default 10). */
                page_size?: number;
                /**
                 * @description Words, "phrases", AND / OR / NOT, +required, -excluded, field:word (title, subject,
                 *     from, to, author, text). Results holding more of the words come first.
                 */
                q: string;
                /** @description Send JSON lines: one per hit, then the answer and totals. */
                stream?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the page of hits; with stream=true, application/x-ndjson lines (hits, then a summary) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResponse"];
                    "application/x-ndjson": string;
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_support_tickets: {
        parameters: {
            query?: {
                /** @description Most tickets returned, 1 to 1000 (default 100). */
                limit?: number;
                /** @description Only this tenant's tickets (staff tokens; a tenant's token always sees its own). */
                tenant_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketList"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    open: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenTicket"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SupportTicket"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than DOCKET_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_support_tickets_ticket_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                ticket_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SupportTicket"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    respond: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                ticket_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RespondToTicket"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketResponse"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than DOCKET_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    timeline: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page; absent for the first page. */
                cursor?: string;
                /** @description Only events mentioning this entity (an entity id or its normalised form). */
                entity?: string;
                /** @description Earliest event time, `YYYY-MM-DD` or RFC 3339, inclusive. */
                from_ts?: string;
                /** @description Events per page, 1..=200 (default 50). */
                limit?: number;
                /** @description Latest event time, `YYYY-MM-DD` (the whole day) or RFC 3339, inclusive. */
                to_ts?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TimelinePage"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    own_usage: {
        parameters: {
            query?: {
                /** @description Billing period, YYYY-MM (UTC); the current one when absent. */
                period?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OwnUsage"];
                };
            };
            /** @description a malformed request: query string, header or body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the service cannot answer now; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
