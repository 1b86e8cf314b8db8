-- The subscriber list (src/stores/postgres-store.ts): one row per subscriber, the hashed
-- suppressions of purged addresses, and a change counter for changeToken(). The CHECKs mirror
-- the subscriber file's schema (src/stores/subscriber-schema.ts), so a row that paperboy would
-- refuse to load cannot be written, not even by hand.

-- Up Migration

CREATE TABLE subscribers (
  -- sub_ + random hex: stable and never reused; links and the ledger refer to it.
  id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^sub_[0-9a-f]{8,64}$'),
  -- As given (trimmed). Addresses are ASCII (the schema's pattern), so "C" lower-cases them all.
  email text COLLATE "C" NOT NULL CHECK (email <> '' AND email = btrim(email)),
  -- The address as compared: normalizeEmail() (trimmed, NFC, lower-case), computed by paperboy.
  -- Unique, so one address is one subscriber whatever its case; byte order ("C") so that the list
  -- sorts exactly as the JSON store sorts it, whatever the database's collation.
  email_key text COLLATE "C" NOT NULL UNIQUE CHECK (email_key = lower(email)),
  name text CHECK (name <> '' AND name = btrim(name)),
  -- topics "all" is all_topics with no ids; otherwise at least one id.
  all_topics boolean NOT NULL,
  topics text[] NOT NULL CHECK (array_position(topics, NULL) IS NULL),
  keywords_include text[] NOT NULL DEFAULT '{}' CHECK (array_position(keywords_include, NULL) IS NULL),
  keywords_exclude text[] NOT NULL DEFAULT '{}' CHECK (array_position(keywords_exclude, NULL) IS NULL),
  -- null: the config's plan.maxPapers.
  max_papers integer CHECK (max_papers BETWEEN 1 AND 100),
  frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly')),
  weekday text CHECK (
    weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')
  ),
  status text NOT NULL CHECK (status IN ('active', 'unsubscribed', 'bounced')),
  subscribed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  unsubscribed_at timestamptz,
  CONSTRAINT subscribers_topics_or_all CHECK (all_topics = (cardinality(topics) = 0)),
  -- Weekly needs a weekday; daily has none.
  CONSTRAINT subscribers_weekday_when_weekly CHECK ((frequency = 'weekly') = (weekday IS NOT NULL))
);

-- What remains of a purged subscriber: a plain sha256 (hex) of the normalized address.
CREATE TABLE purged_suppressions (
  email_sha256 text COLLATE "C" PRIMARY KEY CHECK (email_sha256 ~ '^[0-9a-f]{64}$'),
  status text NOT NULL CHECK (status IN ('unsubscribed', 'bounced')),
  suppressed_at timestamptz NOT NULL
);

-- One row, bumped in the same transaction as every change to the two tables above (by the
-- triggers below, so a change made by hand counts too). changeToken() reads it: a long send
-- re-reads the list only when it moved. A transactional row, not a sequence: the new count
-- becomes visible together with the change, never before it.
CREATE TABLE subscriber_changes (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  counter bigint NOT NULL
);
INSERT INTO subscriber_changes (only_row, counter) VALUES (true, 0);

CREATE FUNCTION count_subscriber_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE subscriber_changes SET counter = counter + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER subscribers_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subscribers
  FOR EACH STATEMENT EXECUTE FUNCTION count_subscriber_change();
CREATE TRIGGER purged_suppressions_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON purged_suppressions
  FOR EACH STATEMENT EXECUTE FUNCTION count_subscriber_change();

-- Down Migration

DROP TABLE subscriber_changes;
DROP TABLE purged_suppressions;
DROP TABLE subscribers;
DROP FUNCTION count_subscriber_change();
