-- safeguard-tracker server store, schema 3: several authorities in one database (a regional LADO network).
--
-- Each record, trail entry and access-log line belongs to an authority (a column of the row: the record
-- itself is the same in any store).  A login belongs to one authority, or to none: the regional network,
-- which sees every authority's records its role allows.  A login of an authority sees its own authority's
-- rows, and rows of no authority ('': the shared settings); the other authorities' only as the aggregate
-- figures in st_authority_figures.  A new row takes its writer's authority; the owner's and the network's,
-- the authority the session names (safeguard_tracker.authority, as `--authority` sets it), else the only
-- authority there is, else none.  References are numbered across the whole database, so none repeats.

CREATE TABLE st_authorities (
    code             text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name             text NOT NULL CHECK (name <> ''),
    child_population integer CHECK (child_population > 0),     -- for contacts per 10,000 children
    added_at         timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE st_users ADD COLUMN authority text REFERENCES st_authorities (code);

CREATE FUNCTION st_my_authority() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT authority FROM st_users WHERE username = session_user
$$;

CREATE FUNCTION st_new_row_authority() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT coalesce(st_my_authority(),
                    nullif(current_setting('safeguard_tracker.authority', true), ''),
                    (SELECT min(code) FROM st_authorities HAVING count(*) = 1),
                    '')
$$;

-- May this login see a row of this authority?  The network (no authority of its own) sees every one.
CREATE FUNCTION st_sees(row_authority text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$
    SELECT row_authority = '' OR st_my_authority() IS NULL OR row_authority = st_my_authority()
$$;

ALTER TABLE contacts ADD COLUMN authority text NOT NULL DEFAULT st_new_row_authority();
ALTER TABLE reviews ADD COLUMN authority text NOT NULL DEFAULT st_new_row_authority();
ALTER TABLE actions ADD COLUMN authority text NOT NULL DEFAULT st_new_row_authority();
ALTER TABLE audit ADD COLUMN authority text NOT NULL DEFAULT st_new_row_authority();
ALTER TABLE access_log ADD COLUMN authority text NOT NULL DEFAULT st_new_row_authority();
CREATE INDEX contacts_authority ON contacts (authority, year, category);
CREATE INDEX audit_authority ON audit (authority);

-- A trail entry belongs to its record's authority, whoever wrote it (the owner's correction of a record
-- stays in that authority's history); a settings entry to none.
CREATE FUNCTION st_entry_authority() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE found text;
BEGIN
    IF NEW.tbl IN ('contacts', 'reviews', 'actions') THEN
        EXECUTE format('SELECT authority FROM %I WHERE key = $1', NEW.tbl) INTO found USING NEW.ref;
    ELSIF NEW.tbl = 'settings' THEN
        found := '';
    END IF;
    NEW.authority := coalesce(found, NEW.authority);
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_entry_authority BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION st_entry_authority();

-- In a store of several authorities, a new record names its own: it is never left to everyone.
CREATE FUNCTION st_record_authority() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.authority = '' AND (SELECT count(*) FROM st_authorities) > 1 THEN
        RAISE EXCEPTION 'safeguard-tracker: this store holds several authorities: say which one the record '
                        'belongs to (--authority CODE)' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_record_authority BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION st_record_authority();
CREATE TRIGGER reviews_record_authority BEFORE INSERT ON reviews FOR EACH ROW EXECUTE FUNCTION st_record_authority();
CREATE TRIGGER actions_record_authority BEFORE INSERT ON actions FOR EACH ROW EXECUTE FUNCTION st_record_authority();

-- The trail and the log stay insert-only; besides a redaction's values, the one change allowed is the first
-- authority added taking in the rows the store already held (of no authority), by st_add_authority.
CREATE OR REPLACE FUNCTION st_trail_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('safeguard_tracker.placing', true) = 'on'
       AND OLD.authority = '' AND NEW.authority <> ''
       AND (to_jsonb(NEW) - 'authority') = (to_jsonb(OLD) - 'authority') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit' THEN   -- (OLD exists only for a row's update)
        IF current_setting('safeguard_tracker.redacting', true) = OLD.ref
           AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.tbl = OLD.tbl AND NEW.ref = OLD.ref
           AND NEW.field = OLD.field AND NEW.at = OLD.at AND NEW.username = OLD.username
           AND NEW.authority = OLD.authority
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

-- A record stays in its authority.
CREATE FUNCTION st_authority_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.authority IS DISTINCT FROM OLD.authority AND st_my_authority() IS NOT NULL THEN
        RAISE EXCEPTION 'safeguard-tracker: a record stays in its authority' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_authority_kept BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION st_authority_kept();
CREATE TRIGGER reviews_authority_kept BEFORE UPDATE ON reviews FOR EACH ROW EXECUTE FUNCTION st_authority_kept();
CREATE TRIGGER actions_authority_kept BEFORE UPDATE ON actions FOR EACH ROW EXECUTE FUNCTION st_authority_kept();

-- The figures without personal data, now only of the authorities the login sees.
CREATE OR REPLACE VIEW st_contact_figures AS
    SELECT key, rev, seq, pos, received_on, year, category, agency, closed_on, due_on, status,
           json_build_object(
               'reference', doc -> 'reference', 'received_on', doc -> 'received_on', 'agency', doc -> 'agency',
               'category', doc -> 'category', 'harm', doc -> 'harm', 'threshold', doc -> 'threshold',
               'responded_on', doc -> 'responded_on', 'police_involved', doc -> 'police_involved',
               's47_strategy_on', doc -> 's47_strategy_on', 'outcome', doc -> 'outcome',
               'closed_on', doc -> 'closed_on', 'redacted_on', doc -> 'redacted_on', 'historic', doc -> 'historic',
               'children_count', doc -> 'children_count'
           ) AS doc, authority
    FROM contacts WHERE st_sees(authority);
CREATE OR REPLACE VIEW st_action_figures AS
    SELECT key, rev, seq, pos, review, lead_agency, status, due_on FROM actions WHERE st_sees(authority);

-- Every authority's aggregate figures by financial year: what authorities may see of each other.
-- Resolution is counted for referrals, by calendar months from receipt, as the guidance's expectations are.
CREATE VIEW st_authority_figures AS
    SELECT a.code AS authority, a.name, a.child_population, c.year,
           count(*) AS contacts,
           count(*) FILTER (WHERE c.category = 'referral') AS referrals,
           count(*) FILTER (WHERE c.category = 'referral' AND c.doc ->> 'outcome' = 'substantiated') AS substantiated,
           count(*) FILTER (WHERE c.category = 'referral' AND c.doc ->> 'outcome' IN ('false', 'malicious', 'unfounded'))
               AS no_basis,
           count(*) FILTER (WHERE c.category = 'referral' AND c.closed_on IS NULL) AS referrals_open,
           count(*) FILTER (WHERE c.category = 'referral' AND c.closed_on ~ '^\d{4}-\d{2}-\d{2}$'
                            AND c.closed_on <= to_char(to_date(c.received_on, 'YYYY-MM-DD') + interval '1 month',
                                                       'YYYY-MM-DD')) AS resolved_1_month,
           count(*) FILTER (WHERE c.category = 'referral' AND c.closed_on ~ '^\d{4}-\d{2}-\d{2}$'
                            AND c.closed_on <= to_char(to_date(c.received_on, 'YYYY-MM-DD') + interval '3 months',
                                                       'YYYY-MM-DD')) AS resolved_3_months,
           count(*) FILTER (WHERE c.category = 'referral' AND c.closed_on ~ '^\d{4}-\d{2}-\d{2}$'
                            AND c.closed_on <= to_char(to_date(c.received_on, 'YYYY-MM-DD') + interval '12 months',
                                                       'YYYY-MM-DD')) AS resolved_12_months
    FROM st_authorities a JOIN contacts c ON c.authority = a.code
    WHERE c.year IS NOT NULL
    GROUP BY a.code, a.name, a.child_population, c.year;

-- Each role: the authorities' list and the aggregate figures; its own authority's rows of what it may read.
DO $$
DECLARE
    r record;
    lado text := (SELECT name FROM st_roles WHERE kind = 'lado');
    subgroup text := (SELECT name FROM st_roles WHERE kind = 'subgroup');
    partner text := (SELECT name FROM st_roles WHERE kind = 'partner');
    admin text := (SELECT name FROM st_roles WHERE kind = 'admin');
BEGIN
    FOR r IN SELECT name FROM st_roles LOOP
        EXECUTE format('GRANT SELECT ON st_authorities, st_authority_figures TO %I', r.name);
    END LOOP;
    EXECUTE format('CREATE POLICY contacts_lado ON contacts FOR ALL TO %I USING (true) WITH CHECK (true)', lado);
    EXECUTE format('CREATE POLICY reviews_subgroup ON reviews FOR ALL TO %I USING (true) WITH CHECK (true)', subgroup);
    EXECUTE format('CREATE POLICY reviews_partner ON reviews FOR SELECT TO %I USING (true)', partner);
    EXECUTE format('CREATE POLICY contacts_authority ON contacts AS RESTRICTIVE FOR ALL TO %I '
                   'USING (st_sees(authority)) WITH CHECK (st_sees(authority))', lado);
    EXECUTE format('CREATE POLICY reviews_authority ON reviews AS RESTRICTIVE FOR ALL TO %I, %I '
                   'USING (st_sees(authority)) WITH CHECK (st_sees(authority))', subgroup, partner);
    EXECUTE format('CREATE POLICY actions_authority ON actions AS RESTRICTIVE FOR ALL TO %I, %I '
                   'USING (st_sees(authority)) WITH CHECK (st_sees(authority))', subgroup, partner);
    EXECUTE format('CREATE POLICY audit_authority ON audit AS RESTRICTIVE FOR ALL TO %I, %I, %I, %I '
                   'USING (st_sees(authority)) WITH CHECK (st_sees(authority))', lado, subgroup, partner, admin);
    EXECUTE format('CREATE POLICY access_log_authority ON access_log AS RESTRICTIVE FOR ALL TO %I, %I, %I, %I '
                   'USING (st_sees(authority)) WITH CHECK (st_sees(authority))', lado, subgroup, partner, admin);
END
$$;
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;

-- Authorities, and a login's authority with its role: the owner or an admin of the network (an admin of an
-- authority gives roles in that authority only).
CREATE FUNCTION st_add_authority(wanted text, called text, children integer) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NOT st_may_administer() OR st_my_authority() IS NOT NULL THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin of the whole network may add an authority'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT FROM st_authorities) THEN   -- the first: it takes in what the store holds
        PERFORM set_config('safeguard_tracker.placing', 'on', true);
        UPDATE contacts SET authority = wanted WHERE authority = '';
        UPDATE reviews SET authority = wanted WHERE authority = '';
        UPDATE actions SET authority = wanted WHERE authority = '';
        UPDATE audit SET authority = wanted WHERE authority = '' AND tbl <> 'settings';
        UPDATE access_log SET authority = wanted WHERE authority = '';
        PERFORM set_config('safeguard_tracker.placing', '', true);
    END IF;
    INSERT INTO st_authorities (code, name, child_population) VALUES (wanted, called, children)
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
            child_population = coalesce(EXCLUDED.child_population, st_authorities.child_population);
END
$$;

CREATE FUNCTION st_place(who text, wanted text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    wanted := coalesce(wanted, st_my_authority());   -- an authority's admin places logins in its own
    IF NOT st_may_administer() THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin may give roles'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF wanted IS NOT NULL AND NOT EXISTS (SELECT FROM st_authorities WHERE code = wanted) THEN
        RAISE EXCEPTION 'safeguard-tracker: no authority %: % (safeguard-tracker admin authority add CODE NAME)',
            wanted, coalesce((SELECT string_agg(code, ', ' ORDER BY code) FROM st_authorities), 'none yet')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF st_my_authority() IS NOT NULL AND wanted IS DISTINCT FROM st_my_authority() THEN
        RAISE EXCEPTION 'safeguard-tracker: an admin of % gives roles in % only', st_my_authority(), st_my_authority()
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE st_users SET authority = wanted WHERE username = who;
END
$$;
REVOKE ALL ON FUNCTION st_add_authority(text, text, integer), st_place(text, text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION st_add_authority(text, text, integer), st_place(text, text) TO %I',
                   (SELECT name FROM st_roles WHERE kind = 'admin'));
END
$$;

-- Who holds which role, now with each login's authority.
DROP FUNCTION st_who();
CREATE FUNCTION st_who() RETURNS TABLE (username text, kind text, agency text, granted_by text, granted_at timestamptz,
                                        member boolean, authority text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NOT st_may_administer() THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin may list who holds which role'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
        SELECT u.username, u.kind, u.agency, u.granted_by, u.granted_at,
               EXISTS (SELECT FROM pg_roles g JOIN pg_auth_members m ON m.roleid = g.oid
                       JOIN pg_roles l ON l.oid = m.member
                       WHERE g.rolname = (SELECT name FROM st_roles s WHERE s.kind = u.kind) AND l.rolname = u.username),
               u.authority
        FROM st_users u
        WHERE st_my_authority() IS NULL OR u.authority = st_my_authority()
        UNION ALL
        SELECT l.rolname::text, s.kind, NULL, NULL, NULL, true, NULL
        FROM st_roles s JOIN pg_roles g ON g.rolname = s.name JOIN pg_auth_members m ON m.roleid = g.oid
             JOIN pg_roles l ON l.oid = m.member
        WHERE NOT EXISTS (SELECT FROM st_users u WHERE u.username = l.rolname) AND st_my_authority() IS NULL
        ORDER BY 1;
END
$$;
REVOKE ALL ON FUNCTION st_who() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION st_who() TO %I', (SELECT name FROM st_roles WHERE kind = 'admin'));
END
$$;

-- Each write fits its own transaction: a role's rows carry the number the state row has just moved to, and
-- trail and log numbers within it, so no row can be planted ahead of the others' writes to block them.
ALTER TABLE st_transactions ADD COLUMN token text;    -- a commit's own mark, asked after if its answer is lost
DO $$
DECLARE
    writers text := (SELECT string_agg(format('%I', name), ', ') FROM st_roles
                     WHERE kind IN ('lado', 'subgroup', 'partner', 'admin'));
BEGIN
    EXECUTE 'CREATE POLICY st_transactions_in_turn ON st_transactions AS RESTRICTIVE FOR INSERT TO ' || writers ||
            ' WITH CHECK (seq = (SELECT last_seq FROM st_state WHERE id = 1))';
    EXECUTE 'CREATE POLICY audit_in_turn ON audit AS RESTRICTIVE FOR INSERT TO ' || writers ||
            ' WITH CHECK (seq = (SELECT last_seq FROM st_state WHERE id = 1)'
            ' AND id <= (SELECT audit_next FROM st_state WHERE id = 1))';
    EXECUTE 'CREATE POLICY access_log_in_turn ON access_log AS RESTRICTIVE FOR INSERT TO ' || writers ||
            ' WITH CHECK (id <= (SELECT access_next FROM st_state WHERE id = 1))';
END
$$;

CREATE OR REPLACE FUNCTION st_state_forward() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prefix text;
BEGIN
    IF NEW.last_seq < OLD.last_seq OR NEW.audit_next < OLD.audit_next OR NEW.access_next < OLD.access_next THEN
        RAISE EXCEPTION 'safeguard-tracker: st_state only moves forward' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF st_my_kind() IS NOT NULL AND NEW.last_seq <> OLD.last_seq + 1 THEN
        RAISE EXCEPTION 'safeguard-tracker: a transaction moves the count on by one'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR prefix IN SELECT jsonb_object_keys(OLD.issued) LOOP
        IF coalesce((NEW.issued ->> prefix)::bigint, 0) < (OLD.issued ->> prefix)::bigint THEN
            RAISE EXCEPTION 'safeguard-tracker: a reference number once issued stays issued (%)', prefix
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

-- A redaction's rewrite of a trail: only of a record the login sees and may change, and only in the
-- transaction that redacts it (the record's row was written by this very transaction: its xmin).
CREATE OR REPLACE FUNCTION st_rewrite_trail(which text, ids bigint[], entries text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE t text; redacted text; held_by text; written_in bigint; lead text;
BEGIN
    FOR t IN SELECT DISTINCT tbl FROM audit WHERE ref = which LOOP
        IF t NOT IN ('contacts', 'reviews', 'actions') OR NOT has_table_privilege(session_user, t, 'UPDATE') THEN
            RAISE EXCEPTION 'safeguard-tracker: % may not rewrite the trail of %', session_user, which
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('SELECT doc ->> ''redacted_on'', authority, xmin::text::bigint, doc ->> ''lead_agency'' '
                       'FROM %I WHERE key = $1', t)
            INTO redacted, held_by, written_in, lead USING which;
        IF redacted IS NULL THEN
            RAISE EXCEPTION 'safeguard-tracker: % is not redacted, so its trail keeps its values', which
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT st_sees(held_by) OR (st_my_kind() = 'partner' AND (t <> 'actions' OR lead IS DISTINCT FROM st_my_agency()))
           OR written_in IS DISTINCT FROM txid_current() % 4294967296 THEN
            RAISE EXCEPTION 'safeguard-tracker: % may not rewrite the trail of %: only the transaction that redacts '
                            'a record it may change does', session_user, which
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    PERFORM set_config('safeguard_tracker.redacting', which, true);
    UPDATE audit AS a SET entry = v.entry::json FROM unnest(ids, entries) AS v(id, entry)
        WHERE a.id = v.id AND a.ref = which;
    PERFORM set_config('safeguard_tracker.redacting', '', true);
END
$$;

-- An authority's admin gives and takes the roles of its own authority's logins (and of new ones) only.
CREATE FUNCTION st_may_administer_login(who text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$
    SELECT st_my_authority() IS NULL
           OR NOT EXISTS (SELECT FROM st_users WHERE username = who AND authority IS DISTINCT FROM st_my_authority())
$$;

CREATE OR REPLACE FUNCTION st_grant(who text, wanted text, agency text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record;
BEGIN
    IF NOT st_may_administer() THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin may give roles'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT st_may_administer_login(who) THEN
        RAISE EXCEPTION 'safeguard-tracker: an admin of % gives roles to %''s own logins only', st_my_authority(),
            st_my_authority() USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT FROM st_roles WHERE kind = wanted) THEN
        RAISE EXCEPTION 'safeguard-tracker: no role %: lado, subgroup, partner, analyst or admin', wanted
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = who AND rolcanlogin) THEN
        RAISE EXCEPTION 'safeguard-tracker: the server has no login named %: create it first (createuser --pwprompt %)',
            who, who USING ERRCODE = 'undefined_object';
    END IF;
    IF (wanted = 'partner') <> (agency IS NOT NULL) THEN
        RAISE EXCEPTION 'safeguard-tracker: a partner needs its agency (--agency), and only a partner has one'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR r IN SELECT name FROM st_roles LOOP
        EXECUTE format('REVOKE %I FROM %I', r.name, who);
    END LOOP;
    EXECUTE format('GRANT %I TO %I', st_role(wanted), who);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), who);
    INSERT INTO st_users (username, kind, agency, granted_by, authority)
        VALUES (who, wanted, agency, session_user, st_my_authority())
        ON CONFLICT (username) DO UPDATE SET kind = EXCLUDED.kind, agency = EXCLUDED.agency,
            granted_by = EXCLUDED.granted_by, granted_at = now(),
            authority = coalesce(st_my_authority(), st_users.authority);
    INSERT INTO st_grant_log (by_user, action, username, kind, agency) VALUES (session_user, 'grant', who, wanted, agency);
END
$$;

CREATE OR REPLACE FUNCTION st_revoke(who text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record; had text;
BEGIN
    IF NOT st_may_administer() THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin may take roles away'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT st_may_administer_login(who) THEN
        RAISE EXCEPTION 'safeguard-tracker: an admin of % takes roles from %''s own logins only', st_my_authority(),
            st_my_authority() USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT kind INTO had FROM st_users WHERE username = who;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = who) THEN
        FOR r IN SELECT name FROM st_roles LOOP
            EXECUTE format('REVOKE %I FROM %I', r.name, who);
        END LOOP;
    END IF;
    DELETE FROM st_users WHERE username = who;
    IF had IS NOT NULL THEN
        INSERT INTO st_grant_log (by_user, action, username, kind) VALUES (session_user, 'revoke', who, had);
    END IF;
    RETURN had IS NOT NULL;
END
$$;
