-- m007_row_format_2: each row records its hash format; attestations chain what format 1 left out.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
ALTER TABLE [sources] ADD COLUMN [format] INTEGER;
ALTER TABLE [model_calls] ADD COLUMN [format] INTEGER;
ALTER TABLE [proposals] ADD COLUMN [format] INTEGER;
ALTER TABLE [claims] ADD COLUMN [format] INTEGER;
ALTER TABLE [claim_versions] ADD COLUMN [format] INTEGER;
ALTER TABLE [stance_events] ADD COLUMN [format] INTEGER;
ALTER TABLE [verdicts] ADD COLUMN [format] INTEGER;
ALTER TABLE [status_changes] ADD COLUMN [format] INTEGER;
ALTER TABLE [decisions] ADD COLUMN [format] INTEGER;
CREATE TABLE "attestations" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "from_format" INTEGER,
   "through_seq" INTEGER,
   "rows" INTEGER,
   "fields" TEXT,
   "digest" TEXT,
   "seq" INTEGER NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL,
   "recorded_at" TEXT NOT NULL,
   "format" INTEGER
);
CREATE UNIQUE INDEX "idx_attestations_seq" ON "attestations" ("seq");
CREATE TRIGGER [attestations_no_update] BEFORE UPDATE ON [attestations] BEGIN SELECT RAISE(ABORT, 'factledger: attestations is append-only; corrections are new rows'); END;
CREATE TRIGGER [attestations_no_delete] BEFORE DELETE ON [attestations] BEGIN SELECT RAISE(ABORT, 'factledger: attestations is append-only; corrections are new rows'); END;
CREATE TRIGGER [attestations_entry] AFTER INSERT ON [attestations] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id, prev_hash, hash) VALUES (NEW.seq, 'attestations', NEW.id, NEW.prev_hash, NEW.hash); END;
CREATE TRIGGER [attestations_no_replace] BEFORE INSERT ON [attestations] WHEN EXISTS (SELECT 1 FROM [attestations] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM [attestations] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: attestations already holds this id or seq; the ledger is append-only, corrections are new rows'); END;
-- One row per attested field set: the digest of what format 1 left out of one row's hash.
-- Not chained row by row: the attestation's digest covers this table, in seq order.
CREATE TABLE attested_fields (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL, digest TEXT NOT NULL, attestation_id TEXT NOT NULL);
CREATE TRIGGER [attested_fields_no_update] BEFORE UPDATE ON [attested_fields] BEGIN SELECT RAISE(ABORT, 'factledger: attested_fields is append-only; corrections are new rows'); END;
CREATE TRIGGER [attested_fields_no_delete] BEFORE DELETE ON [attested_fields] BEGIN SELECT RAISE(ABORT, 'factledger: attested_fields is append-only; corrections are new rows'); END;
CREATE TRIGGER [attested_fields_no_replace] BEFORE INSERT ON [attested_fields] WHEN EXISTS (SELECT 1 FROM [attested_fields] WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: attested_fields already holds this seq; the ledger is append-only'); END;
