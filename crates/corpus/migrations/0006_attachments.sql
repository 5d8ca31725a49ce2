-- Every attachment of a document, listed on its parent whether or not it became a document of
-- its own: an image or a delivery report that no parser reads is still part of the message.
-- The child document, when there is one, is found by content (tenant_id, sha256), so an
-- attachment that duplicates a document the tenant already had is linked to it from every
-- parent that carries it.
CREATE TABLE attachments (
    tenant_id  TEXT NOT NULL,
    parent_id  TEXT NOT NULL,
    position   INTEGER NOT NULL,          -- order in the parent, from 0
    file_name  TEXT NOT NULL,
    media_type TEXT,                      -- as the parent declares it
    bytes      INTEGER NOT NULL,
    sha256     TEXT NOT NULL,             -- of the content handed to the parser
    status     TEXT,                      -- not_parsed | failed | not_followed; NULL until then
    error      TEXT,                      -- why it is not a document
    PRIMARY KEY (tenant_id, parent_id, position)
) WITHOUT ROWID;
