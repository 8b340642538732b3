-- safeguard-tracker server store, schema 1: the records, the audit trail, the access log.
--
-- Each record is kept whole as JSON (the type that keeps a document's text, and so the order of a
-- council's own extra columns, exactly as written), with real columns generated from it for what the
-- screens filter and sort on.  The audit trail and the access log are insert-only: a trigger refuses
-- every UPDATE, DELETE and TRUNCATE, except the one rewrite a redaction makes of its own record's
-- values (never who, when or which field).  Records are never deleted.

CREATE TABLE st_schema (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the number of the last committed transaction, and the highest number ever issued per
-- reference prefix ('L-2018-': 202), so that no reference is issued twice.
CREATE TABLE st_state (
    id       integer PRIMARY KEY CHECK (id = 1),
    last_seq bigint NOT NULL CHECK (last_seq >= 0),
    issued   jsonb NOT NULL DEFAULT '{}'::jsonb
);
INSERT INTO st_state (id, last_seq) VALUES (1, 0);

-- Every committed transaction: who, when, and which records it changed (how an open screen catches up).
CREATE TABLE st_transactions (
    seq          bigint PRIMARY KEY,
    at           text NOT NULL,
    username     text NOT NULL,
    changed      jsonb NOT NULL,                 -- [[table, key], ...]
    rewrites     jsonb NOT NULL DEFAULT '[]',    -- [reference, ...] whose audit values a redaction rewrote
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The financial year (April to March) of an ISO date, as the reports name it: '2017-18'.
CREATE FUNCTION st_financial_year(day text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT CASE WHEN day ~ '^\d{4}-\d{2}-\d{2}$' THEN
        CASE WHEN substr(day, 6, 2) >= '04'
             THEN substr(day, 1, 4) || '-' || lpad(((substr(day, 1, 4)::integer + 1) % 100)::text, 2, '0')
             ELSE (substr(day, 1, 4)::integer - 1)::text || '-' || substr(day, 3, 2) END
    END
$$;

CREATE TABLE contacts (
    key         text PRIMARY KEY,
    doc         json NOT NULL,
    rev         integer NOT NULL CHECK (rev >= 1),
    seq         bigint NOT NULL,
    pos         bigint GENERATED ALWAYS AS IDENTITY,   -- the order records were first stored in
    received_on text GENERATED ALWAYS AS (doc ->> 'received_on') STORED,
    year        text GENERATED ALWAYS AS (st_financial_year(doc ->> 'received_on')) STORED,
    category    text GENERATED ALWAYS AS (doc ->> 'category') STORED,
    agency      text GENERATED ALWAYS AS (doc ->> 'agency') STORED,
    closed_on   text GENERATED ALWAYS AS (doc ->> 'closed_on') STORED,
    due_on      text GENERATED ALWAYS AS (doc ->> 'due_on') STORED,
    status      text GENERATED ALWAYS AS (CASE WHEN doc ->> 'closed_on' IS NULL THEN 'open' ELSE 'closed' END) STORED
);
CREATE INDEX contacts_year_category ON contacts (year, category);
CREATE INDEX contacts_agency ON contacts (agency);
CREATE INDEX contacts_received_on ON contacts (received_on);
CREATE INDEX contacts_open_due ON contacts (due_on) WHERE closed_on IS NULL;

CREATE TABLE reviews (
    key          text PRIMARY KEY,
    doc          json NOT NULL,
    rev          integer NOT NULL CHECK (rev >= 1),
    seq          bigint NOT NULL,
    pos          bigint GENERATED ALWAYS AS IDENTITY,
    kind         text GENERATED ALWAYS AS (doc ->> 'kind') STORED,
    status       text GENERATED ALWAYS AS (doc ->> 'status') STORED,
    published_on text GENERATED ALWAYS AS (doc ->> 'published_on') STORED
);

CREATE TABLE actions (
    key         text PRIMARY KEY,
    doc         json NOT NULL,
    rev         integer NOT NULL CHECK (rev >= 1),
    seq         bigint NOT NULL,
    pos         bigint GENERATED ALWAYS AS IDENTITY,   -- the order records were first stored in
    review      text GENERATED ALWAYS AS (doc ->> 'review') STORED,
    lead_agency text GENERATED ALWAYS AS (doc ->> 'lead_agency') STORED,
    status      text GENERATED ALWAYS AS (doc ->> 'status') STORED,
    due_on      text GENERATED ALWAYS AS (doc ->> 'due_on') STORED
);
CREATE INDEX actions_review ON actions (review);
CREATE INDEX actions_lead_agency ON actions (lead_agency);
CREATE INDEX actions_due_on ON actions (due_on);

CREATE TABLE settings (
    key text PRIMARY KEY,
    doc json NOT NULL,
    rev integer NOT NULL CHECK (rev >= 1),
    seq bigint NOT NULL,
    pos bigint GENERATED ALWAYS AS IDENTITY
);

-- The audit trail: one row per changed field (or list item), numbered in order as the file store numbers it.
CREATE TABLE audit (
    id       bigint PRIMARY KEY,
    seq      bigint NOT NULL,
    tbl      text NOT NULL,
    ref      text NOT NULL,
    field    text NOT NULL,
    at       text NOT NULL,
    username text NOT NULL,
    entry    json NOT NULL
);
CREATE INDEX audit_ref ON audit (ref, id);
CREATE INDEX audit_seq ON audit (seq);

-- Every view or export of personal data: who, when, what, where to.
CREATE TABLE access_log (
    id       bigint PRIMARY KEY,
    at       text NOT NULL,
    username text NOT NULL,
    what     text NOT NULL,
    entry    json NOT NULL
);

CREATE FUNCTION st_trail_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit' THEN   -- (OLD exists only for a row's update)
        IF current_setting('safeguard_tracker.redacting', true) = OLD.ref
           AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.tbl = OLD.tbl AND NEW.ref = OLD.ref
           AND NEW.field = OLD.field AND NEW.at = OLD.at AND NEW.username = OLD.username
           AND NEW.entry ->> 'at' IS NOT DISTINCT FROM OLD.entry ->> 'at'
           AND NEW.entry ->> 'user' IS NOT DISTINCT FROM OLD.entry ->> 'user'
           AND NEW.entry ->> 'ref' IS NOT DISTINCT FROM OLD.entry ->> 'ref'
           AND NEW.entry ->> 'field' IS NOT DISTINCT FROM OLD.entry ->> 'field' THEN
            RETURN NEW;   -- a redaction of this record: its values only
        END IF;
    END IF;
    RAISE EXCEPTION 'safeguard-tracker: % is insert-only: an entry is never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION st_records_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'safeguard-tracker: a record of % is never deleted (redact it instead)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_insert_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION st_trail_insert_only();
CREATE TRIGGER audit_not_truncated BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION st_trail_insert_only();
CREATE TRIGGER access_log_insert_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION st_trail_insert_only();
CREATE TRIGGER access_log_not_truncated BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION st_trail_insert_only();
CREATE TRIGGER contacts_kept BEFORE DELETE OR TRUNCATE ON contacts
    FOR EACH STATEMENT EXECUTE FUNCTION st_records_kept();
CREATE TRIGGER reviews_kept BEFORE DELETE OR TRUNCATE ON reviews
    FOR EACH STATEMENT EXECUTE FUNCTION st_records_kept();
CREATE TRIGGER actions_kept BEFORE DELETE OR TRUNCATE ON actions
    FOR EACH STATEMENT EXECUTE FUNCTION st_records_kept();
CREATE TRIGGER settings_kept BEFORE DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION st_records_kept();
