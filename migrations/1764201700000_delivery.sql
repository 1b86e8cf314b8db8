-- Distributed sending (src/distributed/): the planned issues and their segments, the delivery
-- ledger with one row per (issue, subscriber), bounce strikes, the segments' send history, the
-- schedule's fires (one row per fire, so one `serve` instance among many runs it) and the shared
-- rate limit. The job queue itself is pg-boss's, in its own schema (pgboss), created by pg-boss.

-- Up Migration

-- One row per planned issue: what a worker on any machine needs to render its segments.
CREATE TABLE issues (
  date text COLLATE "C" PRIMARY KEY CHECK (date ~ '^\d{4}-\d{2}-\d{2}$'),
  -- The classified issue ({ date, papers, warnings }): a weekly digest later in the week merges it.
  issue jsonb NOT NULL,
  -- Every paper a segment of the plan refers to (weekly segments draw from earlier days too).
  papers jsonb NOT NULL,
  -- The plan without its segments and skips: options, issue dates, totals.
  plan jsonb NOT NULL,
  -- Bumped by every (re-)plan: workers key their caches of rendered segments by it.
  revision integer NOT NULL DEFAULT 1,
  planned_at timestamptz NOT NULL,
  -- The instance that planned it (host:pid), for `paperboy status` and the logs.
  planned_by text NOT NULL
);

CREATE TABLE plan_segments (
  issue text COLLATE "C" NOT NULL REFERENCES issues (date) ON DELETE CASCADE,
  segment_id text COLLATE "C" NOT NULL,
  -- The plan's Segment without its recipients (they are the deliveries rows).
  segment jsonb NOT NULL,
  recipients integer NOT NULL CHECK (recipients >= 0),
  PRIMARY KEY (issue, segment_id)
);

-- The ledger: one row per subscriber the plan considered for the issue. Planned recipients start
-- `pending`; the plan's skips are `skipped` with their reason and `recipient` false. A worker's
-- claim turns `pending` (or a retryable `failed`) into `sending` in one statement, so two
-- workers can never both claim one delivery; the outcome is `sent`, `failed` or `skipped`.
-- `sent` is final: nothing changes it.
CREATE TYPE delivery_state AS ENUM ('pending', 'sending', 'sent', 'failed', 'skipped');

CREATE TABLE deliveries (
  issue text COLLATE "C" NOT NULL REFERENCES issues (date) ON DELETE CASCADE,
  subscriber_id text COLLATE "C" NOT NULL,
  email text NOT NULL,
  -- The segment whose email it is; null for a plan skip without one (unsubscribed, bounced).
  segment_id text COLLATE "C",
  -- True when the plan sends this subscriber the issue; false for the plan's skips.
  recipient boolean NOT NULL,
  state delivery_state NOT NULL,
  -- Attempts that reached the transport, over every run and job try.
  attempts integer NOT NULL DEFAULT 0,
  -- The claim (`sending`): when, by which worker (host:pid), for which job and which try of it.
  -- A later try of the same job may take the rows of an earlier one back (its worker died), and
  -- anyone may take a claim older than the job timeout.
  claimed_at timestamptz,
  claimed_by text,
  claim_job text,
  claim_try integer,
  message_id text,
  sent_at timestamptz,
  -- `failed`: the SMTP reply, and whether it was permanent (a retry would not help).
  code integer,
  response text,
  permanent boolean,
  -- `skipped`: why (the plan's reason, or the status found right before sending).
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issue, subscriber_id),
  CONSTRAINT deliveries_claimed CHECK (state <> 'sending' OR claimed_at IS NOT NULL)
);
CREATE INDEX deliveries_by_state ON deliveries (issue, state);
CREATE INDEX deliveries_by_segment ON deliveries (issue, segment_id);

-- Bounce strikes (src/delivery/strikes.ts has the same counts in a file): consecutive permanent
-- failures (hard) and runs of exhausted retries (soft); a delivery that goes through deletes them.
CREATE TABLE bounce_strikes (
  subscriber_id text COLLATE "C" PRIMARY KEY,
  hard integer NOT NULL DEFAULT 0,
  soft integer NOT NULL DEFAULT 0,
  last_at timestamptz NOT NULL,
  last_code integer,
  last_response text NOT NULL
);

-- The send history (src/plan/history.ts): which papers each segment received, and on which issue
-- date. Per segment, not per subscriber, so it stays small.
CREATE TABLE segment_history (
  segment_id text COLLATE "C" NOT NULL,
  paper_id text COLLATE "C" NOT NULL,
  sent_on text COLLATE "C" NOT NULL CHECK (sent_on ~ '^\d{4}-\d{2}-\d{2}$'),
  PRIMARY KEY (segment_id, paper_id)
);
CREATE INDEX segment_history_by_day ON segment_history (sent_on);

-- The schedule's run coordinator (node-cron `distributed: true`): one row per scheduled fire.
-- The instance whose INSERT makes the row runs it; the others see it and skip. A fire that never
-- finished (its instance died) may be taken again once its lease has run out.
CREATE TABLE schedule_fires (
  key text COLLATE "C" PRIMARY KEY,
  fired_by text NOT NULL,
  fired_at timestamptz NOT NULL,
  lease_until timestamptz NOT NULL,
  finished_at timestamptz
);

-- The shared rate limit: messages started per window (delivery.rateDelta ms, numbered from the
-- epoch by the database's clock), across every worker. Taken through take_send_tokens().
CREATE TABLE send_rate (
  bucket text COLLATE "C" NOT NULL,
  slot bigint NOT NULL,
  used integer NOT NULL CHECK (used >= 0),
  PRIMARY KEY (bucket, slot)
);

-- Grants up to `wanted` tokens of the current window, never more than `per_window` in all; also
-- says how long until the next window. One call, one row lock: concurrent takers queue on it.
CREATE FUNCTION take_send_tokens(bucket_name text, wanted integer, per_window integer, window_ms integer)
RETURNS TABLE (granted integer, window_left_ms integer) LANGUAGE plpgsql AS $$
DECLARE
  now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  current_slot bigint := now_ms / window_ms;
  used_before integer;
BEGIN
  INSERT INTO send_rate (bucket, slot, used) VALUES (bucket_name, current_slot, 0)
    ON CONFLICT DO NOTHING;
  IF FOUND THEN
    -- A new window: forget the old ones (the first taker of each window pays for it).
    DELETE FROM send_rate WHERE bucket = bucket_name AND slot < current_slot - 10;
  END IF;
  SELECT used INTO used_before FROM send_rate
    WHERE bucket = bucket_name AND slot = current_slot FOR UPDATE;
  granted := GREATEST(0, LEAST(wanted, per_window - used_before));
  IF granted > 0 THEN
    UPDATE send_rate SET used = used + granted WHERE bucket = bucket_name AND slot = current_slot;
  END IF;
  window_left_ms := (current_slot + 1) * window_ms - now_ms;
  RETURN NEXT;
END;
$$;

-- Down Migration

DROP FUNCTION take_send_tokens(text, integer, integer, integer);
DROP TABLE send_rate;
DROP TABLE schedule_fires;
DROP TABLE segment_history;
DROP TABLE bounce_strikes;
DROP TABLE deliveries;
DROP TYPE delivery_state;
DROP TABLE plan_segments;
DROP TABLE issues;
