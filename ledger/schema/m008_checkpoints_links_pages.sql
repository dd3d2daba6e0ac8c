-- m008_checkpoints_links_pages: signed checkpoints as ledger rows; a proposal's link to the
-- proposal it takes a stance on and whether it has anything to check; a source's language and PDF page starts. Row format 3.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
ALTER TABLE [proposals] ADD COLUMN [stance_on] TEXT;
ALTER TABLE [proposals] ADD COLUMN [checkable] INTEGER;
ALTER TABLE [sources] ADD COLUMN [language] TEXT;
ALTER TABLE [sources] ADD COLUMN [pages] TEXT;
CREATE TABLE "checkpoints" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "origin" TEXT,
   "tree_size" INTEGER,
   "root_hash" TEXT,
   "note" TEXT,
   "verifier" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_checkpoints_seq" ON "checkpoints" ("seq");
CREATE TRIGGER [checkpoints_no_update] BEFORE UPDATE ON [checkpoints] BEGIN SELECT RAISE(ABORT, 'factledger: checkpoints is append-only; corrections are new rows'); END;
CREATE TRIGGER [checkpoints_no_delete] BEFORE DELETE ON [checkpoints] BEGIN SELECT RAISE(ABORT, 'factledger: checkpoints is append-only; corrections are new rows'); END;
CREATE TRIGGER [checkpoints_entry] AFTER INSERT ON [checkpoints] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'checkpoints', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [checkpoints_no_replace] BEFORE INSERT ON [checkpoints] WHEN EXISTS (SELECT 1 FROM [checkpoints] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [checkpoints] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: checkpoints already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
