-- m001_ledger_tables: Every ledger table with its chain columns, indexes and append-only triggers; the ledger_entries spine.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
CREATE TABLE ledger_entries (seq INTEGER PRIMARY KEY CHECK (seq > 0), tbl TEXT NOT NULL, row_id TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE);
CREATE TRIGGER [ledger_entries_no_update] BEFORE UPDATE ON [ledger_entries] BEGIN SELECT RAISE(ABORT, 'factledger: ledger_entries is append-only; corrections are new rows'); END;
CREATE TRIGGER [ledger_entries_no_delete] BEFORE DELETE ON [ledger_entries] BEGIN SELECT RAISE(ABORT, 'factledger: ledger_entries is append-only; corrections are new rows'); END;
CREATE TABLE "sources" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "path" TEXT,
   "title" TEXT,
   "publisher" TEXT,
   "author" TEXT,
   "url" TEXT,
   "published" TEXT,
   "retrieved" TEXT,
   "media_type" TEXT,
   "size_bytes" INTEGER,
   "raw_sha256" TEXT,
   "text_sha256" TEXT,
   "replaces" TEXT,
   "ingested_by" TEXT,
   "text" TEXT,
   "raw" BLOB,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_sources_seq"
    ON "sources" ("seq");
CREATE INDEX "idx_sources_path"
    ON "sources" ("path");
CREATE INDEX "idx_sources_raw_sha256"
    ON "sources" ("raw_sha256");
CREATE TRIGGER [sources_no_update] BEFORE UPDATE ON [sources] BEGIN SELECT RAISE(ABORT, 'factledger: sources is append-only; corrections are new rows'); END;
CREATE TRIGGER [sources_no_delete] BEFORE DELETE ON [sources] BEGIN SELECT RAISE(ABORT, 'factledger: sources is append-only; corrections are new rows'); END;
CREATE TRIGGER [sources_entry] AFTER INSERT ON [sources] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'sources', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "model_calls" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "model" TEXT,
   "resolved_model" TEXT,
   "api_base" TEXT,
   "prompt_name" TEXT,
   "prompt_hash" TEXT,
   "cache_key" TEXT,
   "request" TEXT,
   "response" TEXT,
   "input_tokens" INTEGER,
   "output_tokens" INTEGER,
   "cost" REAL,
   "duration_ms" INTEGER,
   "error" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_model_calls_seq"
    ON "model_calls" ("seq");
CREATE INDEX "idx_model_calls_cache_key"
    ON "model_calls" ("cache_key");
CREATE TRIGGER [model_calls_no_update] BEFORE UPDATE ON [model_calls] BEGIN SELECT RAISE(ABORT, 'factledger: model_calls is append-only; corrections are new rows'); END;
CREATE TRIGGER [model_calls_no_delete] BEFORE DELETE ON [model_calls] BEGIN SELECT RAISE(ABORT, 'factledger: model_calls is append-only; corrections are new rows'); END;
CREATE TRIGGER [model_calls_entry] AFTER INSERT ON [model_calls] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'model_calls', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "proposals" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "run_id" TEXT,
   "source_id" TEXT,
   "start" INTEGER,
   "end" INTEGER,
   "quote" TEXT,
   "prefix" TEXT,
   "suffix" TEXT,
   "claim" TEXT,
   "actor" TEXT,
   "stance" TEXT,
   "stated_on" TEXT,
   "rationale" TEXT,
   "anchoring" TEXT,
   "anchor_score" REAL,
   "proposer" TEXT,
   "proposer_version" TEXT,
   "model" TEXT,
   "prompt_name" TEXT,
   "prompt_hash" TEXT,
   "params" TEXT,
   "model_call_id" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_proposals_seq"
    ON "proposals" ("seq");
CREATE INDEX "idx_proposals_source_id"
    ON "proposals" ("source_id");
CREATE INDEX "idx_proposals_model_call_id"
    ON "proposals" ("model_call_id");
CREATE TRIGGER [proposals_no_update] BEFORE UPDATE ON [proposals] BEGIN SELECT RAISE(ABORT, 'factledger: proposals is append-only; corrections are new rows'); END;
CREATE TRIGGER [proposals_no_delete] BEFORE DELETE ON [proposals] BEGIN SELECT RAISE(ABORT, 'factledger: proposals is append-only; corrections are new rows'); END;
CREATE TRIGGER [proposals_entry] AFTER INSERT ON [proposals] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'proposals', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "claims" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "created_by" TEXT,
   "proposal_id" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_claims_seq"
    ON "claims" ("seq");
CREATE TRIGGER [claims_no_update] BEFORE UPDATE ON [claims] BEGIN SELECT RAISE(ABORT, 'factledger: claims is append-only; corrections are new rows'); END;
CREATE TRIGGER [claims_no_delete] BEFORE DELETE ON [claims] BEGIN SELECT RAISE(ABORT, 'factledger: claims is append-only; corrections are new rows'); END;
CREATE TRIGGER [claims_entry] AFTER INSERT ON [claims] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'claims', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "claim_versions" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "claim_id" TEXT,
   "version" INTEGER,
   "text" TEXT,
   "source_id" TEXT,
   "start" INTEGER,
   "end" INTEGER,
   "quote" TEXT,
   "prefix" TEXT,
   "suffix" TEXT,
   "reviewer" TEXT,
   "reason" TEXT,
   "proposal_id" TEXT,
   "decision_id" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_claim_versions_seq"
    ON "claim_versions" ("seq");
CREATE UNIQUE INDEX "idx_claim_versions_claim_id_version"
    ON "claim_versions" ("claim_id", "version");
CREATE TRIGGER [claim_versions_no_update] BEFORE UPDATE ON [claim_versions] BEGIN SELECT RAISE(ABORT, 'factledger: claim_versions is append-only; corrections are new rows'); END;
CREATE TRIGGER [claim_versions_no_delete] BEFORE DELETE ON [claim_versions] BEGIN SELECT RAISE(ABORT, 'factledger: claim_versions is append-only; corrections are new rows'); END;
CREATE TRIGGER [claim_versions_entry] AFTER INSERT ON [claim_versions] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'claim_versions', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "stance_events" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "claim_id" TEXT,
   "stance" TEXT,
   "actor" TEXT,
   "source_id" TEXT,
   "start" INTEGER,
   "end" INTEGER,
   "quote" TEXT,
   "prefix" TEXT,
   "suffix" TEXT,
   "stated_on" TEXT,
   "reviewer" TEXT,
   "note" TEXT,
   "proposal_id" TEXT,
   "decision_id" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_stance_events_seq"
    ON "stance_events" ("seq");
CREATE INDEX "idx_stance_events_claim_id"
    ON "stance_events" ("claim_id");
CREATE INDEX "idx_stance_events_actor"
    ON "stance_events" ("actor");
CREATE INDEX "idx_stance_events_stance"
    ON "stance_events" ("stance");
CREATE TRIGGER [stance_events_no_update] BEFORE UPDATE ON [stance_events] BEGIN SELECT RAISE(ABORT, 'factledger: stance_events is append-only; corrections are new rows'); END;
CREATE TRIGGER [stance_events_no_delete] BEFORE DELETE ON [stance_events] BEGIN SELECT RAISE(ABORT, 'factledger: stance_events is append-only; corrections are new rows'); END;
CREATE TRIGGER [stance_events_entry] AFTER INSERT ON [stance_events] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'stance_events', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "verdicts" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "claim_id" TEXT,
   "verdict" TEXT,
   "note" TEXT,
   "reviewer" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_verdicts_seq"
    ON "verdicts" ("seq");
CREATE INDEX "idx_verdicts_claim_id"
    ON "verdicts" ("claim_id");
CREATE TRIGGER [verdicts_no_update] BEFORE UPDATE ON [verdicts] BEGIN SELECT RAISE(ABORT, 'factledger: verdicts is append-only; corrections are new rows'); END;
CREATE TRIGGER [verdicts_no_delete] BEFORE DELETE ON [verdicts] BEGIN SELECT RAISE(ABORT, 'factledger: verdicts is append-only; corrections are new rows'); END;
CREATE TRIGGER [verdicts_entry] AFTER INSERT ON [verdicts] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'verdicts', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "status_changes" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "claim_id" TEXT,
   "status" TEXT,
   "successor_id" TEXT,
   "reason" TEXT,
   "reviewer" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_status_changes_seq"
    ON "status_changes" ("seq");
CREATE INDEX "idx_status_changes_claim_id"
    ON "status_changes" ("claim_id");
CREATE INDEX "idx_status_changes_successor_id"
    ON "status_changes" ("successor_id");
CREATE TRIGGER [status_changes_no_update] BEFORE UPDATE ON [status_changes] BEGIN SELECT RAISE(ABORT, 'factledger: status_changes is append-only; corrections are new rows'); END;
CREATE TRIGGER [status_changes_no_delete] BEFORE DELETE ON [status_changes] BEGIN SELECT RAISE(ABORT, 'factledger: status_changes is append-only; corrections are new rows'); END;
CREATE TRIGGER [status_changes_entry] AFTER INSERT ON [status_changes] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'status_changes', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TABLE "decisions" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "proposal_id" TEXT,
   "action" TEXT,
   "reviewer" TEXT,
   "reason" TEXT,
   "changes" TEXT,
   "claim_id" TEXT,
   "reverses" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_decisions_seq"
    ON "decisions" ("seq");
CREATE INDEX "idx_decisions_proposal_id"
    ON "decisions" ("proposal_id");
CREATE INDEX "idx_decisions_claim_id"
    ON "decisions" ("claim_id");
CREATE TRIGGER [decisions_no_update] BEFORE UPDATE ON [decisions] BEGIN SELECT RAISE(ABORT, 'factledger: decisions is append-only; corrections are new rows'); END;
CREATE TRIGGER [decisions_no_delete] BEFORE DELETE ON [decisions] BEGIN SELECT RAISE(ABORT, 'factledger: decisions is append-only; corrections are new rows'); END;
CREATE TRIGGER [decisions_entry] AFTER INSERT ON [decisions] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'decisions', NEW.id, NEW.prev_hash, NEW.hash); END;
