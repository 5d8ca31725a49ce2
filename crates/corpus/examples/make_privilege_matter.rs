//! Writes the labelled privilege matter into `crates/corpus/tests/fixtures/privilege_matter/`:
//! a fictional dispute between Harbor Freight Logistics (the client, hfl.example), its outside
//! counsel Whitfield & Bell LLP (whitfieldbell.example) and in-house counsel Priya Natarajan,
//! and third parties (Meridian Shipping, its lawyers, a surveyor, a journalist). Every format
//! the corpus reads, e-mail with attachments included, and `labels.csv` with the call a
//! privilege reviewer makes on each document (attachments by their file name).
//!
//! Run: `cargo run -p docket-corpus --example make_privilege_matter [output-folder]`. The
//! output is deterministic; the test `agents_privilege` checks the committed files are current.
#![allow(dead_code)]

#[path = "../tests/fixtures/builders.rs"]
mod builders;

use std::path::{Path, PathBuf};

use builders::{DocxMeta, Mail, MailAttachment, PdfMeta};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The expected calls.
const P: &str = "privileged";
const N: &str = "not_privileged";
const R: &str = "needs_review";

fn main() -> std::io::Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/privilege_matter"));
    std::fs::create_dir_all(&out)?;
    for (name, bytes) in files() {
        std::fs::write(out.join(name), &bytes)?;
    }
    std::fs::write(out.join("labels.csv"), labels_csv())?;
    println!("wrote {} files and labels.csv into {}", files().len(), out.display());
    Ok(())
}

/// `labels.csv`: document (file or attachment name), expected call, why.
pub fn labels_csv() -> String {
    let mut s = String::from("document,expected,note\n");
    for (name, label, note) in labels() {
        s.push_str(&format!("{name},{label},\"{note}\"\n"));
    }
    s
}

/// (document, expected call, why): one row per document, attachments by their file name.
pub fn labels() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("p01_coo_asks_counsel_termination.eml", P, "client asks outside counsel for legal advice"),
        ("p02_counsel_advice_termination.eml", P, "outside counsel gives legal advice, marked"),
        ("p03_inhouse_indemnity_advice.eml", P, "in-house counsel gives legal advice on indemnity"),
        ("p04_work_product_memo.docx", P, "memo prepared at the direction of counsel for litigation"),
        ("p05_litigation_strategy.pdf", P, "outside counsel's litigation strategy"),
        ("p06_draft_amendment_for_counsel.eml", P, "client sends a draft to in-house counsel for review"),
        ("draft_amendment_v2.docx", P, "attachment: draft for counsel review"),
        ("p07_cfo_disclosure_question.eml", P, "CFO asks counsel whether the claim must be disclosed"),
        ("p08_witness_interview_notes.txt", P, "interview notes prepared for counsel"),
        ("p09_relayed_advice.eml", P, "hard: counsel's advice relayed between client employees"),
        ("p10_chronology_for_counsel.md", P, "chronology prepared at the request of counsel"),
        ("p11_settlement_options.eml", P, "outside counsel on settlement options"),
        ("p12_advice_letter.pdf", P, "opinion letter from outside counsel, marked"),
        ("p13_counsel_sends_strategy.eml", P, "outside counsel sends the strategy memo"),
        ("strategy_memo_attached.pdf", P, "attachment: work product"),
        ("n01_shipment_schedule.eml", N, "operations, no counsel"),
        ("shipment_schedule.txt", N, "attachment of a business e-mail"),
        ("n02_pricing_counsel_cc.eml", N, "hard: counsel copied on business mail"),
        ("n03_forwarded_to_meridian.eml", N, "hard: privileged thread forwarded to a third party"),
        ("n04_inhouse_business_advice.eml", N, "hard: in-house counsel giving business advice"),
        ("n05_demand_letter.pdf", N, "opposing counsel's letter"),
        ("n06_press_release.html", N, "public press release"),
        ("n07_article_to_counsel.eml", N, "hard: a published article forwarded to counsel"),
        ("n08_master_services_agreement.docx", N, "the contract with the counterparty"),
        ("n09_invoice_dispute.eml", N, "correspondence with the counterparty"),
        ("n10_survey_report.txt", N, "third-party surveyor's report"),
        ("n11_disclaimer_footer.eml", N, "hard: business mail with a privilege disclaimer footer"),
        ("n12_warehouse_budget.md", N, "internal budget notes"),
        ("n13_lunch_with_counsel.eml", N, "hard: scheduling with outside counsel"),
        ("n14_deposition_scheduling.eml", N, "counsel writing to opposing counsel"),
        ("n15_complaint.pdf", N, "public court filing"),
        ("n16_board_minutes.docx", N, "business minutes, no counsel"),
        ("n17_carrier_notice.html", N, "public notice from a carrier"),
        ("r01_privileged_label_no_counsel.eml", R, "hard: marked privileged, no counsel, no legal content"),
        ("r02_mixed_budget_and_advice.eml", R, "hard: business and legal requests to counsel in one mail"),
    ]
}

/// Every file of the matter: (file name, content).
pub fn files() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = vec![
        ("p01_coo_asks_counsel_termination.eml", p01()),
        ("p02_counsel_advice_termination.eml", p02()),
        ("p03_inhouse_indemnity_advice.eml", p03()),
        ("p04_work_product_memo.docx", p04()),
        ("p05_litigation_strategy.pdf", strategy_pdf()),
        ("p06_draft_amendment_for_counsel.eml", p06()),
        ("p07_cfo_disclosure_question.eml", p07()),
        ("p08_witness_interview_notes.txt", p08()),
        ("p09_relayed_advice.eml", p09()),
        ("p10_chronology_for_counsel.md", p10()),
        ("p11_settlement_options.eml", p11()),
        ("p12_advice_letter.pdf", p12()),
        ("p13_counsel_sends_strategy.eml", p13()),
        ("n01_shipment_schedule.eml", n01()),
        ("n02_pricing_counsel_cc.eml", n02()),
        ("n03_forwarded_to_meridian.eml", n03()),
        ("n04_inhouse_business_advice.eml", n04()),
        ("n05_demand_letter.pdf", n05()),
        ("n06_press_release.html", n06()),
        ("n07_article_to_counsel.eml", n07()),
        ("n08_master_services_agreement.docx", n08()),
        ("n09_invoice_dispute.eml", n09()),
        ("n10_survey_report.txt", n10()),
        ("n11_disclaimer_footer.eml", n11()),
        ("n12_warehouse_budget.md", n12()),
        ("n13_lunch_with_counsel.eml", n13()),
        ("n14_deposition_scheduling.eml", n14()),
        ("n15_complaint.pdf", n15()),
        ("n16_board_minutes.docx", n16()),
        ("n17_carrier_notice.html", n17()),
        ("r01_privileged_label_no_counsel.eml", r01()),
        ("r02_mixed_budget_and_advice.eml", r02()),
    ];
    out.sort_by_key(|(n, _)| *n);
    out
}

const COO: &str = "Elena Park <epark@hfl.example>";
const CFO: &str = "Tom Reyes <treyes@hfl.example>";
const CEO: &str = "Grace Liu <gliu@hfl.example>";
const SALES: &str = "Marco Diaz <mdiaz@hfl.example>";
const OPS: &str = "Ravi Shah <rshah@hfl.example>";
const INHOUSE: &str = "Priya Natarajan <pnatarajan@hfl.example>";
const DANA: &str = "Dana Whitfield <dwhitfield@whitfieldbell.example>";
const OWEN: &str = "Owen Bell <obell@whitfieldbell.example>";
const MERIDIAN: &str = "Sofia Grant <sgrant@meridian.example>";
const OPPOSING: &str = "Harlan Cole <hcole@colepark.example>";

fn mail(headers: &[(&str, &str)], text: &str, attachments: &[MailAttachment<'_>]) -> Vec<u8> {
    builders::mail(&Mail { headers, text: Some(text), html: None, attachments })
}

fn p01() -> Vec<u8> {
    mail(
        &[
            ("From", COO),
            ("To", DANA),
            ("Cc", INHOUSE),
            ("Date", "Mon, 08 Mar 2021 09:12:00 -0500"),
            ("Subject", "Cape Orion delays: can we terminate the MSA?"),
        ],
        "Dana,\n\nThe Cape Orion arrived nine days late again. Before we reply to Meridian, we need your legal advice: \
         can we terminate the agreement for repeated late delivery, or would that expose us to a claim for \
         wrongful termination? Please advise whether we must give notice first.\n\nElena",
        &[],
    )
}

fn p02() -> Vec<u8> {
    mail(
        &[
            ("From", DANA),
            ("To", COO),
            ("Cc", INHOUSE),
            ("Date", "Tue, 09 Mar 2021 17:40:00 -0500"),
            ("Subject", "RE: Cape Orion delays: can we terminate the MSA?"),
        ],
        "PRIVILEGED & CONFIDENTIAL - ATTORNEY-CLIENT COMMUNICATION\n\nElena,\n\nMy advice is not to terminate yet. \
         Termination of the agreement now carries litigation risk: Meridian will argue the delay was excused by port \
         congestion. Send a notice of breach of the transit-time clause first and reserve all claims against \
         Meridian.\n\nDana Whitfield\nWhitfield & Bell LLP",
        &[],
    )
}

fn p03() -> Vec<u8> {
    mail(
        &[
            ("From", INHOUSE),
            ("To", CEO),
            ("Date", "Thu, 11 Mar 2021 08:05:00 -0500"),
            ("Subject", "Indemnity under the MSA"),
        ],
        "Grace,\n\nYou asked about our exposure under the indemnity in section 9. In my view we are not liable for the \
         consignee's lost profits: the indemnification covers third-party claims only, and the limitation clause is \
         enforceable under New York law. I would not concede the point in the call with Meridian.\n\nPriya\nGeneral Counsel",
        &[],
    )
}

fn p04() -> Vec<u8> {
    builders::docx(
        &[
            "ATTORNEY WORK PRODUCT - PREPARED AT THE DIRECTION OF COUNSEL",
            "MEMORANDUM",
            "To: Dana Whitfield",
            "From: Elena Park",
            "Re: Reefer failures on the Cape Orion",
            "",
            "Prepared in anticipation of litigation with Meridian Shipping. This memo sets out what our operations team \
             observed about the refrigeration plant between February 10 and February 26, 2021, and which records \
             support each point, for counsel's assessment of the claim.",
        ],
        &DocxMeta { title: "Reefer failures memo", creator: "Elena Park", created: "2021-03-15T10:00:00Z" },
    )
}

fn strategy_pdf() -> Vec<u8> {
    strategy_pdf_dated("D:20210322100000-05'00'")
}

/// The strategy memo; the copy attached to an e-mail is a later save (other bytes, so it is a
/// document of its own rather than a duplicate).
fn strategy_pdf_dated(created: &str) -> Vec<u8> {
    builders::pdf(
        &[&[
            "PRIVILEGED AND CONFIDENTIAL",
            "ATTORNEY WORK PRODUCT",
            "From: Owen Bell, Whitfield & Bell LLP",
            "To: Priya Natarajan",
            "",
            "Litigation strategy: Harbor Freight Logistics v. Meridian Shipping",
            "Prepared in anticipation of litigation. Our mental impressions of the",
            "strengths of the cargo claim and the order of the depositions follow.",
        ]],
        &PdfMeta { title: "Litigation strategy", author: "Owen Bell", created },
    )
}

fn p06() -> Vec<u8> {
    let draft = builders::docx(
        &[
            "DRAFT FOR COUNSEL REVIEW",
            "Amendment No. 2 to the Master Services Agreement",
            "1. The guaranteed transit time is restated.",
            "2. Delay credits accrue from the first day of delay.",
        ],
        &DocxMeta { title: "Draft amendment", creator: "Ravi Shah", created: "2021-03-16T09:00:00Z" },
    );
    mail(
        &[
            ("From", OPS),
            ("To", INHOUSE),
            ("Date", "Tue, 16 Mar 2021 11:30:00 -0500"),
            ("Subject", "Draft amendment for your review"),
        ],
        "Priya,\n\nAttached is the draft amendment for counsel review before anything goes to Meridian. Please advise \
         whether the delay-credit clause protects us.\n\nRavi",
        &[MailAttachment { file_name: "draft_amendment_v2.docx", media_type: DOCX, bytes: &draft }],
    )
}

fn p07() -> Vec<u8> {
    mail(
        &[
            ("From", CFO),
            ("To", &format!("{INHOUSE}, {DANA}")),
            ("Date", "Wed, 17 Mar 2021 14:00:00 -0500"),
            ("Subject", "Year-end audit and the Meridian claim"),
        ],
        "Priya, Dana,\n\nThe auditors ask about contingent matters. Please advise whether we must disclose the claim \
         against Meridian in the notes, and what the disclosure obligations are if Meridian sues first.\n\nTom",
        &[],
    )
}

fn p08() -> Vec<u8> {
    b"WITNESS INTERVIEW NOTES PREPARED FOR COUNSEL\n\
      Prepared at the direction of counsel (Whitfield & Bell LLP) in anticipation of litigation.\n\
      From: Dana Whitfield\n\n\
      Interview of the night-shift reefer technician, 19 March 2021. The technician recalls alarms on the third \
      day at sea and says the set point was not changed by our staff. Counsel's follow-up questions are listed at \
      the end.\n"
        .to_vec()
}

fn p09() -> Vec<u8> {
    mail(
        &[
            ("From", CEO),
            ("To", &format!("{COO}, {CFO}")),
            ("Date", "Fri, 19 Mar 2021 18:20:00 -0500"),
            ("Subject", "What counsel told us today"),
        ],
        "Elena, Tom,\n\nDana Whitfield advised that we hold the February payment in escrow rather than withhold it \
         outright, because withholding could be a breach of the payment clause. Counsel recommends we say nothing to \
         Meridian about the escrow until the notice of breach is served.\n\nGrace",
        &[],
    )
}

fn p10() -> Vec<u8> {
    b"# Chronology for counsel\n\n\
      *Privileged & Confidential. Prepared at the request of counsel for Dana Whitfield.*\n\n\
      - 8 February 2021: the Cape Orion leaves Rotterdam.\n\
      - 17 February 2021: first reefer alarm logged.\n\
      - 26 February 2021: discharge in Newark, nine days late.\n"
        .to_vec()
}

fn p11() -> Vec<u8> {
    mail(
        &[
            ("From", OWEN),
            ("To", INHOUSE),
            ("Cc", DANA),
            ("Date", "Mon, 29 Mar 2021 10:10:00 -0400"),
            ("Subject", "Settlement options"),
        ],
        "Priya,\n\nAs requested, our view of the settlement options: a settlement offer now would anchor low; our \
         advice is to wait until the survey is final. The statute of limitations is not a concern for two years. \
         Attorney-client privileged.\n\nOwen",
        &[],
    )
}

fn p12() -> Vec<u8> {
    builders::pdf(
        &[&[
            "WHITFIELD & BELL LLP",
            "Privileged & Confidential - Attorney-Client Communication",
            "From: Dana Whitfield",
            "To: Grace Liu, Harbor Freight Logistics",
            "",
            "Re: Legal opinion on the Meridian demand",
            "You asked for our legal opinion on the demand of April 2, 2021.",
            "In our view the limitation of liability clause is enforceable and",
            "Meridian's claims against HFL for freight are subject to set-off.",
        ]],
        &PdfMeta { title: "Opinion letter", author: "Dana Whitfield", created: "D:20210406120000-04'00'" },
    )
}

fn p13() -> Vec<u8> {
    let memo = strategy_pdf_dated("D:20210322153000-05'00'");
    mail(
        &[("From", OWEN), ("To", INHOUSE), ("Date", "Mon, 22 Mar 2021 16:00:00 -0400"), ("Subject", "Strategy memo")],
        "Priya,\n\nOur litigation strategy memo is attached, prepared in anticipation of litigation. Privileged and \
         confidential; please do not circulate outside the legal team.\n\nOwen",
        &[MailAttachment { file_name: "strategy_memo_attached.pdf", media_type: "application/pdf", bytes: &memo }],
    )
}

fn n01() -> Vec<u8> {
    let schedule = b"Shipment schedule, April 2021\nRotterdam - Newark: 3 sailings\nAntwerp - Newark: 2 sailings\n";
    mail(
        &[
            ("From", OPS),
            ("To", COO),
            ("Date", "Thu, 25 Mar 2021 07:45:00 -0400"),
            ("Subject", "April shipment schedule"),
        ],
        "Elena,\n\nThe April shipment schedule is attached. Capacity on the Antwerp lane is tight; two customers asked \
         for extra slots.\n\nRavi",
        &[MailAttachment { file_name: "shipment_schedule.txt", media_type: "text/plain", bytes: schedule }],
    )
}

fn n02() -> Vec<u8> {
    mail(
        &[
            ("From", SALES),
            ("To", COO),
            ("Cc", INHOUSE),
            ("Date", "Fri, 26 Mar 2021 13:00:00 -0400"),
            ("Subject", "Q3 pricing for the Rotterdam lane"),
        ],
        "Elena,\n\nFor Q3 I propose a 4% discount on the Rotterdam lane for our two largest customers. Revenue \
         forecast attached in the sales deck; the margin stays above target. Copying Priya for visibility.\n\nMarco",
        &[],
    )
}

fn n03() -> Vec<u8> {
    mail(
        &[
            ("From", COO),
            ("To", MERIDIAN),
            ("Date", "Wed, 10 Mar 2021 09:00:00 -0500"),
            ("Subject", "Fwd: RE: Cape Orion delays: can we terminate the MSA?"),
        ],
        "Sofia, see below - our lawyers' view, so you know where we stand.\n\n\
         ---------- Forwarded message ----------\nFrom: Dana Whitfield <dwhitfield@whitfieldbell.example>\n\
         Subject: RE: Cape Orion delays: can we terminate the MSA?\n\n\
         PRIVILEGED & CONFIDENTIAL - ATTORNEY-CLIENT COMMUNICATION\nMy advice is not to terminate yet. Termination \
         of the agreement now carries litigation risk.",
        &[],
    )
}

fn n04() -> Vec<u8> {
    mail(
        &[("From", INHOUSE), ("To", SALES), ("Date", "Tue, 30 Mar 2021 15:30:00 -0400"), ("Subject", "Antwerp bid")],
        "Marco,\n\nOn the Antwerp bid, I'd go in lower than last year: the customer cares about capacity more than \
         price, and our margin on that lane is healthy. Happy to look at the deck before it goes out.\n\nPriya",
        &[],
    )
}

fn n05() -> Vec<u8> {
    builders::pdf(
        &[&[
            "COLE & PARK LLP",
            "From: Harlan Cole <hcole@colepark.example>",
            "To: Grace Liu, Harbor Freight Logistics",
            "",
            "Re: Demand for payment on behalf of Meridian Shipping",
            "Our client demands payment of the February invoices within ten days.",
            "Withholding them is a breach of the agreement and Meridian reserves",
            "all claims against Harbor Freight Logistics.",
        ]],
        &PdfMeta { title: "Demand letter", author: "Harlan Cole", created: "D:20210402090000-04'00'" },
    )
}

fn n06() -> Vec<u8> {
    b"<!doctype html><html><head><title>HFL opens Antwerp service</title></head><body>\
      <p>FOR IMMEDIATE RELEASE</p><p>Harbor Freight Logistics today announced weekly sailings between Antwerp and \
      Newark starting in May 2021. This press release is publicly available on our website.</p></body></html>"
        .to_vec()
}

fn n07() -> Vec<u8> {
    mail(
        &[
            ("From", COO),
            ("To", DANA),
            ("Date", "Thu, 01 Apr 2021 08:30:00 -0400"),
            ("Subject", "Fwd: Freight News: congestion at Newark"),
        ],
        "Dana, FYI - this news article was published in Freight News this morning.\n\n\
         Begin forwarded message:\n\nPort congestion at Newark eased in March, as reported by the port authority. \
         Average berth waits fell to two days.",
        &[],
    )
}

fn n08() -> Vec<u8> {
    builders::docx(
        &[
            "MASTER SERVICES AGREEMENT",
            "Between Harbor Freight Logistics, LLC and Meridian Shipping Corp.",
            "1. Services. Meridian shall carry HFL's containers between Rotterdam and Newark.",
            "2. Freight. HFL shall pay the block rate per voyage within 30 days of invoice.",
            "3. Transit time. Meridian guarantees a transit time of 18 days.",
        ],
        &DocxMeta { title: "Master Services Agreement", creator: "Meridian Shipping", created: "2021-01-15T09:30:00Z" },
    )
}

fn n09() -> Vec<u8> {
    mail(
        &[("From", MERIDIAN), ("To", CFO), ("Date", "Mon, 05 Apr 2021 11:00:00 -0400"), ("Subject", "Invoice 2291")],
        "Mr. Reyes,\n\nInvoice 2291 remains unpaid. Please confirm the payment date; our accounts team needs it for \
         the month-end close.\n\nSofia Grant\nMeridian Shipping",
        &[],
    )
}

fn n10() -> Vec<u8> {
    b"BALTIC TRADE SURVEY - SURVEY REPORT\nFrom: Jonas Berg <jberg@bts.example>\nTo: Harbor Freight Logistics\n\n\
      Survey of reefer containers ex MV Cape Orion, Newark, 27 February 2021. Eleven of fourteen containers showed \
      temperature excursions. The refrigeration plant log shows a compressor fault from 17 February.\n"
        .to_vec()
}

fn n11() -> Vec<u8> {
    mail(
        &[("From", OPS), ("To", CFO), ("Date", "Tue, 06 Apr 2021 10:00:00 -0400"), ("Subject", "Warehouse invoices")],
        "Tom,\n\nThe March warehouse invoices are in the shared folder; the budget line for Newark is over by a \
         little.\n\nRavi\n\n--\nThis e-mail may contain privileged and confidential information. If you are not \
         the intended recipient, please notify the sender and delete it.",
        &[],
    )
}

fn n12() -> Vec<u8> {
    b"# Warehouse budget notes\n\nNewark warehouse budget for Q2: headcount flat, two forklifts replaced. \
      The forecast assumes capacity at 80%.\n"
        .to_vec()
}

fn n13() -> Vec<u8> {
    mail(
        &[("From", DANA), ("To", COO), ("Date", "Wed, 07 Apr 2021 12:00:00 -0400"), ("Subject", "Lunch Thursday?")],
        "Elena,\n\nAre you free for lunch on Thursday? I can come to your office; my calendar is open after \
         noon.\n\nDana",
        &[],
    )
}

fn n14() -> Vec<u8> {
    mail(
        &[
            ("From", DANA),
            ("To", OPPOSING),
            ("Cc", INHOUSE),
            ("Date", "Thu, 15 Apr 2021 09:30:00 -0400"),
            ("Subject", "Deposition dates"),
        ],
        "Harlan,\n\nWe can offer May 12 or May 14 for the deposition of your client's master. Please confirm which \
         suits.\n\nDana Whitfield",
        &[],
    )
}

fn n15() -> Vec<u8> {
    builders::pdf(
        &[&[
            "UNITED STATES DISTRICT COURT",
            "SOUTHERN DISTRICT OF NEW YORK",
            "Meridian Shipping Corp. v. Harbor Freight Logistics, LLC",
            "Case No. 1:21-cv-04417",
            "COMPLAINT",
            "Plaintiff brings claims against the defendant for breach of contract",
            "and unpaid freight.",
        ]],
        &PdfMeta { title: "Complaint", author: "Cole & Park LLP", created: "D:20210420090000-04'00'" },
    )
}

fn n16() -> Vec<u8> {
    builders::docx(
        &[
            "Minutes of the operations committee",
            "Attendees: Grace Liu, Elena Park, Tom Reyes",
            "The committee reviewed the Q2 budget and the sales forecast for the Antwerp lane.",
            "Action: Elena to report capacity figures next month.",
        ],
        &DocxMeta { title: "Operations committee minutes", creator: "Tom Reyes", created: "2021-04-12T16:00:00Z" },
    )
}

fn n17() -> Vec<u8> {
    b"<!doctype html><html><head><title>Carrier notice: schedule change</title></head><body>\
      <p>Meridian Shipping announces a revised Rotterdam schedule from June 2021. This notice is publicly \
      available to all shippers.</p></body></html>"
        .to_vec()
}

fn r01() -> Vec<u8> {
    mail(
        &[
            ("From", COO),
            ("To", OPS),
            ("Date", "Fri, 16 Apr 2021 17:00:00 -0400"),
            ("Subject", "Privileged - do not forward"),
        ],
        "Ravi,\n\nPrivileged - do not forward. Let's keep the Cape Orion file tidy and collect every log we have from \
         February in one place before Monday.\n\nElena",
        &[],
    )
}

fn r02() -> Vec<u8> {
    mail(
        &[
            ("From", CFO),
            ("To", DANA),
            ("Date", "Mon, 19 Apr 2021 09:15:00 -0400"),
            ("Subject", "Budget and a question"),
        ],
        "Dana,\n\nAttached are the Q2 budget, the sales forecast and the revenue figures you asked for, and the customer \
         list. Separately, please advise on the indemnity.\n\nTom",
        &[],
    )
}
