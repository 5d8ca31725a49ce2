-- The timeline's order and the look-ups of an entity's documents and events moved to the
-- facts index (Tantivy), which the service rebuilds from these tables when it first opens.
-- B-tree indexes keyed by time or by entity took inserts all over the tree, so each commit of
-- an ingestion batch rewrote most of their pages. What stays is written in insertion order:
-- events by id, and entity_documents by document (for re-indexing a document).

DROP INDEX events_tenant_ts;
DROP TABLE event_entities;

CREATE TABLE entity_documents_by_document (
    tenant_id   TEXT NOT NULL,
    document_id TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    mentions    INTEGER NOT NULL,          -- mentions of the entity in the document
    spans       TEXT NOT NULL,             -- "start-end" byte ranges in the text, space-separated
                                           -- (mentions in e-mail headers have none)
    PRIMARY KEY (tenant_id, document_id, entity_id)
) WITHOUT ROWID;

INSERT INTO entity_documents_by_document (tenant_id, document_id, entity_id, mentions, spans)
SELECT tenant_id, document_id, entity_id, mentions, spans FROM entity_documents;

DROP TABLE entity_documents;
ALTER TABLE entity_documents_by_document RENAME TO entity_documents;

-- The tenant's events per day (days since 1970-01-01, UTC): a timeline page reads how many
-- days it must span before asking the facts index for them.
CREATE TABLE event_days (
    tenant_id TEXT NOT NULL,
    day       INTEGER NOT NULL,
    events    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day)
) WITHOUT ROWID;

INSERT INTO event_days (tenant_id, day, events)
SELECT tenant_id, CAST(julianday(substr(ts_key, 1, 10)) - 2440587.5 AS INTEGER), COUNT(*)
FROM events
GROUP BY 1, 2;
