-- m002_reader_views_and_search: Views a reader needs, and full-text search over claims and quotes (derived).
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
CREATE VIEW "current_claims" AS SELECT c.id AS claim_id, v.version, v.text AS claim,
          coalesce((SELECT status FROM status_changes s WHERE s.claim_id = c.id
                    ORDER BY s.seq DESC LIMIT 1), 'active') AS status,
          (SELECT successor_id FROM status_changes s WHERE s.claim_id = c.id
           ORDER BY s.seq DESC LIMIT 1) AS superseded_by,
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed') AS verdict,
          (SELECT group_concat(stance || ' by ' || actor, '; ') FROM stance_events e
           WHERE e.claim_id = c.id) AS stance_summary,
          v.source_id, src.title AS source_title, src.publisher, v.quote,
          c.created_by, c.recorded_at AS created_at, v.rowid AS search_rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id;
CREATE VIEW "stances" AS SELECT e.id AS stance_id, e.claim_id, e.stance, e.actor,
          e.stance || ' by ' || e.actor AS status, e.quote, e.stated_on,
          e.source_id, src.title AS source_title, src.publisher, e.reviewer, e.proposal_id,
          e.recorded_at, e.rowid AS stance_rowid
        FROM stance_events e JOIN sources src ON src.id = e.source_id;
CREATE VIEW "source_list" AS SELECT id, title, publisher, author, url, published, retrieved, media_type, path,
          size_bytes, raw_sha256, text_sha256, replaces, ingested_by, recorded_at
        FROM sources;
CREATE VIEW "proposal_decisions" AS SELECT p.id AS proposal_id, p.source_id, p.claim, p.actor, p.stance, p.quote, p.anchoring,
          p.anchor_score, p.proposer, p.model, p.prompt_name, p.model_call_id,
          d.action AS decision, d.reviewer, d.reason, d.claim_id, d.recorded_at AS decided_at
        FROM proposals p LEFT JOIN decisions d ON d.id = (
          SELECT x.id FROM decisions x WHERE x.proposal_id = p.id AND x.action != 'undo'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.reverses = x.id)
          ORDER BY x.seq DESC LIMIT 1);
CREATE VIRTUAL TABLE "claim_versions_fts" USING FTS5 (
    "text", "quote",
    content="claim_versions"
);
INSERT INTO "claim_versions_fts" (rowid, "text", "quote")
    SELECT rowid, "text", "quote" FROM "claim_versions";
CREATE TRIGGER "claim_versions_ai" AFTER INSERT ON "claim_versions" BEGIN
  INSERT INTO "claim_versions_fts" (rowid, "text", "quote") VALUES (new.rowid, new."text", new."quote");
END;
CREATE TRIGGER "claim_versions_ad" AFTER DELETE ON "claim_versions" BEGIN
  INSERT INTO "claim_versions_fts" ("claim_versions_fts", rowid, "text", "quote") VALUES('delete', old.rowid, old."text", old."quote");
END;
CREATE TRIGGER "claim_versions_au" AFTER UPDATE ON "claim_versions" BEGIN
  INSERT INTO "claim_versions_fts" ("claim_versions_fts", rowid, "text", "quote") VALUES('delete', old.rowid, old."text", old."quote");
  INSERT INTO "claim_versions_fts" (rowid, "text", "quote") VALUES (new.rowid, new."text", new."quote");
END;
CREATE VIRTUAL TABLE "stance_events_fts" USING FTS5 (
    "actor", "quote",
    content="stance_events"
);
INSERT INTO "stance_events_fts" (rowid, "actor", "quote")
    SELECT rowid, "actor", "quote" FROM "stance_events";
CREATE TRIGGER "stance_events_ai" AFTER INSERT ON "stance_events" BEGIN
  INSERT INTO "stance_events_fts" (rowid, "actor", "quote") VALUES (new.rowid, new."actor", new."quote");
END;
CREATE TRIGGER "stance_events_ad" AFTER DELETE ON "stance_events" BEGIN
  INSERT INTO "stance_events_fts" ("stance_events_fts", rowid, "actor", "quote") VALUES('delete', old.rowid, old."actor", old."quote");
END;
CREATE TRIGGER "stance_events_au" AFTER UPDATE ON "stance_events" BEGIN
  INSERT INTO "stance_events_fts" ("stance_events_fts", rowid, "actor", "quote") VALUES('delete', old.rowid, old."actor", old."quote");
  INSERT INTO "stance_events_fts" (rowid, "actor", "quote") VALUES (new.rowid, new."actor", new."quote");
END;
