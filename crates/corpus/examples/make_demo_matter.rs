//! Writes the binary and e-mail files of the fictional demo matter into `demo/matter/`:
//! the contract (.docx), the demand letter (.pdf) and the e-mails (.eml, with real MIME
//! attachments). The memos, notes and web page there are plain files kept by hand.
//!
//! Run: `cargo run -p docket-corpus --example make_demo_matter [output-folder]`. The output
//! is deterministic, so re-running it changes nothing unless this file changed; the test
//! `parse_demo_matter` checks that the committed files are this program's output.
#![allow(dead_code)]

#[path = "../tests/fixtures/builders.rs"]
mod builders;

use std::path::{Path, PathBuf};

use builders::{DocxMeta, Mail, MailAttachment, PdfMeta};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn main() -> std::io::Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/matter"));
    for (name, bytes) in files() {
        std::fs::create_dir_all(&out)?;
        std::fs::write(out.join(name), &bytes)?;
        println!("wrote {} ({} bytes)", out.join(name).display(), bytes.len());
    }
    Ok(())
}

/// Every generated file of the matter: (file name, content).
pub fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("01_master_services_agreement.docx", master_services_agreement()),
        ("02_2021-03-03_whitfield_to_bell_late_delivery.eml", late_delivery_email()),
        ("03_2021-03-05_grant_reply_unpaid_invoice.eml", unpaid_invoice_email()),
        ("04_2021-03-08_baltic_trade_survey_report.eml", survey_report_email()),
        ("06_2021-03-12_natarajan_draft_amendment.eml", draft_amendment_email()),
        ("07_2021-03-18_demand_letter.pdf", demand_letter()),
        ("10_2021-05-14_scheduling_conference_notice.eml", scheduling_notice_email()),
    ]
}

fn master_services_agreement() -> Vec<u8> {
    builders::docx(
        &[
            "MASTER SERVICES AGREEMENT",
            "",
            "This Master Services Agreement (the \"Agreement\") is made on January 15, 2021 between Harbor Freight \
             Logistics, LLC, a Delaware limited liability company (\"HFL\"), and Meridian Shipping Corp., a New York \
             corporation (\"Meridian\").",
            "",
            "1. Services. Meridian shall carry HFL's containers between Rotterdam and the Port of New York and New \
             Jersey on the vessels named in each Booking Confirmation, beginning with the MV Cape Orion sailing of \
             Feb. 8, 2021.",
            "2. Freight. HFL shall pay USD 12,500 per voyage for each block of up to forty containers. Invoices are \
             payable within 30 days of the invoice date.",
            "3. Transit time. Meridian guarantees a transit time of 18 days. For each day of delay beyond the \
             guaranteed transit time Meridian shall credit HFL $2,000.00 per day, up to a maximum of $40,000.00 per \
             voyage.",
            "4. Cargo care. Refrigerated containers shall be kept at the set point stated in the Booking \
             Confirmation. Meridian is liable for loss of or damage to cargo caused by a failure of the \
             refrigeration plant, up to $1,500,000.00 per voyage.",
            "5. Insurance. Meridian shall maintain cargo liability cover with Pacific Marine Insurance Ltd or an \
             insurer of similar standing throughout the term.",
            "6. Term. The Agreement runs from 2021-01-15 until 12/31/2021 and renews for one year unless either \
             party gives notice by Sept 30 2021.",
            "7. Disputes. The courts of the State of New York and the United States District Court for the \
             Southern District of New York have exclusive jurisdiction.",
            "",
            "Signed for Harbor Freight Logistics, LLC:\tDana Whitfield, General Counsel",
            "Signed for Meridian Shipping Corp.:\tMarcus Bell, CEO",
        ],
        &DocxMeta { title: "Master Services Agreement", creator: "Dana Whitfield", created: "2021-01-15T09:30:00Z" },
    )
}

fn late_delivery_email() -> Vec<u8> {
    builders::mail(&Mail {
        headers: &[
            ("From", "Dana Whitfield <dana.whitfield@harborfreight.example>"),
            ("To", "Marcus Bell <mbell@meridianshipping.example>"),
            ("Cc", "Tom Reyes <treyes@harborfreight.example>, Priya Natarajan <pnatarajan@natarajancole.example>"),
            ("Date", "Wed, 03 Mar 2021 10:15:00 -0500"),
            ("Subject", "MV Cape Orion: late delivery and spoiled reefer cargo"),
            ("Message-ID", "<20210303101500.hfl.4411@harborfreight.example>"),
        ],
        text: Some(
            "Marcus,\n\n\
             I am writing about the MV Cape Orion sailing under our Master Services Agreement of January 15, 2021. \
             The vessel left Rotterdam on 2/8/2021 and did not discharge in Newark until 2/26/2021 — nine days \
             beyond the 18-day transit time guaranteed in Section 3.\n\n\
             Worse, the survey arranged by Baltic Trade GmbH found that the refrigeration plant failed on or about \
             Feb. 17, 2021. Eleven of our fourteen reefer containers of produce were rejected by the consignee. Our \
             CFO Tom Reyes puts the cargo loss at $1,184,300.00, before the delay credits of $18,000.00 owed under \
             Section 3.\n\n\
             Please confirm by March 10, 2021 that Meridian Shipping Corp. and its insurer, Pacific Marine \
             Insurance Ltd, will honour the claim. Until this is resolved we are holding payment of the February \
             freight invoices.\n\n\
             Regards,\n\
             Dana Whitfield\n\
             General Counsel, Harbor Freight Logistics LLC\n\
             dana.whitfield@harborfreight.example",
        ),
        html: None,
        attachments: &[],
    })
}

fn unpaid_invoice_email() -> Vec<u8> {
    let invoice = "MERIDIAN SHIPPING CORP.\n\
                   Invoice 2291\n\
                   Invoice date: 2021-01-02\n\
                   Due date: 02/01/2021\n\
                   Bill to: Harbor Freight Logistics, LLC, Attn: Accounts Payable\n\n\
                   Voyage MV Cape Orion, Rotterdam - Newark, sailing Feb. 8, 2021\n\
                   Freight, 40 containers (block rate)          USD 12,500.00\n\
                   Reefer surcharge, 14 containers              USD 24,500.00\n\
                   Bunker adjustment factor                     USD 11,250.00\n\
                   Total due                                    USD 48,250.00\n\n\
                   Remit to: Meridian Shipping Corp., accounts@meridianshipping.example\n";
    builders::mail(&Mail {
        headers: &[
            ("From", "Sofia Grant <sgrant@meridianshipping.example>"),
            ("To", "Dana Whitfield <dana.whitfield@harborfreight.example>"),
            ("Cc", "Marcus Bell <mbell@meridianshipping.example>"),
            ("Date", "Fri, 05 Mar 2021 16:42:10 -0500"),
            ("Subject", "RE: MV Cape Orion: late delivery and spoiled reefer cargo"),
            ("Message-ID", "<ca1f9e.2291@meridianshipping.example>"),
            ("In-Reply-To", "<20210303101500.hfl.4411@harborfreight.example>"),
        ],
        text: Some(
            "Ms. Whitfield,\n\n\
             Marcus asked me to respond. Meridian does not accept that the delay is ours: the Port of New York \
             and New Jersey was congested from late February 2021, which is an excepted cause under the \
             Agreement. As to the reefers, the set point in the booking was changed by your own operations \
             manager Elena Park on 2/10/2021.\n\n\
             Meanwhile invoice 2291 for $48,250.00 was due on 02/01/2021 and is now more than 30 days overdue. \
             I attach a copy. Please arrange payment by March 12, 2021; our claims team will review your \
             survey once payment is received.\n\n\
             Sofia Grant\n\
             Claims Manager, Meridian Shipping Corp.\n",
        ),
        html: None,
        attachments: &[MailAttachment {
            file_name: "invoice-2291.txt",
            media_type: "text/plain",
            bytes: invoice.as_bytes(),
        }],
    })
}

fn survey_report() -> Vec<u8> {
    builders::pdf(
        &[
            &[
                "Baltic Trade GmbH - Cargo Survey Report",
                "",
                "Report no. BT-2021-0457, issued 08.03.2021 in Hamburg.",
                "Vessel: MV Cape Orion. Carrier: Meridian Shipping Corp.",
                "Shipper: Harbor Freight Logistics, LLC.",
                "",
                "Attendance: the surveyor Jonas Becker attended at Newark on 27.02.2021 and 1.3.2021.",
                "Findings: the temperature logs of 14 refrigerated containers show a plant failure",
                "starting 17.02.2021 at 04:10 UTC. Set points were not changed during the voyage.",
                "Eleven containers of produce were rejected by the consignee.",
            ],
            &[
                "Valuation: market value of the rejected cargo EUR 1,012,000 (USD 1,184,300.00 at the",
                "rate of the day). Salvage proceeds of $35,000 have been credited.",
                "",
                "Conclusion: the loss results from the failure of the ship's refrigeration plant.",
                "Jonas Becker, Senior Surveyor, Baltic Trade GmbH",
            ],
        ],
        &PdfMeta {
            title: "Cargo Survey Report BT-2021-0457",
            author: "Jonas Becker",
            created: "D:20210308110000+01'00'",
        },
    )
}

fn survey_report_email() -> Vec<u8> {
    let report = survey_report();
    builders::mail(&Mail {
        headers: &[
            ("From", "Jonas Becker <j.becker@baltictrade.example>"),
            ("To", "Dana Whitfield <dana.whitfield@harborfreight.example>"),
            ("Cc", "Elena Park <epark@harborfreight.example>"),
            ("Date", "Mon, 08 Mar 2021 11:05:00 +0100"),
            ("Subject", "Survey report BT-2021-0457 - MV Cape Orion reefers"),
            ("Message-ID", "<bt-2021-0457@baltictrade.example>"),
        ],
        text: Some(
            "Dear Ms. Whitfield,\n\n\
             Please find attached our survey report dated 08.03.2021 on the reefer containers discharged from the \
             MV Cape Orion. In short: the plant failed on 17.02.2021 and the set points were not touched during \
             the voyage. The loss is valued at EUR 1,012,000.\n\n\
             Our fee of EUR 4,800 will be invoiced separately.\n\n\
             Mit freundlichen Grüßen,\n\
             Jonas Becker\n\
             Senior Surveyor, Baltic Trade GmbH\n",
        ),
        html: None,
        attachments: &[MailAttachment {
            file_name: "BT-2021-0457_survey_report.pdf",
            media_type: "application/pdf",
            bytes: &report,
        }],
    })
}

fn draft_amendment() -> Vec<u8> {
    builders::docx(
        &[
            "AMENDMENT NO. 1 TO MASTER SERVICES AGREEMENT - DRAFT FOR DISCUSSION",
            "",
            "This Amendment No. 1 is made on Mar. 15, 2021 between Harbor Freight Logistics, LLC and Meridian \
             Shipping Corp. and amends the Master Services Agreement of 15 January 2021.",
            "1. Meridian shall pay HFL USD 950,000.00 in full settlement of the MV Cape Orion cargo claim, within \
             14 days of signature.",
            "2. HFL shall pay invoice 2291 ($48,250.00) less the delay credits of $18,000.00 under Section 3.",
            "3. Section 4 is amended so that reefer set points may be changed only by written instruction from \
             HFL's operations manager.",
            "4. The parties release all other claims arising from the voyage that sailed on Feb. 8, 2021.",
            "",
            "Without prejudice - subject to contract.",
        ],
        &DocxMeta { title: "Amendment No. 1 - draft", creator: "Priya Natarajan", created: "2021-03-12T14:00:00Z" },
    )
}

fn draft_amendment_email() -> Vec<u8> {
    let amendment = draft_amendment();
    let text = "Dana,\n\n\
                As discussed on our call of 3/10/2021, attached is a first draft of Amendment No. 1. It proposes that \
                Meridian pay USD 950,000.00 in settlement, and that we pay invoice 2291 net of the delay credits. \
                I would send it to Gregory Lang, counsel for Meridian at Lang Whitaker LLP, no later than \
                March 16, 2021.\n\n\
                If Meridian refuses, I recommend a formal demand letter by Mar. 18, 2021 and, failing payment, a \
                complaint in the Southern District of New York in April 2021.\n\n\
                This e-mail is privileged and confidential attorney-client communication.\n\n\
                Priya Natarajan\n\
                Partner, Natarajan & Cole LLP\n";
    let html = "<html><body><p>Dana,</p><p>As discussed on our call of 3/10/2021, attached is a first draft of \
                <b>Amendment No. 1</b>.</p><p>Priya Natarajan<br>Partner, Natarajan &amp; Cole LLP</p></body></html>";
    builders::mail(&Mail {
        headers: &[
            ("From", "Priya Natarajan <pnatarajan@natarajancole.example>"),
            ("To", "Dana Whitfield <dana.whitfield@harborfreight.example>"),
            ("Date", "Fri, 12 Mar 2021 09:20:00 -0500"),
            ("Subject", "Privileged: draft Amendment No. 1 (Cape Orion settlement)"),
            ("Message-ID", "<nc-0312-amendment@natarajancole.example>"),
        ],
        text: Some(text),
        html: Some(html),
        attachments: &[MailAttachment { file_name: "Amendment_No_1_draft.docx", media_type: DOCX, bytes: &amendment }],
    })
}

fn demand_letter() -> Vec<u8> {
    builders::pdf(
        &[
            &[
                "NATARAJAN & COLE LLP",
                "250 Water Street, New York, NY 10038",
                "",
                "March 18, 2021",
                "",
                "By e-mail and courier",
                "Mr. Marcus Bell, Chief Executive Officer",
                "Meridian Shipping Corp., legal@meridianshipping.example",
                "",
                "Re: Demand for payment - MV Cape Orion cargo loss",
                "",
                "Dear Mr. Bell,",
                "",
                "We act for Harbor Freight Logistics, LLC. Under Section 4 of the Master Services",
                "Agreement dated January 15, 2021, Meridian Shipping Corp. is liable for the loss of",
                "eleven reefer containers caused by the failure of the refrigeration plant of the",
                "MV Cape Orion on 17 February 2021, as found by Baltic Trade GmbH on 8 March 2021.",
                "",
                "Our client demands payment of $1,184,300.00 for the cargo and $18,000.00 in delay",
                "credits under Section 3, in total $1,202,300.00, by 03/31/2021.",
            ],
            &[
                "Your Ms. Sofia Grant suggested on March 5, 2021 that the set point was changed by our",
                "client. The Baltic Trade report of 08.03.2021 shows it was not.",
                "",
                "Absent payment, our client will file suit in the United States District Court for the",
                "Southern District of New York without further notice.",
                "",
                "Yours faithfully,",
                "Priya Natarajan, Partner",
                "Natarajan & Cole LLP",
                "cc: Dana Whitfield, General Counsel, Harbor Freight Logistics LLC",
            ],
        ],
        &PdfMeta {
            title: "Demand for payment - MV Cape Orion",
            author: "Priya Natarajan",
            created: "D:20210318093000-04'00'",
        },
    )
}

fn scheduling_notice_email() -> Vec<u8> {
    builders::mail(&Mail {
        headers: &[
            ("From", "NYSD ECF Notices <ecf-notices@nysd-courts.example>"),
            ("To", "pnatarajan@natarajancole.example, glang@langwhitaker.example"),
            ("Date", "Fri, 14 May 2021 15:03:27 -0400"),
            ("Subject", "Activity in Case 1:21-cv-01234 Harbor Freight Logistics LLC v. Meridian Shipping Corp. Order"),
            ("Message-ID", "<ecf-1-21-cv-01234-17@nysd-courts.example>"),
        ],
        text: None,
        html: Some(
            "<html><head><title>ECF notice</title><style>p{margin:0}</style></head><body>\
             <p><b>U.S. District Court, Southern District of New York</b></p>\
             <p>Notice of Electronic Filing</p>\
             <p>Case Name: Harbor Freight Logistics LLC v. Meridian Shipping Corp.<br>\
             Case Number: Civil Action No. 1:21-cv-01234-MA</p>\
             <p>Filed on 5/14/2021.</p>\
             <p>SCHEDULING ORDER: An initial pretrial conference will be held before Judge Maria Alvarez on \
             June 7, 2021 at 10:00 AM in Courtroom 14C. Counsel shall file a joint letter by 2021-06-01 \
             describing the claims (the complaint, filed April 19, 2021, seeks $1,202,300.00) and the \
             counterclaim for unpaid freight of $48,250.00. Judge Alvarez expects the parties to discuss \
             mediation.</p>\
             <script>trackNotice('ecf-17');</script>\
             </body></html>",
        ),
        attachments: &[],
    })
}
