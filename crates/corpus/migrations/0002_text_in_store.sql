-- Extracted text is kept in the content store (by its SHA-256) instead of in this table:
-- the registry stays small and its write-ahead log carries rows, not document text. Rows
-- written before keep their text in `text`; new rows leave it empty.
ALTER TABLE documents ADD COLUMN text_sha256 TEXT;
