-- What a reader should know about a document's text, as a JSON array of codes: "needs_ocr"
-- when a page (or the whole file) has no text layer, so an empty text is not taken for an
-- empty document.
ALTER TABLE documents ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
