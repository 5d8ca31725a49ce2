//! Privilege review: every document in scope called privileged, not privileged or needs review,
//! with its basis, a confidence and the signals that decided it (each cited to its place), and
//! the privilege log, whose descriptions state a document's nature, never its content.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Agent, AgentContext, AgentOutput, CSV, CounselList, ExportFormat, Progress, RunCitation, RunRequest, ScopedDocument,
};
use crate::error::CorpusError;
use crate::registry::{DocumentInfo, SourceType};

/// Privilege calls and the privilege log.
pub struct PrivilegeReview;

/// What privilege review calls a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    Privileged,
    NotPrivileged,
    NeedsReview,
}

/// Why a document is privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    AttorneyClient,
    WorkProduct,
}

impl Basis {
    fn label(self) -> &'static str {
        match self {
            Basis::AttorneyClient => "Attorney-client communication",
            Basis::WorkProduct => "Attorney work product",
        }
    }
}

/// What a signal says about privilege.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// Counsel wrote the document.
    CounselAuthor,
    /// Counsel received it.
    CounselRecipient,
    /// Counsel is named in the text (advice relayed, "per counsel").
    CounselNamed,
    /// A privilege marker ("privileged & confidential", "attorney-client").
    PrivilegeMarker,
    /// A request for, or the giving of, legal advice.
    LegalAdvice,
    /// Prepared by or for counsel in anticipation of litigation.
    WorkProduct,
    /// A participant outside the client and its counsel.
    ThirdParty,
    /// The thread was forwarded.
    Forwarded,
    /// A public document (press release, court filing, published article).
    PublicDocument,
    /// Purely business content (pricing, sales, logistics, scheduling).
    BusinessContent,
    /// A confidentiality disclaimer in a footer: says nothing about this document.
    BoilerplateDisclaimer,
    /// The document's text is missing or partial (a scan without a text layer): no call can be
    /// made from it until it is read by OCR or a person.
    NoText,
}

/// One signal with its place: a byte range of the text, or the header field it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub kind: SignalKind,
    /// What was found (a participant's address or name, or the words matched).
    pub evidence: String,
    /// Where in the text, when it is in the text.
    pub citation: Option<RunCitation>,
    /// The header it came from (`from`, `recipients`, `author`, `parent.from`, ...) otherwise.
    pub field: Option<String>,
}

/// The call on one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub document_id: Uuid,
    pub source: String,
    pub call: Call,
    pub basis: Vec<Basis>,
    /// 0..1: how clearly the signals point one way.
    pub confidence: f32,
    pub signals: Vec<Signal>,
    /// The reason in words.
    pub reason: String,
}

/// One row of the privilege log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Bates-style control number, `PRIV-000001` onwards, in log order.
    pub control_number: String,
    pub document_id: Uuid,
    pub source_file: String,
    /// `YYYY-MM-DD`, or empty when the document has no date.
    pub date: String,
    pub author: String,
    pub recipients: String,
    pub document_type: String,
    pub privilege_basis: String,
    /// `privileged` or `needs_review` (withheld pending a reviewer's decision).
    pub call: Call,
    /// The document's nature, never its content.
    pub description: String,
}

/// The run's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivilegeOutput {
    pub counts: HashMap<String, u64>,
    pub documents: Vec<Review>,
    pub privilege_log: Vec<LogEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    /// Prefix of the control numbers (default `PRIV`).
    control_prefix: Option<String>,
}

impl Agent for PrivilegeReview {
    fn name(&self) -> &'static str {
        "privilege_review"
    }

    fn validate(&self, request: &RunRequest) -> Result<(), CorpusError> {
        let options: Options = request.options()?;
        if let Some(p) = &options.control_prefix
            && (p.is_empty() || p.len() > 16 || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(CorpusError::filter("options.control_prefix", "1 to 16 letters, digits or '-'"));
        }
        Ok(())
    }

    fn run(
        &self,
        ctx: &AgentContext,
        request: &RunRequest,
        progress: &mut Progress,
    ) -> Result<AgentOutput, CorpusError> {
        let options: Options = request.options()?;
        let prefix = options.control_prefix.unwrap_or_else(|| "PRIV".into());
        progress.begin("read the counsel list");
        let counsel = Counsel::new(ctx.counsel()?);
        progress.begin("count the documents in scope");
        let total = ctx.count(&request.scope)?;
        progress.advance(total);
        progress.set_total(total);
        progress.begin("classify documents");
        let mut out = PrivilegeOutput::default();
        let mut citations = Vec::new();
        let mut parents: HashMap<Uuid, Option<DocumentInfo>> = HashMap::new();
        ctx.for_each_page(&request.scope, &mut |page| {
            for doc in page {
                let parent = match doc.info.parent_id {
                    Some(pid) => {
                        if !parents.contains_key(&pid) {
                            if parents.len() > 4_096 {
                                parents.clear();
                            }
                            parents.insert(pid, ctx.document(pid)?.map(|d| d.info));
                        }
                        parents.get(&pid).cloned().flatten()
                    }
                    None => None,
                };
                let review = review(&counsel, &doc, parent.as_ref());
                citations.extend(review.signals.iter().filter_map(|s| s.citation.clone()));
                *out.counts.entry(call_name(review.call).into()).or_default() += 1;
                if review.call != Call::NotPrivileged {
                    let n = out.privilege_log.len() + 1;
                    out.privilege_log.push(log_entry(&format!("{prefix}-{n:06}"), &doc, parent.as_ref(), &review));
                }
                out.documents.push(review);
                progress.examined(1);
            }
            Ok(())
        })?;
        progress.end();
        let output = serde_json::to_value(&out).map_err(|e| CorpusError::Corrupt(format!("privilege output: {e}")))?;
        Ok(AgentOutput { output, citations })
    }

    fn exports(&self) -> &'static [ExportFormat] {
        &[CSV]
    }

    fn export(&self, output: &serde_json::Value, _format: ExportFormat) -> Result<Vec<u8>, CorpusError> {
        let log: Vec<LogEntry> = serde_json::from_value(output.get("privilege_log").cloned().unwrap_or_default())
            .map_err(|e| CorpusError::Corrupt(format!("privilege log: {e}")))?;
        privilege_log_csv(&log)
    }
}

fn call_name(call: Call) -> &'static str {
    match call {
        Call::Privileged => "privileged",
        Call::NotPrivileged => "not_privileged",
        Call::NeedsReview => "needs_review",
    }
}

/// The privilege log as CSV, with a header row.
pub fn privilege_log_csv(log: &[LogEntry]) -> Result<Vec<u8>, CorpusError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| CorpusError::Corrupt(format!("writing the privilege log: {e}"));
    w.write_record([
        "control_number",
        "document_id",
        "source_file",
        "date",
        "author",
        "recipients",
        "document_type",
        "privilege_basis",
        "call",
        "description",
    ])
    .map_err(csv_err)?;
    for e in log {
        w.write_record([
            e.control_number.as_str(),
            &e.document_id.to_string(),
            &e.source_file,
            &e.date,
            &e.author,
            &e.recipients,
            &e.document_type,
            &e.privilege_basis,
            call_name(e.call),
            &e.description,
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| CorpusError::Corrupt(format!("writing the privilege log: {e}")))
}

/// The counsel list, ready for lookups.
struct Counsel {
    list: CounselList,
    names: Vec<String>,
    /// Each name as a case-insensitive pattern over the text, so a mention is cited where it is.
    name_patterns: Vec<Regex>,
}

/// Who a participant is to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Counsel,
    Client,
    ThirdParty,
    Unknown,
}

impl Counsel {
    fn new(list: CounselList) -> Counsel {
        let names = list.names.iter().map(|n| n.to_lowercase()).collect();
        let name_patterns =
            list.names.iter().filter_map(|n| Regex::new(&format!(r"(?i)\b{}\b", regex::escape(n))).ok()).collect();
        Counsel { list, names, name_patterns }
    }

    fn role(&self, participant: &str) -> Role {
        let lower = participant.to_lowercase();
        let address = email_of(&lower);
        if let Some(addr) = &address {
            let domain = addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
            if self.list.emails.iter().any(|e| e == addr) || self.list.domains.iter().any(|d| domain_matches(domain, d))
            {
                return Role::Counsel;
            }
        }
        if self.names.iter().any(|n| !n.is_empty() && lower.contains(n.as_str())) {
            return Role::Counsel;
        }
        match address {
            Some(addr) => {
                let domain = addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
                if self.list.client_domains.iter().any(|d| domain_matches(domain, d)) {
                    Role::Client
                } else if self.list.client_domains.is_empty() {
                    Role::Unknown
                } else {
                    Role::ThirdParty
                }
            }
            None => Role::Unknown,
        }
    }
}

fn domain_matches(domain: &str, listed: &str) -> bool {
    domain == listed || domain.strip_suffix(listed).is_some_and(|rest| rest.ends_with('.'))
}

fn email_of(participant: &str) -> Option<String> {
    static EMAIL: OnceLock<Regex> = OnceLock::new();
    let re =
        EMAIL.get_or_init(|| Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}").expect("valid regex"));
    re.find(participant).map(|m| m.as_str().to_lowercase())
}

/// Patterns of each text signal, case-insensitive.
fn patterns() -> &'static [(SignalKind, Regex)] {
    static PATTERNS: OnceLock<Vec<(SignalKind, Regex)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let table: &[(SignalKind, &str)] = &[
            (
                SignalKind::PrivilegeMarker,
                r"privileged\s*(?:&|and)\s*confidential|attorney[\s-]+client(?:\s+(?:privileged?|communication))?|\bprivileged\b|confidential legal",
            ),
            (
                SignalKind::WorkProduct,
                r"(?:attorney\s+)?work[\s-]+product|prepared (?:at|under) the (?:direction|request) of (?:counsel|our attorneys?|legal)|in anticipation of (?:litigation|trial|arbitration)|draft for counsel(?:'s)? review|litigation strategy|mental impressions|(?:witness )?interview notes prepared for counsel",
            ),
            (
                SignalKind::LegalAdvice,
                r"legal advice|legal opinion|(?:please|kindly) advise|your (?:legal )?(?:advice|view|guidance|opinion) on|advise (?:us|me|whether|on|if)|we (?:advise|recommend) that you|my advice is|our advice is|(?:legal|litigation) (?:risk|exposure)|exposure (?:to|under)|liab(?:le|ility) (?:for|under)|indemnif\w*|breach of (?:the |contract|warranty)|enforceab\w*|(?:terminate|termination of) the (?:agreement|contract|msa)|\bwaive\w*|claims? against|settlement (?:offer|options|strategy|position)|statute of limitations|disclos(?:e|ure) (?:the claim|obligations?)|legal position|whether we (?:can|may|must|should)|counsel (?:advised|recommends|says)|(?:dana|counsel|our lawyers?) (?:advised|recommended|told us)",
            ),
            (
                SignalKind::PublicDocument,
                r"for immediate release|press release|publicly available|published (?:on|in|by)|\bpublic filing\b|united states district court|court of (?:appeals|chancery)|filed (?:with|in) the court|news article|as reported (?:by|in)",
            ),
            (
                SignalKind::BusinessContent,
                r"\bpric(?:e|es|ing)\b|\bdiscount\w*|\brevenue\b|\bsales\b|\bmarketing\b|\bquarterly\b|\bforecast\w*|\bbudget\w*|shipment schedule|\bpurchase order\b|\binvoice[sd]?\b|\bbid\b|\bquote\b|\bmargin\w*|\bwarehouse\b|\blunch\b|\bcalendar\b|\bmeeting room\b|\bheadcount\b|\bcapacity\b|\bcustomers?\b",
            ),
            (
                SignalKind::BoilerplateDisclaimer,
                r"(?:if you (?:are not|have received this)[^.]{0,80}(?:intended recipient|in error))|(?:this (?:e-?mail|message)[^.]{0,40}may contain[^.]{0,60}(?:privileged|confidential))",
            ),
            (SignalKind::Forwarded, r"-{2,}\s*forwarded message\s*-{2,}|begin forwarded message|^\s*(?:fwd?|fw):"),
        ];
        table
            .iter()
            .map(|(kind, p)| (*kind, Regex::new(&format!("(?im){p}")).expect("valid signal regex")))
            .collect()
    })
}

/// Header-like lines of a memo or letter ("From:", "To:", "Cc:", "Prepared by:") in its first
/// lines, with the byte range of each value.
fn header_lines(text: &str) -> Vec<(&'static str, &str, usize, usize)> {
    static HEADER: OnceLock<Regex> = OnceLock::new();
    let re = HEADER.get_or_init(|| {
        Regex::new(r"(?im)^\s*(from|to|cc|bcc|author|prepared by|attendees)\s*:\s*(.+)$").expect("valid regex")
    });
    let head = crate::util::truncate(text, 2_000);
    re.captures_iter(head)
        .filter_map(|c| {
            let (key, value) = (c.get(1)?, c.get(2)?);
            let field = match key.as_str().to_lowercase().as_str() {
                "from" | "author" | "prepared by" => "from",
                _ => "recipients",
            };
            Some((field, value.as_str(), value.start(), value.end()))
        })
        .collect()
}

/// Split a header value into participants ("A <a@x>, B <b@y>; C").
fn split_participants(value: &str) -> Vec<&str> {
    value.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// Review one document.
fn review(counsel: &Counsel, doc: &ScopedDocument, parent: Option<&DocumentInfo>) -> Review {
    let info = &doc.info;
    let id = info.id;
    let cite = |start: usize, end: usize| Some(RunCitation { document_id: id, start, end });
    let mut signals: Vec<Signal> = Vec::new();

    // Participants: the e-mail headers, a memo's header lines, a parent e-mail's headers.
    let mut participants: Vec<(String, Option<RunCitation>, String)> = Vec::new();
    if let Some(a) = &info.author {
        participants.push((a.clone(), None, "from".into()));
    }
    for r in &info.recipients {
        participants.push((r.clone(), None, "recipients".into()));
    }
    let headers = header_lines(&doc.text);
    for &(field, value, start, _) in &headers {
        for p in split_participants(value) {
            let offset = value.find(p).map_or(start, |o| start + o);
            participants.push((p.to_owned(), cite(offset, offset + p.len()), field.to_owned()));
        }
    }
    if let Some(parent) = parent {
        if let Some(a) = &parent.author {
            participants.push((a.clone(), None, "parent.from".into()));
        }
        for r in &parent.recipients {
            participants.push((r.clone(), None, "parent.recipients".into()));
        }
    }
    let mut third_parties = 0;
    let mut counsel_in = false;
    let mut counsel_author = false;
    for (p, citation, field) in &participants {
        let role = counsel.role(p);
        let kind = match role {
            Role::Counsel if field.ends_with("from") => {
                counsel_author = true;
                SignalKind::CounselAuthor
            }
            Role::Counsel => SignalKind::CounselRecipient,
            Role::ThirdParty => SignalKind::ThirdParty,
            Role::Client | Role::Unknown => continue,
        };
        counsel_in |= role == Role::Counsel;
        third_parties += usize::from(role == Role::ThirdParty);
        let field = if citation.is_some() { None } else { Some(field.clone()) };
        let known = signals.iter().any(|s| s.kind == kind && s.evidence == *p);
        if !known {
            signals.push(Signal { kind, evidence: p.clone(), citation: citation.clone(), field });
        }
    }

    // Counsel named in the body: advice relayed between client employees stays privileged.
    for pattern in &counsel.name_patterns {
        let outside_headers = pattern
            .find_iter(&doc.text)
            .find(|m| !headers.iter().any(|(_, _, s, e)| m.start() >= *s && m.start() < *e));
        if let Some(m) = outside_headers {
            signals.push(Signal {
                kind: SignalKind::CounselNamed,
                evidence: m.as_str().to_owned(),
                citation: cite(m.start(), m.end()),
                field: None,
            });
        }
    }

    // Text signals; markers inside a disclaimer are the disclaimer's, not the document's.
    let mut disclaimers: Vec<(usize, usize)> = Vec::new();
    let mut found: Vec<(SignalKind, usize, usize)> = Vec::new();
    for (kind, re) in patterns() {
        for m in re.find_iter(&doc.text) {
            if *kind == SignalKind::BoilerplateDisclaimer {
                disclaimers.push((m.start(), m.end()));
            }
            found.push((*kind, m.start(), m.end()));
        }
    }
    if info.subject.as_deref().is_some_and(|s| {
        let s = s.trim_start().to_lowercase();
        s.starts_with("fw:") || s.starts_with("fwd:")
    }) && !found.iter().any(|(k, _, _)| *k == SignalKind::Forwarded)
    {
        signals.push(Signal {
            kind: SignalKind::Forwarded,
            evidence: info.subject.clone().unwrap_or_default(),
            citation: None,
            field: Some("subject".into()),
        });
    }
    let in_disclaimer = |s: usize, e: usize| {
        disclaimers.iter().any(|(ds, de)| {
            // The disclaimer's sentence: the marker is in it when it lies within 200 bytes.
            s + 200 >= *ds && e <= de + 200
        })
    };
    for (kind, start, end) in found {
        if kind == SignalKind::PrivilegeMarker && in_disclaimer(start, end) {
            continue;
        }
        let evidence = doc.text.get(start..end).unwrap_or("").trim().to_owned();
        signals.push(Signal { kind, evidence, citation: cite(start, end), field: None });
    }

    let count = |k: SignalKind| signals.iter().filter(|s| s.kind == k).count();
    let distinct = |k: SignalKind| {
        let mut words: Vec<String> =
            signals.iter().filter(|s| s.kind == k).map(|s| s.evidence.to_lowercase()).collect();
        words.sort();
        words.dedup();
        words.len()
    };
    let markers = count(SignalKind::PrivilegeMarker);
    let legal = distinct(SignalKind::LegalAdvice);
    let work_product = count(SignalKind::WorkProduct);
    let business = distinct(SignalKind::BusinessContent);
    let public = count(SignalKind::PublicDocument);
    let forwarded = count(SignalKind::Forwarded);
    let named = count(SignalKind::CounselNamed);
    let legal_weight = legal + markers.min(2) + work_product;

    let needs_ocr = info.warnings.iter().any(|w| w == crate::model::NEEDS_OCR);
    if needs_ocr || doc.text.trim().is_empty() {
        let evidence = if needs_ocr { "needs_ocr" } else { "no text" };
        signals.push(Signal {
            kind: SignalKind::NoText,
            evidence: evidence.into(),
            citation: None,
            field: Some("warnings".into()),
        });
    }
    let (call, basis, confidence, reason) = if needs_ocr || doc.text.trim().is_empty() {
        // A call read from part of a document (or none of it) would be a guess.
        (Call::NeedsReview, vec![], 0.3, "no text layer on some or all pages: read it by OCR or by a person".to_owned())
    } else if third_parties > 0 && (counsel_in || legal_weight > 0) {
        let how = if forwarded > 0 { "forwarded to" } else { "shared with" };
        (Call::NotPrivileged, vec![], 0.8, format!("{how} a third party outside the client and its counsel"))
    } else if public > 0 && work_product == 0 {
        (Call::NotPrivileged, vec![], 0.8, "a public document".to_owned())
    } else if work_product > 0 && (counsel_in || named > 0 || markers > 0 || legal > 0) {
        let mut basis = vec![Basis::WorkProduct];
        if counsel_in && legal > 0 {
            basis.push(Basis::AttorneyClient);
        }
        (
            Call::Privileged,
            basis,
            confidence_of(legal_weight, business),
            "prepared by or for counsel for litigation".into(),
        )
    } else if (counsel_in || named > 0) && legal > 0 && legal_weight > business {
        let reason = if counsel_in {
            "a confidential request for or giving of legal advice"
        } else {
            "counsel's legal advice relayed within the client"
        };
        (Call::Privileged, vec![Basis::AttorneyClient], confidence_of(legal_weight, business), reason.into())
    } else if counsel_in && legal_weight == 0 {
        let reason = if counsel_author {
            "counsel giving business, not legal, advice"
        } else {
            "business content with counsel merely copied"
        };
        (Call::NotPrivileged, vec![], if business > 0 { 0.75 } else { 0.55 }, reason.into())
    } else if counsel_in || legal_weight >= 2 || markers > 0 {
        (
            Call::NeedsReview,
            vec![],
            0.5,
            "mixed signals: legal and business content, or a marker without counsel".into(),
        )
    } else {
        (Call::NotPrivileged, vec![], if business > 0 { 0.9 } else { 0.8 }, "no counsel and no legal content".into())
    };
    // A long document repeats its markers; the first few of each kind show the call's basis
    // and keep the run's output in proportion to the number of documents.
    let mut kept: HashMap<SignalKind, usize> = HashMap::new();
    signals.retain(|s| {
        let n = kept.entry(s.kind).or_default();
        *n += 1;
        *n <= MAX_SIGNALS_PER_KIND
    });
    Review { document_id: id, source: info.source.clone(), call, basis, confidence, signals, reason }
}

/// Signals of one kind kept per document (all of them count towards the call).
const MAX_SIGNALS_PER_KIND: usize = 5;

/// More legal signals, fewer business ones: a clearer call.
fn confidence_of(legal: usize, business: usize) -> f32 {
    let margin = legal.saturating_sub(business).min(5) as f32;
    (0.6 + margin * 0.07).min(0.95)
}

/// A source's file name (the last part of a path).
fn file_name(source: &str) -> &str {
    source.rsplit(['/', '\\']).next().unwrap_or(source)
}

fn document_type(info: &DocumentInfo) -> &'static str {
    let attachment = info.source_type == SourceType::Attachment;
    match (info.parser.as_str(), attachment) {
        ("email", false) => "E-mail",
        ("email", true) => "E-mail (attached)",
        ("docx", false) => "Word document",
        ("docx", true) => "Word document (e-mail attachment)",
        ("pdf", false) => "PDF document",
        ("pdf", true) => "PDF document (e-mail attachment)",
        ("html", _) => "Web page",
        ("markdown", _) | ("text", _) if attachment => "Text (e-mail attachment)",
        _ => "Text document",
    }
}

/// The privilege log's row: who, when, what kind of document and why withheld, in words that
/// name no figure and quote nothing.
fn log_entry(control: &str, doc: &ScopedDocument, parent: Option<&DocumentInfo>, review: &Review) -> LogEntry {
    let info = &doc.info;
    let date = info.document_date.or(parent.and_then(|p| p.document_date));
    let date = date.map(|d| crate::util::format_date(d.date())).unwrap_or_default();
    let author = info.author.clone().or_else(|| parent.and_then(|p| p.author.clone())).unwrap_or_default();
    let recipients = if info.recipients.is_empty() {
        parent.map(|p| p.recipients.clone()).unwrap_or_default()
    } else {
        info.recipients.clone()
    };
    let basis: Vec<&str> = review.basis.iter().map(|b| b.label()).collect();
    let has = |k: SignalKind| review.signals.iter().any(|s| s.kind == k);
    let nature = document_type(info).to_lowercase();
    let description = match review.call {
        Call::NeedsReview => format!("Confidential {nature} withheld pending review of a privilege claim."),
        _ if review.basis.contains(&Basis::WorkProduct) => {
            format!("Confidential {nature} prepared by or at the direction of counsel in anticipation of litigation.")
        }
        _ if has(SignalKind::CounselAuthor) => format!("Confidential {nature} from counsel providing legal advice."),
        _ if has(SignalKind::CounselRecipient) => format!("Confidential {nature} to counsel requesting legal advice."),
        _ => format!("Confidential {nature} reflecting legal advice of counsel."),
    };
    LogEntry {
        control_number: control.to_owned(),
        document_id: info.id,
        source_file: file_name(&info.source).to_owned(),
        date,
        author,
        recipients: recipients.join("; "),
        document_type: document_type(info).to_owned(),
        privilege_basis: if basis.is_empty() { "Under review".to_owned() } else { basis.join("; ") },
        call: review.call,
        description,
    }
}
