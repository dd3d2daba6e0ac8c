-- m009_team_review: team review as ledger rows: assignments of proposals to reviewers, their
-- votes, settlements (agreed or adjudicated), settings, held changes awaiting a second reviewer and
-- their confirmations. Row format 3. Literal DDL, as this migration first ran: never edit it; add
-- a new migration instead.
CREATE TABLE "assignments" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "proposal_id" TEXT,
   "reviewer" TEXT,
   "batch" TEXT,
   "assigned_by" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_assignments_seq" ON "assignments" ("seq");
CREATE TRIGGER [assignments_no_update] BEFORE UPDATE ON [assignments] BEGIN SELECT RAISE(ABORT, 'factledger: assignments is append-only; corrections are new rows'); END;
CREATE TRIGGER [assignments_no_delete] BEFORE DELETE ON [assignments] BEGIN SELECT RAISE(ABORT, 'factledger: assignments is append-only; corrections are new rows'); END;
CREATE TRIGGER [assignments_entry] AFTER INSERT ON [assignments] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'assignments', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [assignments_no_replace] BEFORE INSERT ON [assignments] WHEN EXISTS (SELECT 1 FROM [assignments] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [assignments] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: assignments already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
CREATE TABLE "votes" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "proposal_id" TEXT,
   "reviewer" TEXT,
   "action" TEXT,
   "claim" TEXT,
   "actor" TEXT,
   "stance" TEXT,
   "quote" TEXT,
   "reason" TEXT,
   "confirm_quote" INTEGER,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_votes_seq" ON "votes" ("seq");
CREATE TRIGGER [votes_no_update] BEFORE UPDATE ON [votes] BEGIN SELECT RAISE(ABORT, 'factledger: votes is append-only; corrections are new rows'); END;
CREATE TRIGGER [votes_no_delete] BEFORE DELETE ON [votes] BEGIN SELECT RAISE(ABORT, 'factledger: votes is append-only; corrections are new rows'); END;
CREATE TRIGGER [votes_entry] AFTER INSERT ON [votes] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'votes', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [votes_no_replace] BEFORE INSERT ON [votes] WHEN EXISTS (SELECT 1 FROM [votes] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [votes] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: votes already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
CREATE TABLE "settlements" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "proposal_id" TEXT,
   "decision_id" TEXT,
   "how" TEXT,
   "reviewer" TEXT,
   "votes" TEXT,
   "upheld" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_settlements_seq" ON "settlements" ("seq");
CREATE TRIGGER [settlements_no_update] BEFORE UPDATE ON [settlements] BEGIN SELECT RAISE(ABORT, 'factledger: settlements is append-only; corrections are new rows'); END;
CREATE TRIGGER [settlements_no_delete] BEFORE DELETE ON [settlements] BEGIN SELECT RAISE(ABORT, 'factledger: settlements is append-only; corrections are new rows'); END;
CREATE TRIGGER [settlements_entry] AFTER INSERT ON [settlements] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'settlements', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [settlements_no_replace] BEFORE INSERT ON [settlements] WHEN EXISTS (SELECT 1 FROM [settlements] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [settlements] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: settlements already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
CREATE TABLE "settings" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "name" TEXT,
   "value" TEXT,
   "reviewer" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_settings_seq" ON "settings" ("seq");
CREATE TRIGGER [settings_no_update] BEFORE UPDATE ON [settings] BEGIN SELECT RAISE(ABORT, 'factledger: settings is append-only; corrections are new rows'); END;
CREATE TRIGGER [settings_no_delete] BEFORE DELETE ON [settings] BEGIN SELECT RAISE(ABORT, 'factledger: settings is append-only; corrections are new rows'); END;
CREATE TRIGGER [settings_entry] AFTER INSERT ON [settings] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'settings', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [settings_no_replace] BEFORE INSERT ON [settings] WHEN EXISTS (SELECT 1 FROM [settings] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [settings] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: settings already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
CREATE TABLE "holds" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "claim_id" TEXT,
   "kind" TEXT,
   "value" TEXT,
   "successor_id" TEXT,
   "note" TEXT,
   "reviewer" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_holds_seq" ON "holds" ("seq");
CREATE TRIGGER [holds_no_update] BEFORE UPDATE ON [holds] BEGIN SELECT RAISE(ABORT, 'factledger: holds is append-only; corrections are new rows'); END;
CREATE TRIGGER [holds_no_delete] BEFORE DELETE ON [holds] BEGIN SELECT RAISE(ABORT, 'factledger: holds is append-only; corrections are new rows'); END;
CREATE TRIGGER [holds_entry] AFTER INSERT ON [holds] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'holds', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [holds_no_replace] BEFORE INSERT ON [holds] WHEN EXISTS (SELECT 1 FROM [holds] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [holds] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: holds already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
CREATE TABLE "confirmations" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "hold_id" TEXT,
   "reviewer" TEXT,
   "effect_id" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_confirmations_seq" ON "confirmations" ("seq");
CREATE TRIGGER [confirmations_no_update] BEFORE UPDATE ON [confirmations] BEGIN SELECT RAISE(ABORT, 'factledger: confirmations is append-only; corrections are new rows'); END;
CREATE TRIGGER [confirmations_no_delete] BEFORE DELETE ON [confirmations] BEGIN SELECT RAISE(ABORT, 'factledger: confirmations is append-only; corrections are new rows'); END;
CREATE TRIGGER [confirmations_entry] AFTER INSERT ON [confirmations] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'confirmations', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [confirmations_no_replace] BEFORE INSERT ON [confirmations] WHEN EXISTS (SELECT 1 FROM [confirmations] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [confirmations] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: confirmations already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
CREATE INDEX "idx_assignments_proposal" ON "assignments" ("proposal_id", "seq");
CREATE INDEX "idx_votes_proposal" ON "votes" ("proposal_id", "seq");
CREATE INDEX "idx_settlements_proposal" ON "settlements" ("proposal_id", "seq");
CREATE INDEX "idx_holds_claim" ON "holds" ("claim_id", "seq");
CREATE INDEX "idx_confirmations_hold" ON "confirmations" ("hold_id");
