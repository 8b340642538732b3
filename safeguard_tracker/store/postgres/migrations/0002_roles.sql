-- safeguard-tracker server store, schema 2: roles that the database enforces, not only the application.
--
-- Five group roles, named for this database (st_<database>_lado and so on, listed in st_roles), so that
-- a role in one store gives nothing in another on the same server:
--   lado      contacts and everything about them, read and write;
--   subgroup  reviews, recommendations and actions, read and write; no contacts;
--   partner   only the actions whose lead agency is theirs (row-level security): progress updates and
--             evidence, nothing else (a trigger); the reviews, to read;
--   analyst   the figures, through views that hold no personal data (st_contact_figures, st_action_figures);
--   admin     the settings (the council's lists), the access log, and who holds which role.
-- A login is given one role by `safeguard-tracker admin grant` (st_grant), by the database owner or an admin.
-- Every change a role makes is attributed to its login: the audit trail refuses any other name.

CREATE TABLE st_roles (
    kind text PRIMARY KEY CHECK (kind IN ('lado', 'subgroup', 'partner', 'analyst', 'admin')),
    name text NOT NULL UNIQUE
);

CREATE TABLE st_users (
    username   text PRIMARY KEY,
    kind       text NOT NULL REFERENCES st_roles (kind),
    agency     text,                    -- a partner's agency: the actions they may see and update
    granted_by text NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'partner') = (agency IS NOT NULL))
);

-- Every grant and revocation: who, to whom, when.  Insert-only.
CREATE TABLE st_grant_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    by_user  text NOT NULL,
    action   text NOT NULL CHECK (action IN ('grant', 'revoke')),
    username text NOT NULL,
    kind     text,
    agency   text
);
CREATE TRIGGER st_grant_log_insert_only BEFORE UPDATE OR DELETE ON st_grant_log
    FOR EACH ROW EXECUTE FUNCTION st_trail_insert_only();
CREATE TRIGGER st_grant_log_not_truncated BEFORE TRUNCATE ON st_grant_log
    FOR EACH STATEMENT EXECUTE FUNCTION st_trail_insert_only();

-- The next numbers of the trail and the log, kept with the transaction count: a role that sees only part
-- of the trail still numbers its entries after everyone else's.
ALTER TABLE st_state ADD COLUMN audit_next bigint NOT NULL DEFAULT 0,
                     ADD COLUMN access_next bigint NOT NULL DEFAULT 0;
UPDATE st_state SET audit_next = (SELECT coalesce(max(id), 0) FROM audit),
                    access_next = (SELECT coalesce(max(id), 0) FROM access_log);

-- Only forward: the transaction count by one, the numbers issued and the trail's numbering never back.
CREATE FUNCTION st_state_forward() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prefix text;
BEGIN
    IF NEW.last_seq < OLD.last_seq OR NEW.audit_next < OLD.audit_next OR NEW.access_next < OLD.access_next THEN
        RAISE EXCEPTION 'safeguard-tracker: st_state only moves forward' USING ERRCODE = 'insufficient_privilege';
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
CREATE TRIGGER st_state_forward BEFORE UPDATE ON st_state FOR EACH ROW EXECUTE FUNCTION st_state_forward();

-- Who the login is here: its role's kind and a partner's agency (NULL for the owner and for a login with none).
CREATE FUNCTION st_my_kind() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT kind FROM st_users WHERE username = session_user
$$;
CREATE FUNCTION st_my_agency() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT agency FROM st_users WHERE username = session_user AND kind = 'partner'
$$;
CREATE FUNCTION st_role(wanted text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT name FROM st_roles WHERE kind = wanted
$$;

-- May the login write records of this table (the trail's entries are checked against it)?
CREATE FUNCTION st_may_write(tbl text) RETURNS boolean LANGUAGE sql STABLE SET search_path = public AS $$
    SELECT tbl IN ('contacts', 'reviews', 'actions', 'settings')
           AND (has_table_privilege(current_user, tbl, 'INSERT') OR has_table_privilege(current_user, tbl, 'UPDATE'))
$$;

-- A partner writes trail entries only about its own agency's actions.
CREATE FUNCTION st_may_trail(tbl text, which text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT st_my_kind() IS DISTINCT FROM 'partner'
           OR (tbl = 'actions' AND EXISTS (SELECT FROM actions WHERE key = which AND lead_agency = st_my_agency()))
$$;

-- The figures without personal data: for an analyst's own SQL, and for the tool opened by an analyst.
CREATE VIEW st_contact_figures AS
    SELECT key, rev, seq, pos, received_on, year, category, agency, closed_on, due_on, status,
           json_build_object(
               'reference', doc -> 'reference', 'received_on', doc -> 'received_on', 'agency', doc -> 'agency',
               'category', doc -> 'category', 'harm', doc -> 'harm', 'threshold', doc -> 'threshold',
               'responded_on', doc -> 'responded_on', 'police_involved', doc -> 'police_involved',
               's47_strategy_on', doc -> 's47_strategy_on', 'outcome', doc -> 'outcome',
               'closed_on', doc -> 'closed_on', 'redacted_on', doc -> 'redacted_on', 'historic', doc -> 'historic',
               'children_count', doc -> 'children_count'
           ) AS doc
    FROM contacts;
CREATE VIEW st_action_figures AS
    SELECT key, rev, seq, pos, review, lead_agency, status, due_on FROM actions;

-- The roles, and what each may do.
DO $$
DECLARE
    base text := 'st_' || left(regexp_replace(lower(current_database()), '[^a-z0-9_]', '_', 'g'), 40);
    k text;
    r text;
BEGIN
    FOREACH k IN ARRAY ARRAY['lado', 'subgroup', 'partner', 'analyst', 'admin'] LOOP
        r := base || '_' || k;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
        INSERT INTO st_roles (kind, name) VALUES (k, r);
        EXECUTE format('GRANT SELECT ON st_schema, st_roles, st_state, st_transactions, settings TO %I', r);
    END LOOP;
    FOREACH k IN ARRAY ARRAY['lado', 'subgroup', 'partner', 'admin'] LOOP
        r := base || '_' || k;
        EXECUTE format('GRANT INSERT ON audit, access_log, st_transactions TO %I', r);
        EXECUTE format('GRANT SELECT ON audit TO %I', r);     -- (the rows each may read: the policies below)
        EXECUTE format('GRANT UPDATE ON st_state TO %I', r);
    END LOOP;
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON contacts TO %I', base || '_lado');
    EXECUTE format('GRANT INSERT, UPDATE ON settings TO %I', base || '_lado');
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON reviews, actions TO %I', base || '_subgroup');
    EXECUTE format('GRANT INSERT, UPDATE ON settings TO %I', base || '_subgroup');
    EXECUTE format('GRANT SELECT ON reviews TO %I', base || '_partner');
    EXECUTE format('GRANT SELECT, UPDATE ON actions TO %I', base || '_partner');
    EXECUTE format('GRANT SELECT ON st_contact_figures, st_action_figures TO %I', base || '_analyst');
    EXECUTE format('GRANT INSERT, UPDATE ON settings TO %I', base || '_admin');
    EXECUTE format('GRANT SELECT ON access_log, st_users, st_grant_log TO %I', base || '_admin');

    -- The trail: each role reads the entries of what it may read, and writes entries in its own name only.
    EXECUTE format('CREATE POLICY audit_lado ON audit FOR SELECT TO %I USING (tbl IN (''contacts'', ''settings''))',
                   base || '_lado');
    EXECUTE format('CREATE POLICY audit_subgroup ON audit FOR SELECT TO %I '
                   'USING (tbl IN (''reviews'', ''actions'', ''settings''))', base || '_subgroup');
    EXECUTE format('CREATE POLICY audit_partner ON audit FOR SELECT TO %I '
                   'USING (tbl = ''actions'' AND ref IN (SELECT key FROM actions))', base || '_partner');
    EXECUTE format('CREATE POLICY audit_admin ON audit FOR SELECT TO %I USING (tbl = ''settings'')', base || '_admin');
    EXECUTE format('CREATE POLICY audit_write ON audit FOR INSERT TO %I, %I, %I, %I '
                   'WITH CHECK (username = session_user AND entry ->> ''user'' = session_user AND st_may_write(tbl) '
                   'AND st_may_trail(tbl, ref))',
                   base || '_lado', base || '_subgroup', base || '_partner', base || '_admin');
    EXECUTE format('CREATE POLICY st_transactions_read ON st_transactions FOR SELECT TO %I, %I, %I, %I, %I '
                   'USING (true)', base || '_lado', base || '_subgroup', base || '_partner', base || '_analyst',
                   base || '_admin');
    EXECUTE format('CREATE POLICY st_transactions_write ON st_transactions FOR INSERT TO %I, %I, %I, %I '
                   'WITH CHECK (username = session_user)',
                   base || '_lado', base || '_subgroup', base || '_partner', base || '_admin');
    EXECUTE format('CREATE POLICY access_log_write ON access_log FOR INSERT TO %I, %I, %I, %I '
                   'WITH CHECK (username = session_user)',
                   base || '_lado', base || '_subgroup', base || '_partner', base || '_admin');
    EXECUTE format('CREATE POLICY access_log_admin ON access_log FOR SELECT TO %I USING (true)', base || '_admin');
    -- Actions: the sub group all of them; a partner only its own agency's.
    EXECUTE format('CREATE POLICY actions_subgroup ON actions FOR ALL TO %I USING (true) WITH CHECK (true)',
                   base || '_subgroup');
    EXECUTE format('CREATE POLICY actions_partner_read ON actions FOR SELECT TO %I '
                   'USING (lead_agency = st_my_agency())', base || '_partner');
    EXECUTE format('CREATE POLICY actions_partner_update ON actions FOR UPDATE TO %I '
                   'USING (lead_agency = st_my_agency()) WITH CHECK (lead_agency = st_my_agency())', base || '_partner');
END
$$;

ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE st_transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE actions ENABLE ROW LEVEL SECURITY;

-- A partner changes an action's progress updates and evidence (its first update starts it), nothing else.
CREATE FUNCTION st_partner_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF st_my_kind() = 'partner' AND (
           (OLD.doc::jsonb - ARRAY['updates', 'evidence', 'impact_measure', 'status'])
               IS DISTINCT FROM (NEW.doc::jsonb - ARRAY['updates', 'evidence', 'impact_measure', 'status'])
           OR (OLD.doc ->> 'status' IS DISTINCT FROM NEW.doc ->> 'status'
               AND NOT (OLD.doc ->> 'status' = 'not_started' AND NEW.doc ->> 'status' = 'in_progress'))) THEN
        RAISE EXCEPTION 'safeguard-tracker: a partner may add progress updates and evidence to an action, nothing else'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER actions_partner_fields BEFORE UPDATE ON actions FOR EACH ROW EXECUTE FUNCTION st_partner_fields();

-- A redaction's rewrite of one record's trail: its values only (the trigger on audit), and only for a record
-- that is redacted, by a login that may change that record.
CREATE FUNCTION st_rewrite_trail(which text, ids bigint[], entries text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE t text; redacted text;
BEGIN
    FOR t IN SELECT DISTINCT tbl FROM audit WHERE ref = which LOOP
        IF t NOT IN ('contacts', 'reviews', 'actions') OR NOT has_table_privilege(session_user, t, 'UPDATE') THEN
            RAISE EXCEPTION 'safeguard-tracker: % may not rewrite the trail of %', session_user, which
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('SELECT doc ->> ''redacted_on'' FROM %I WHERE key = $1', t) INTO redacted USING which;
        IF redacted IS NULL THEN
            RAISE EXCEPTION 'safeguard-tracker: % is not redacted, so its trail keeps its values', which
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    PERFORM set_config('safeguard_tracker.redacting', which, true);
    UPDATE audit AS a SET entry = v.entry::json FROM unnest(ids, entries) AS v(id, entry)
        WHERE a.id = v.id AND a.ref = which;
    PERFORM set_config('safeguard_tracker.redacting', '', true);
END
$$;

-- Giving and taking roles: the database owner, or a login holding the admin role.
CREATE FUNCTION st_may_administer() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT coalesce(st_my_kind() = 'admin', false)
           OR pg_has_role(session_user, (SELECT tableowner FROM pg_tables
                                         WHERE schemaname = 'public' AND tablename = 'st_state'), 'MEMBER')
$$;

CREATE FUNCTION st_grant(who text, wanted text, agency text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record;
BEGIN
    IF NOT st_may_administer() THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin may give roles'
            USING ERRCODE = 'insufficient_privilege';
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
    INSERT INTO st_users (username, kind, agency, granted_by) VALUES (who, wanted, agency, session_user)
        ON CONFLICT (username) DO UPDATE SET kind = EXCLUDED.kind, agency = EXCLUDED.agency,
                                             granted_by = EXCLUDED.granted_by, granted_at = now();
    INSERT INTO st_grant_log (by_user, action, username, kind, agency) VALUES (session_user, 'grant', who, wanted, agency);
END
$$;

CREATE FUNCTION st_revoke(who text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record; had text;
BEGIN
    IF NOT st_may_administer() THEN
        RAISE EXCEPTION 'safeguard-tracker: only the database owner or an admin may take roles away'
            USING ERRCODE = 'insufficient_privilege';
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

-- Who holds which role here, and whether the server agrees (a role given or taken by hand shows as such).
CREATE FUNCTION st_who() RETURNS TABLE (username text, kind text, agency text, granted_by text, granted_at timestamptz,
                                        member boolean)
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
                       WHERE g.rolname = (SELECT name FROM st_roles s WHERE s.kind = u.kind) AND l.rolname = u.username)
        FROM st_users u
        UNION ALL
        SELECT l.rolname::text, s.kind, NULL, NULL, NULL, true
        FROM st_roles s JOIN pg_roles g ON g.rolname = s.name JOIN pg_auth_members m ON m.roleid = g.oid
             JOIN pg_roles l ON l.oid = m.member
        WHERE NOT EXISTS (SELECT FROM st_users u WHERE u.username = l.rolname)
        ORDER BY 1;
END
$$;
REVOKE ALL ON FUNCTION st_grant(text, text, text), st_revoke(text), st_who() FROM PUBLIC;
DO $$
DECLARE base text := (SELECT name FROM st_roles WHERE kind = 'admin');
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION st_grant(text, text, text), st_revoke(text), st_who() TO %I', base);
END
$$;
