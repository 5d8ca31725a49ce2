//! Extraction from parsed text: dated events for the timeline and named entities.

pub(crate) mod anchored;
mod dates;
mod entities;
mod passages;
mod sentences;
mod spans;

use crate::model::{EntityMention, ExtractedDate, ParsedDocument};

/// Dates in a document: the e-mail Date header (if any) and dates written in the text.
pub fn dates(doc: &ParsedDocument) -> Vec<ExtractedDate> {
    dates::dates(doc, &sentences(&doc.text))
}

/// [`dates`], given the sentences of the document's text (from [`sentences`]).
pub(crate) fn dates_in(doc: &ParsedDocument, sentences: &[(usize, usize)]) -> Vec<ExtractedDate> {
    dates::dates(doc, sentences)
}

/// Entities in a document: people, organisations, e-mail addresses, money, case numbers.
pub fn entities(doc: &ParsedDocument) -> Vec<EntityMention> {
    entities::entities(doc)
}

/// Byte ranges of the sentences of `text`, in order, covering every non-blank part of it.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    sentences::sentences(text)
}

pub(crate) use passages::{passages, passages_of};
