//! The word lists the extractors consult, as sets.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Words before "No." that make it something other than a case number.
pub(super) static NOT_CASE_LABELS: LazyLock<HashSet<&str>> = LazyLock::new(|| {
    HashSet::from_iter([
        "invoice",
        "order",
        "po",
        "account",
        "acct",
        "policy",
        "contract",
        "exhibit",
        "item",
        "bill",
        "check",
        "cheque",
        "claim",
        "purchase",
        "reference",
        "ref",
        "serial",
        "part",
        "model",
        "patent",
        "registration",
        "tracking",
        "voyage",
        "booking",
        "file",
        "phone",
        "tel",
        "fax",
        "room",
        "suite",
        "unit",
        "lot",
        "container",
        "seal",
        "flight",
        "license",
        "licence",
        "permit",
        "ticket",
        "receipt",
        "shipment",
        "delivery",
        "charter",
        "job",
        "bl",
    ])
});

/// Case-type codes of US court case numbers (civil, criminal, miscellaneous, bankruptcy, ...).
pub(super) static CASE_TYPES: LazyLock<HashSet<&str>> = LazyLock::new(|| {
    HashSet::from_iter(["cv", "civ", "cr", "crim", "mc", "md", "mj", "bk", "ap", "po", "ca", "cf", "sc", "dr"])
});

/// Capitalised words that start a sentence or a clause and are not part of a company's name.
pub(super) static LEADING_NON_NAME: LazyLock<HashSet<&str>> = LazyLock::new(|| {
    HashSet::from_iter([
        "The",
        "A",
        "An",
        "And",
        "Or",
        "But",
        "Yesterday",
        "Today",
        "Tomorrow",
        "On",
        "In",
        "At",
        "By",
        "For",
        "From",
        "To",
        "With",
        "Per",
        "Dear",
        "Re",
        "Fwd",
        "Fw",
        "Subject",
        "Both",
        "Neither",
        "Either",
        "When",
        "While",
        "If",
        "As",
        "Our",
        "Their",
        "Its",
        "His",
        "Her",
        "My",
        "Your",
        "This",
        "That",
        "These",
        "Those",
        "Between",
        "Against",
        "Under",
        "Pursuant",
        "Whereas",
        "Also",
        "Then",
        "After",
        "Before",
        "Since",
        "Meanwhile",
        "However",
        "Accordingly",
        "Thereafter",
        "Cc",
        "Attn",
        "Counsel",
        "Plaintiff",
        "Plaintiffs",
        "Defendant",
        "Defendants",
        "Respondent",
        "Petitioner",
        "Appellant",
        "Appellee",
        "Claimant",
        "Client",
        "Customer",
        "Vendor",
        "Supplier",
        "Buyer",
        "Seller",
        "Carrier",
        "Shipper",
        "Party",
        "Parties",
        "Each",
        "Every",
        "Any",
        "All",
        "No",
        "Neither",
        "Note",
        "Please",
        "See",
        "Called",
        "Emailed",
        "Told",
        "Asked",
        "Wrote",
        "Contact",
        "Tell",
        "Ask",
        "Notify",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Judge",
        "Signed",
        "Executed",
        "Agreed",
        "Accepted",
        "Approved",
        "Witnessed",
        "Dated",
        "Issued",
        "Prepared",
        "Received",
        "Sent",
        "Attention",
        "Regarding",
        "Including",
        "Represented",
        "Between",
        "Sued",
        "Paid",
        "Invoiced",
    ])
});

pub(super) fn is_title_word(w: &str) -> bool {
    matches!(
        w.trim_end_matches('.'),
        "Judge" | "Justice" | "Chief" | "Magistrate" | "Hon" | "Honorable" | "Dr" | "Mr" | "Ms" | "Mrs"
    )
}

/// Words of job titles that precede "of <Company>".
pub(super) fn is_role_title(w: &str) -> bool {
    is_role_word(w)
        || matches!(
            w,
            "General"
                | "Counsel"
                | "President"
                | "Vice"
                | "Director"
                | "Chairman"
                | "Chair"
                | "Partner"
                | "Associate"
                | "Chief"
                | "Executive"
                | "Officer"
                | "Financial"
                | "Operating"
                | "Legal"
                | "Senior"
                | "Head"
                | "Manager"
                | "Founder"
                | "Secretary"
                | "Treasurer"
                | "Deputy"
                | "Assistant"
                | "Managing"
                | "Member"
                | "Members"
                | "Board"
                | "Shareholders"
                | "Employees"
                | "Staff"
                | "Attorneys"
                | "Lawyers"
        )
}

pub(super) fn is_role_word(w: &str) -> bool {
    matches!(w, "CEO" | "CFO" | "COO" | "CTO" | "CIO" | "CLO" | "VP" | "Esq")
}

pub(super) fn is_initial(w: &str) -> bool {
    let mut chars = w.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

pub(super) fn is_name_token(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
}

pub(super) fn is_month(w: &str) -> bool {
    matches!(
        w,
        "January"
            | "February"
            | "March"
            | "April"
            | "May"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
    )
}

/// Capitalised words that are not (part of) a person's name in these documents.
pub(super) static STOP_WORDS: LazyLock<HashSet<&str>> = LazyLock::new(|| {
    HashSet::from_iter([
        "The",
        "This",
        "That",
        "These",
        "Those",
        "Then",
        "There",
        "Dear",
        "Subject",
        "Re",
        "Fwd",
        "Regards",
        "Best",
        "Thanks",
        "Thank",
        "Sincerely",
        "Kind",
        "Hi",
        "Hello",
        "Team",
        "All",
        "Please",
        "Note",
        "Attorney",
        "Client",
        "Privileged",
        "Confidential",
        "Court",
        "District",
        "County",
        "State",
        "States",
        "United",
        "Agreement",
        "Section",
        "Exhibit",
        "Plaintiff",
        "Defendant",
        "Company",
        "Corp",
        "Inc",
        "Shipping",
        "Logistics",
        "Freight",
        "Group",
        "Holdings",
        "Bank",
        "Street",
        "Avenue",
        "Road",
        "Suite",
        "Floor",
        "North",
        "South",
        "East",
        "West",
        "New",
        "Invoice",
        "Payment",
        "Contract",
        "Amendment",
        "Master",
        "Services",
        "Service",
        "Notice",
        "Demand",
        "Letter",
        "Memo",
        "Memorandum",
        "Meeting",
        "Notes",
        "Draft",
        "Final",
        "Board",
        "Directors",
        "Office",
        "Department",
        "University",
        "Law",
        "Firm",
        "Partners",
        "Associates",
        "Counsel",
        "General",
        "Chief",
        "Executive",
        "Officer",
        "Vice",
        "President",
        "Senior",
        "Port",
        "Vessel",
        "Legal",
        "Support",
        "Sales",
        "Operations",
        "Accounts",
        "Payable",
        "Receivable",
        "Finance",
        "Billing",
        "Admin",
        "Info",
        "Noreply",
        "Mailer",
        "Daemon",
        "Postmaster",
        "Desk",
        "Help",
        "Customer",
        "Care",
        "Report",
        "Summary",
        "Case",
        "Action",
        "Civil",
        "Judge",
        "Justice",
        "Esq",
        "LLC",
        "LLP",
        "Ltd",
        "Limited",
        "Corporation",
        "Incorporated",
        "And",
        "Or",
        "Of",
        "For",
        "On",
        "In",
        "At",
        "By",
        "To",
        "From",
        "With",
        "As",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Since",
        "Per",
        "Our",
        "Their",
        "Your",
        "His",
        "Her",
        "Its",
        "We",
        "They",
        "He",
        "She",
        "It",
        "Yesterday",
        "Today",
        "Tomorrow",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Harbor",
        "Terminal",
        "Cargo",
        "Charter",
        "Claims",
        "Insurance",
        "Capital",
        "Partners",
        "Notices",
        "Alerts",
        "Updates",
        "Newsletter",
        "Clerk",
        "Registry",
        "Filing",
        "Filings",
        "Orders",
    ])
});

/// Whether `w` (trailing `.` or `,` ignored) is one of [`STOP_WORDS`] or a month.
pub(super) fn is_stop_word(w: &str) -> bool {
    let bare = w.trim_end_matches(['.', ',']);
    STOP_WORDS.contains(&bare) || is_month(bare)
}
