-- Mentions are kept per entity and document (how often, and where) instead of one row per
-- mention, and each entity carries its totals: ingestion writes one row per distinct entity of
-- a document, and listing entities by how often they are mentioned reads no mentions at all.

CREATE TABLE entity_documents (
    tenant_id   TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    document_id TEXT NOT NULL,
    mentions    INTEGER NOT NULL,          -- mentions of the entity in the document
    spans       TEXT NOT NULL,             -- "start-end" byte ranges in the text, space-separated
                                           -- (mentions in e-mail headers have none)
    PRIMARY KEY (tenant_id, entity_id, document_id)
) WITHOUT ROWID;
CREATE INDEX entity_documents_document ON entity_documents (tenant_id, document_id);

INSERT INTO entity_documents (tenant_id, entity_id, document_id, mentions, spans)
SELECT tenant_id, entity_id, document_id, COUNT(*),
       COALESCE(group_concat(span_start || '-' || span_end, ' '), '')
FROM mentions
GROUP BY tenant_id, entity_id, document_id;

CREATE TABLE entities_totals (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    normalized TEXT NOT NULL,
    mentions   INTEGER NOT NULL DEFAULT 0, -- over all documents
    documents  INTEGER NOT NULL DEFAULT 0, -- documents that mention it
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;

INSERT INTO entities_totals (tenant_id, id, kind, normalized, mentions, documents)
SELECT e.tenant_id, e.id, e.kind, e.normalized, COALESCE(SUM(ed.mentions), 0), COUNT(ed.document_id)
FROM entities e
LEFT JOIN entity_documents ed ON ed.tenant_id = e.tenant_id AND ed.entity_id = e.id
GROUP BY e.tenant_id, e.id;

DROP TABLE mentions;
DROP TABLE entities;
ALTER TABLE entities_totals RENAME TO entities;
