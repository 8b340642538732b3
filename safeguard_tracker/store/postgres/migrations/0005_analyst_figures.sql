-- safeguard-tracker server store, schema 5: the analyst's figures are the LADO's figures.
--
-- Until now the analyst's view of a contact held its dates, category and outcome only, so an analyst's
-- annual report counted no escalation, suspension, regulator referral, disciplinary outcome, source of
-- referral or repeat: zeros, without a word.  Now each contact carries a "figures" document beside it,
-- made by the login that saves it (safeguard_tracker/lado/figures.py): the facts the statistics count,
-- free text already read into its classes, and the subject and employer as keyed pseudonyms.  The key is
-- the store's own, readable by the owner and the lado role only, so the analyst cannot try a name
-- against a pseudonym.  A contact whose document changes without its figures (by hand, in SQL) loses
-- them, and the analyst's report says how many it lacks; `admin migrate` makes the missing ones.

ALTER TABLE contacts ADD COLUMN figures json;

CREATE TABLE st_figures_key (
    id  integer PRIMARY KEY CHECK (id = 1),
    key text NOT NULL
);
INSERT INTO st_figures_key (id, key) VALUES (1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
REVOKE ALL ON st_figures_key FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT SELECT ON st_figures_key TO %I', (SELECT name FROM st_roles WHERE kind = 'lado'));
END
$$;

CREATE FUNCTION st_figures_follow() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.doc::text IS DISTINCT FROM OLD.doc::text AND NEW.figures::text IS NOT DISTINCT FROM OLD.figures::text THEN
        NEW.figures := NULL;     -- changed without its figures: none, rather than figures of what it was
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_figures_follow BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION st_figures_follow();

CREATE OR REPLACE VIEW st_contact_figures AS
    SELECT key, rev, seq, pos, received_on, year, category, agency, closed_on, due_on, status,
           coalesce(figures, json_build_object(
               'reference', doc -> 'reference', 'received_on', doc -> 'received_on', 'agency', doc -> 'agency',
               'category', doc -> 'category', 'harm', doc -> 'harm', 'threshold', doc -> 'threshold',
               'responded_on', doc -> 'responded_on', 'police_involved', doc -> 'police_involved',
               's47_strategy_on', doc -> 's47_strategy_on', 'outcome', doc -> 'outcome',
               'closed_on', doc -> 'closed_on', 'redacted_on', doc -> 'redacted_on', 'historic', doc -> 'historic',
               'children_count', doc -> 'children_count', 'figures', NULL
           )) AS doc, authority
    FROM contacts WHERE st_sees(authority);
ALTER VIEW st_contact_figures SET (security_barrier = true);
