-- The web archive with DATABASE_URL (src/distributed/pg-archive.ts): each segment's email as the
-- workers rendered it, with neutral values in place of the recipient's (no greeting, no token),
-- so every `serve` instance can answer GET /issues/ whichever worker wrote the page. The same
-- content as <dataDir>/archive/ without a database (src/delivery/archive.ts): one row per page,
-- with what the day's index.json says of it. A rerun of the issue writes the row again (upsert).

-- Up Migration

CREATE TABLE archive_pages (
  issue text COLLATE "C" NOT NULL CHECK (issue ~ '^\d{4}-\d{2}-\d{2}$'),
  segment_id text COLLATE "C" NOT NULL CHECK (segment_id ~ '^seg_[A-Za-z0-9_-]{1,64}$'),
  subject text NOT NULL,
  -- topics "all" is all_topics with no ids; otherwise the segment's topic ids.
  all_topics boolean NOT NULL,
  topics text[] NOT NULL CHECK (array_position(topics, NULL) IS NULL),
  -- Papers shown in the email.
  papers integer NOT NULL CHECK (papers >= 0),
  -- The page itself (neutralHtml()).
  html text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issue, segment_id),
  CONSTRAINT archive_pages_topics_or_all CHECK (NOT all_topics OR cardinality(topics) = 0)
);

-- Down Migration

DROP TABLE archive_pages;
