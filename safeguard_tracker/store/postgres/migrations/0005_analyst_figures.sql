-- safeguard-tracker server store, schema 5: the analyst's figures are the LADO's figures.
--
-- Until now the analyst's view of a contact held its dates, category and outcome only, so an analyst's
-- annual report counted no escalation, suspension, regulator referral, disciplinary outcome, source of
-- referral or repeat, and its deadlines took a held JEM for an overdue one: without a word.
--
-- Now the view also gives, from the record itself and by an allow-list kept here, its lists (category
-- decisions, meetings and their actions' dates, suspensions, regulator referrals, reopenings) by date and
-- kind, without their words.  What the report reads from free text comes from a column beside the record,
-- "figures", made by the login that saves it (safeguard_tracker/lado/figures.py): the disciplinary and
-- criminal classes, the referrer's organisation as the council's list names it, and the subject and the
-- employer as keyed pseudonyms.  The key is the store's own, readable by the owner and the lado role only,
-- so the analyst cannot try a name against a pseudonym.  The view passes on only values of those shapes,
-- and only while "figures_of" is the digest of the record as it is now: a record changed without its
-- figures (by hand, in SQL) shows none, and the analyst's report says how many lack them, until
-- `admin migrate` makes them again.

ALTER TABLE contacts ADD COLUMN figures json, ADD COLUMN figures_of text;

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

-- An item of a list, kept to ``keys``, with ``blanks`` (text the model needs, given blank).
CREATE FUNCTION st_kept(item json, keys text[], blanks json) RETURNS json
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(json_object_agg(k, v), '{}'::json) FROM (
        SELECT k, item -> k AS v FROM unnest(keys) AS k WHERE json_typeof(item) = 'object' AND item -> k IS NOT NULL
        UNION ALL
        SELECT b.key, b.value FROM json_each(blanks) AS b) AS kv
$$;
CREATE FUNCTION st_kept_list(list json, keys text[], blanks json) RETURNS json
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE WHEN json_typeof(list) = 'array' THEN
        (SELECT coalesce(json_agg(st_kept(e, keys, blanks) ORDER BY n), '[]'::json)
         FROM json_array_elements(list) WITH ORDINALITY AS t(e, n))
    ELSE '[]'::json END
$$;
-- A word of the figures, if it is one of the shape the report uses (a class, a pseudonym), else null.
CREATE FUNCTION st_word(value text, shape text) RETURNS json
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE WHEN value ~ shape THEN to_json(value) END
$$;

CREATE OR REPLACE VIEW st_contact_figures AS
    SELECT key, rev, seq, pos, received_on, year, category, agency, closed_on, due_on, status,
           json_build_object(
               'reference', doc -> 'reference', 'received_on', doc -> 'received_on', 'agency', doc -> 'agency',
               'category', doc -> 'category', 'harm', doc -> 'harm', 'threshold', doc -> 'threshold',
               'responded_on', doc -> 'responded_on', 'police_involved', doc -> 'police_involved',
               's47_strategy_on', doc -> 's47_strategy_on', 'outcome', doc -> 'outcome',
               'closed_on', doc -> 'closed_on', 'redacted_on', doc -> 'redacted_on', 'historic', doc -> 'historic',
               'children_count', doc -> 'children_count',
               'employer_report_requested_on', doc -> 'employer_report_requested_on',
               'employer_report_received_on', doc -> 'employer_report_received_on',
               'category_history', st_kept_list(doc -> 'category_history', ARRAY['on', 'kind', 'to', 'from'],
                                                '{"user": "", "rationale": ""}'),
               'meetings', (SELECT coalesce(json_agg(st_kept(m, ARRAY['kind', 'held_on'], json_build_object(
                                'actions', st_kept_list(m -> 'actions', ARRAY['due_on', 'done_on'],
                                                        '{"description": "", "owner": ""}'))) ORDER BY n), '[]')
                            FROM json_array_elements(CASE WHEN json_typeof(doc -> 'meetings') = 'array'
                                                          THEN doc -> 'meetings' ELSE '[]' END)
                                 WITH ORDINALITY AS t(m, n)),
               'suspension', st_kept_list(doc -> 'suspension', ARRAY['decision', 'on'], '{"rationale": ""}'),
               'regulator_referrals', st_kept_list(doc -> 'regulator_referrals', ARRAY['body', 'on'], '{}'),
               'reopenings', st_kept_list(doc -> 'reopenings', ARRAY['on', 'previous_outcome', 'previous_closed_on'],
                                          '{"user": "", "reason": ""}'),
               'figures', CASE WHEN figures_of = md5(doc::text) THEN json_build_object(
                   'person', coalesce(st_word(figures ->> 'person', '^[0-9a-f]{24}$'), '""'),
                   'employer', coalesce(st_word(figures ->> 'employer', '^[0-9a-f]{24}$'), '""'),
                   'source', json_build_object(
                       'blank', coalesce((figures -> 'source' ->> 'blank') = 'true', false),
                       'listed', to_json(left(figures -> 'source' ->> 'listed', 200)),
                       'sector', st_word(figures -> 'source' ->> 'sector', '^[a-z_]{1,40}$')),
                   'disciplinary', coalesce(st_word(figures ->> 'disciplinary', '^[a-z_]{1,40}$'), '"not_recorded"'),
                   'criminal', st_word(figures ->> 'criminal', '^[a-z_]{1,40}$')) END
           ) AS doc, authority
    FROM contacts WHERE st_sees(authority);
ALTER VIEW st_contact_figures SET (security_barrier = true);
