-- When a document was last modified, from its metadata (DOCX core properties, PDF info).
ALTER TABLE documents ADD COLUMN modified_date TEXT; -- RFC 3339 UTC, seconds precision

-- Dates from a document's metadata have one origin name for every format: the e-mail Date
-- header was "header" before DOCX and PDF metadata dates became events too.
UPDATE events SET origin = 'metadata' WHERE origin = 'header';
