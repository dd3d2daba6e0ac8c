-- m003_reader_tables: The current_claims and stances views become derived tables kept by triggers.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
DROP VIEW current_claims;
DROP VIEW stances;
CREATE TABLE current_claims (claim_id TEXT PRIMARY KEY, version INTEGER, claim TEXT, status TEXT, superseded_by TEXT, verdict TEXT, stance_summary TEXT, source_id TEXT, source_title TEXT, publisher TEXT, quote TEXT, created_by TEXT, created_at TEXT, search_rowid INTEGER);
CREATE TABLE stances (stance_id TEXT PRIMARY KEY, claim_id TEXT, stance TEXT, actor TEXT, status TEXT, quote TEXT, stated_on TEXT, source_id TEXT, source_title TEXT, publisher TEXT, reviewer TEXT, proposal_id TEXT, recorded_at TEXT, stance_rowid INTEGER);
CREATE INDEX idx_current_claims_verdict ON current_claims (verdict, claim_id);
CREATE INDEX idx_current_claims_status ON current_claims (status, claim_id);
CREATE INDEX idx_current_claims_publisher ON current_claims (publisher, claim_id);
CREATE INDEX idx_current_claims_source_id ON current_claims (source_id, claim_id);
CREATE INDEX idx_stances_claim_id ON stances (claim_id, stance_id);
CREATE INDEX idx_stances_actor ON stances (actor, stance_id);
CREATE INDEX idx_stances_stance ON stances (stance, stance_id);
CREATE INDEX idx_stances_publisher ON stances (publisher, stance_id);
CREATE INDEX idx_stances_source_id ON stances (source_id, stance_id);
CREATE INDEX idx_current_claims_search ON current_claims (search_rowid);
CREATE INDEX idx_stances_search ON stances (stance_rowid);
CREATE TRIGGER claim_versions_readers AFTER INSERT ON claim_versions BEGIN INSERT OR REPLACE INTO current_claims (claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, source_title, publisher, quote, created_by, created_at, search_rowid) 
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          (SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND (e.decision_id IS NULL OR e.decision_id NOT IN (SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first)),
          v.source_id, src.title, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id
        WHERE c.id = NEW.claim_id;  END;
CREATE TRIGGER stance_events_readers AFTER INSERT ON stance_events BEGIN INSERT OR REPLACE INTO current_claims (claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, source_title, publisher, quote, created_by, created_at, search_rowid) 
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          (SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND (e.decision_id IS NULL OR e.decision_id NOT IN (SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first)),
          v.source_id, src.title, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id
        WHERE c.id = NEW.claim_id; INSERT INTO stances (stance_id, claim_id, stance, actor, status, quote, stated_on, source_id, source_title, publisher, reviewer, proposal_id, recorded_at, stance_rowid) SELECT NEW.id, NEW.claim_id, NEW.stance, NEW.actor, NEW.stance || ' by ' || NEW.actor, NEW.quote, NEW.stated_on, NEW.source_id, src.title, src.publisher, NEW.reviewer, NEW.proposal_id, NEW.recorded_at, NEW.rowid FROM sources src WHERE src.id = NEW.source_id; END;
CREATE TRIGGER verdicts_readers AFTER INSERT ON verdicts BEGIN INSERT OR REPLACE INTO current_claims (claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, source_title, publisher, quote, created_by, created_at, search_rowid) 
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          (SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND (e.decision_id IS NULL OR e.decision_id NOT IN (SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first)),
          v.source_id, src.title, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id
        WHERE c.id = NEW.claim_id;  END;
CREATE TRIGGER status_changes_readers AFTER INSERT ON status_changes BEGIN INSERT OR REPLACE INTO current_claims (claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, source_title, publisher, quote, created_by, created_at, search_rowid) 
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          (SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND (e.decision_id IS NULL OR e.decision_id NOT IN (SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first)),
          v.source_id, src.title, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id
        WHERE c.id = NEW.claim_id;  END;
CREATE TRIGGER decisions_readers AFTER INSERT ON decisions WHEN NEW.action = 'undo' AND NEW.claim_id IS NOT NULL BEGIN INSERT OR REPLACE INTO current_claims (claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, source_title, publisher, quote, created_by, created_at, search_rowid) 
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          (SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND (e.decision_id IS NULL OR e.decision_id NOT IN (SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first)),
          v.source_id, src.title, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id
        WHERE c.id = NEW.claim_id; END;
DELETE FROM current_claims;
DELETE FROM stances;
INSERT INTO current_claims (claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, source_title, publisher, quote, created_by, created_at, search_rowid) 
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          (SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND (e.decision_id IS NULL OR e.decision_id NOT IN (SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first)),
          v.source_id, src.title, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id;
INSERT INTO stances (stance_id, claim_id, stance, actor, status, quote, stated_on, source_id, source_title, publisher, reviewer, proposal_id, recorded_at, stance_rowid) SELECT e.id, e.claim_id, e.stance, e.actor, e.stance || ' by ' || e.actor, e.quote, e.stated_on, e.source_id, src.title, src.publisher, e.reviewer, e.proposal_id, e.recorded_at, e.rowid FROM stance_events e JOIN sources src ON src.id = e.source_id;
