-- safeguard-tracker server store, schema 4: what an attacker with a SQL client found.
--
-- 1. A function reads the store's own tables, never a login's temporary table of the same name: every
--    function of the store searches pg_catalog, then public, then pg_temp (PostgreSQL searches pg_temp
--    first unless the path names it last), and logins may not make temporary tables here.
-- 2. The analyst's views are security barriers: no function of the caller's runs on a row the view's own
--    condition leaves out.
-- 3. A partner's change of an action is its document's progress updates and evidence, in its own name:
--    the key, the authority and the numbering are not its to change, and another's update stays as it was.
-- 4. A redaction only blanks: a rewrite of the trail may turn a text into [redacted] or a date into nothing,
--    never write a new value; and a redacted record stays redacted.
-- 5. A trail entry is about a record that exists, and says in its document what its columns say.
-- 6. The owner of the store (and a superuser) is given no role: a role would hold the owner to it.
-- 7. An authority's admin reads its own authority's logins and grants only.

-- 2. ---------------------------------------------------------------------------------------------------------
ALTER VIEW st_contact_figures SET (security_barrier = true);
ALTER VIEW st_action_figures SET (security_barrier = true);

-- 3. ---------------------------------------------------------------------------------------------------------
DO $$
DECLARE partner text := (SELECT name FROM st_roles WHERE kind = 'partner');
BEGIN
    EXECUTE format('REVOKE UPDATE ON actions FROM %I', partner);
    EXECUTE format('GRANT UPDATE (doc, rev, seq) ON actions TO %I', partner);
END
$$;

-- (A partner's UPDATE right is now on those columns: its right to write what it changed still counts.)
CREATE OR REPLACE FUNCTION st_may_write(tbl text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT tbl IN ('contacts', 'reviews', 'actions', 'settings')
           AND (has_table_privilege(current_user, tbl, 'INSERT') OR has_any_column_privilege(current_user, tbl, 'UPDATE'))
$$;

CREATE OR REPLACE FUNCTION st_partner_fields() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_updates jsonb;
    new_updates jsonb;
    i integer;
BEGIN
    IF st_my_kind() IS DISTINCT FROM 'partner' THEN
        RETURN NEW;
    END IF;
    IF (OLD.doc::jsonb - ARRAY['updates', 'evidence', 'impact_measure', 'status'])
           IS DISTINCT FROM (NEW.doc::jsonb - ARRAY['updates', 'evidence', 'impact_measure', 'status'])
       OR (OLD.doc ->> 'status' IS DISTINCT FROM NEW.doc ->> 'status'
           AND NOT (OLD.doc ->> 'status' = 'not_started' AND NEW.doc ->> 'status' = 'in_progress')) THEN
        RAISE EXCEPTION 'safeguard-tracker: a partner may add progress updates and evidence to an action, nothing else'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.key IS DISTINCT FROM OLD.key OR NEW.authority IS DISTINCT FROM OLD.authority
       OR NEW.rev IS DISTINCT FROM OLD.rev + 1 OR NEW.seq <= OLD.seq
       OR NEW.seq > (SELECT last_seq FROM st_state WHERE id = 1) + 1 THEN
        RAISE EXCEPTION 'safeguard-tracker: a partner changes an action''s document, its next revision, in its turn'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    old_updates := coalesce(OLD.doc::jsonb -> 'updates', '[]'::jsonb);
    new_updates := coalesce(NEW.doc::jsonb -> 'updates', '[]'::jsonb);
    IF jsonb_typeof(old_updates) <> 'array' OR jsonb_typeof(new_updates) <> 'array'
       OR jsonb_array_length(new_updates) < jsonb_array_length(old_updates) THEN
        RAISE EXCEPTION 'safeguard-tracker: a partner adds progress updates; it removes none'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR i IN 0 .. jsonb_array_length(old_updates) - 1 LOOP
        IF new_updates -> i IS DISTINCT FROM old_updates -> i THEN
            RAISE EXCEPTION 'safeguard-tracker: a partner adds progress updates; another''s stays as written'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    FOR i IN jsonb_array_length(old_updates) .. jsonb_array_length(new_updates) - 1 LOOP
        IF new_updates -> i ->> 'by' IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'safeguard-tracker: a partner''s progress update is in its own name (%)', session_user
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

-- (3, at the commit.) A partner's change of an action is a transaction of the store's own: by the commit, this
-- transaction has written the row of st_transactions for the action's new number and a trail entry about the
-- action under it, so that no change goes unrecorded in the history, nor unseen by the others' screens.
CREATE FUNCTION st_partner_change_recorded() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE mine bigint := pg_current_xact_id()::text::bigint & 4294967295;
BEGIN
    IF st_my_kind() IS DISTINCT FROM 'partner' THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT FROM st_transactions WHERE seq = NEW.seq AND xmin::text::bigint = mine)
       OR NOT EXISTS (SELECT FROM audit WHERE seq = NEW.seq AND tbl = 'actions' AND ref = NEW.key
                                          AND xmin::text::bigint = mine) THEN
        RAISE EXCEPTION 'safeguard-tracker: a partner''s change of % is recorded as the store''s own transaction '
                        '(its row of st_transactions and its trail entry), as the tool records it', NEW.key
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER actions_partner_change_recorded AFTER UPDATE ON actions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION st_partner_change_recorded();

-- 4. ---------------------------------------------------------------------------------------------------------
-- Is ``after`` ``before`` with some texts blanked as a redaction blanks them ([redacted], or nothing for a
-- date), the shape and every other value unchanged?
CREATE FUNCTION st_only_blanked(before jsonb, after jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    k text;
    i integer;
BEGIN
    IF before IS NOT DISTINCT FROM after THEN
        RETURN true;
    END IF;
    IF jsonb_typeof(before) = 'string' THEN
        RETURN after = '"[redacted]"'::jsonb OR after = 'null'::jsonb OR after = '""'::jsonb;
    END IF;
    IF jsonb_typeof(before) = 'object' AND jsonb_typeof(after) = 'object' THEN
        IF (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(before) AS x)
           IS DISTINCT FROM (SELECT array_agg(x ORDER BY x) FROM jsonb_object_keys(after) AS x) THEN
            RETURN false;
        END IF;
        FOR k IN SELECT jsonb_object_keys(before) LOOP
            IF NOT st_only_blanked(before -> k, after -> k) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    END IF;
    IF jsonb_typeof(before) = 'array' AND jsonb_typeof(after) = 'array'
       AND jsonb_array_length(before) = jsonb_array_length(after) THEN
        FOR i IN 0 .. jsonb_array_length(before) - 1 LOOP
            IF NOT st_only_blanked(before -> i, after -> i) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    END IF;
    RETURN false;
END
$$;

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
           AND NEW.entry ->> 'field' IS NOT DISTINCT FROM OLD.entry ->> 'field'
           AND st_only_blanked(OLD.entry::jsonb, NEW.entry::jsonb) THEN
            RETURN NEW;   -- a redaction of this record: its values blanked, nothing else
        END IF;
    END IF;
    RAISE EXCEPTION 'safeguard-tracker: % is insert-only: an entry is never changed or removed%', TG_TABLE_NAME,
                    CASE WHEN TG_TABLE_NAME = 'audit' THEN ' (a redaction only blanks its values)' ELSE '' END
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION st_redaction_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.doc ->> 'redacted_on' IS NOT NULL AND NEW.doc ->> 'redacted_on' IS DISTINCT FROM OLD.doc ->> 'redacted_on'
       AND NOT st_is_owner() THEN
        RAISE EXCEPTION 'safeguard-tracker: % was redacted on %, and stays redacted', OLD.key, OLD.doc ->> 'redacted_on'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_redaction_kept BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION st_redaction_kept();
CREATE TRIGGER reviews_redaction_kept BEFORE UPDATE ON reviews FOR EACH ROW EXECUTE FUNCTION st_redaction_kept();
CREATE TRIGGER actions_redaction_kept BEFORE UPDATE ON actions FOR EACH ROW EXECUTE FUNCTION st_redaction_kept();

-- 5. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION st_entry_authority() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE found text;
BEGIN
    IF NEW.tbl IN ('contacts', 'reviews', 'actions') THEN
        EXECUTE format('SELECT authority FROM %I WHERE key = $1', NEW.tbl) INTO found USING NEW.ref;
    ELSIF NEW.tbl = 'settings' THEN
        found := '';
    END IF;
    IF NOT st_is_owner() THEN
        IF found IS NULL THEN
            RAISE EXCEPTION 'safeguard-tracker: a trail entry is about a record the store holds (% % is not)',
                NEW.tbl, NEW.ref USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.id <= 0 OR NEW.entry ->> 'at' IS DISTINCT FROM NEW.at OR NEW.entry ->> 'ref' IS DISTINCT FROM NEW.ref
           OR NEW.entry ->> 'field' IS DISTINCT FROM NEW.field THEN
            RAISE EXCEPTION 'safeguard-tracker: a trail entry says in its document what its columns say'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    NEW.authority := coalesce(found, NEW.authority);
    RETURN NEW;
END
$$;

-- 6. ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION st_grant(who text, wanted text, agency text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER AS $$
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
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = who AND rolsuper)
       OR pg_has_role(who, (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'st_state'),
                      'MEMBER') THEN
        RAISE EXCEPTION 'safeguard-tracker: % owns this store (or is a superuser): it needs no role, and is given none',
            who USING ERRCODE = 'insufficient_privilege';
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
    INSERT INTO st_grant_log (by_user, action, username, kind, agency, authority)
        VALUES (session_user, 'grant', who, wanted, agency, st_my_authority());
END
$$;

-- 7. ---------------------------------------------------------------------------------------------------------
ALTER TABLE st_grant_log ADD COLUMN authority text;    -- the granting admin's authority (none: the network's)
CREATE OR REPLACE FUNCTION st_revoke(who text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER AS $$
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
        INSERT INTO st_grant_log (by_user, action, username, kind, authority)
            VALUES (session_user, 'revoke', who, had, st_my_authority());
    END IF;
    RETURN had IS NOT NULL;
END
$$;
ALTER TABLE st_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE st_grant_log ENABLE ROW LEVEL SECURITY;
DO $$
DECLARE admin text := (SELECT name FROM st_roles WHERE kind = 'admin');
BEGIN
    EXECUTE format('CREATE POLICY st_users_admin ON st_users FOR SELECT TO %I '
                   'USING (st_my_authority() IS NULL OR authority = st_my_authority())', admin);
    EXECUTE format('CREATE POLICY st_grant_log_admin ON st_grant_log FOR SELECT TO %I '
                   'USING (st_my_authority() IS NULL OR authority = st_my_authority() '
                   'OR username IN (SELECT username FROM st_users))', admin);
END
$$;

-- 8. A login given a store role by hand (GRANT outside the tool, or a membership kept through a restore) has
--    no row in st_users.  It was taken for the owner by every check that asked "no role row?", and for the
--    network in a region.  The owner is now asked for as such (st_is_owner); a login given a role by hand
--    is held to that role's rules (an admin's only through a proper grant), and in a store of several
--    authorities belongs to none, so it sees no authority's records and adds none until granted properly.
CREATE FUNCTION st_is_owner() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
           OR pg_has_role(session_user, (SELECT tableowner FROM pg_tables
                                         WHERE schemaname = 'public' AND tablename = 'st_state'), 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION st_my_kind() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT coalesce(
        (SELECT kind FROM st_users WHERE username = session_user),
        CASE WHEN NOT st_is_owner() THEN
            coalesce((SELECT kind FROM st_roles
                      WHERE kind <> 'admin' AND pg_has_role(session_user, name, 'MEMBER')
                      ORDER BY array_position(ARRAY['partner', 'analyst', 'subgroup', 'lado'], kind) LIMIT 1),
                     'none')
        END)
$$;

CREATE OR REPLACE FUNCTION st_my_authority() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT CASE
        WHEN EXISTS (SELECT FROM st_users WHERE username = session_user)
            THEN (SELECT authority FROM st_users WHERE username = session_user)
        WHEN st_is_owner() OR (SELECT count(*) FROM st_authorities) < 2 THEN NULL
        ELSE '(given by hand)'
    END
$$;

CREATE OR REPLACE FUNCTION st_record_authority() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.authority = '' AND (SELECT count(*) FROM st_authorities) > 1 THEN
        RAISE EXCEPTION 'safeguard-tracker: this store holds several authorities: say which one the record '
                        'belongs to (--authority CODE)' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NEW.authority <> '' AND NOT EXISTS (SELECT FROM st_authorities WHERE code = NEW.authority) THEN
        RAISE EXCEPTION 'safeguard-tracker: a record belongs to one of the store''s authorities, and % is not one '
                        '(a login given its role by hand belongs to none: grant it with admin grant)', NEW.authority
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

-- 1. (last: every function, those above too) -------------------------------------------------------------------
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND p.proname LIKE 'st\_%' AND p.provolatile <> 'i' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, public, pg_temp', f.signature);
    END LOOP;
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
