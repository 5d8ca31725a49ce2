-- A file being parsed in process (or in the parser sandbox) is marked here first, so that one
-- that takes the process down is recognised at the next start and failed instead of parsed
-- again forever.
CREATE TABLE parse_markers (
    job_id     TEXT NOT NULL,
    sha256     TEXT NOT NULL,            -- the file's content: the same file in a resumed job
    source     TEXT NOT NULL,            -- how the job's errors name it
    started_at TEXT NOT NULL,
    crashed    INTEGER NOT NULL DEFAULT 0, -- 1 once a start found the marker left behind
    PRIMARY KEY (job_id, sha256)
);
