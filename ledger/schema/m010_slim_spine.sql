-- m010_slim_spine: ledger_entries keeps seq, tbl and row_id; hashes are read from the hashed rows.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
-- The spine holds nothing that is not in the hashed ledger rows (each carries its seq, id,
-- prev_hash and hash), so it is copied into a new table without its two hash columns and their
-- UNIQUE indexes, and the old table is dropped: no chained row is touched. The seq primary key
-- still refuses a second entry at one position (a fork), across all tables.
DROP TRIGGER [sources_entry];
DROP TRIGGER [model_calls_entry];
DROP TRIGGER [proposals_entry];
DROP TRIGGER [claims_entry];
DROP TRIGGER [claim_versions_entry];
DROP TRIGGER [stance_events_entry];
DROP TRIGGER [verdicts_entry];
DROP TRIGGER [status_changes_entry];
DROP TRIGGER [decisions_entry];
DROP TRIGGER [attestations_entry];
DROP TRIGGER [checkpoints_entry];
DROP TRIGGER [assignments_entry];
DROP TRIGGER [votes_entry];
DROP TRIGGER [settlements_entry];
DROP TRIGGER [settings_entry];
DROP TRIGGER [holds_entry];
DROP TRIGGER [confirmations_entry];
DROP TRIGGER [ledger_entries_no_replace];
CREATE TABLE ledger_entries_m010 (seq INTEGER PRIMARY KEY CHECK (seq > 0), tbl TEXT NOT NULL, row_id TEXT NOT NULL);
INSERT INTO ledger_entries_m010 (seq, tbl, row_id) SELECT seq, tbl, row_id FROM ledger_entries ORDER BY seq;
-- Dropping the old spine drops its index on tbl (m004's; nothing looks entries up by table) and its
-- triggers, the derived counts trigger among them: user_version 0 says the derived state is not
-- installed, so it is installed again after the migrations.
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_m010 RENAME TO ledger_entries;
PRAGMA user_version = 0;
CREATE TRIGGER [ledger_entries_no_update] BEFORE UPDATE ON [ledger_entries] BEGIN SELECT RAISE(ABORT, 'factledger: ledger_entries is append-only; corrections are new rows'); END;
CREATE TRIGGER [ledger_entries_no_delete] BEFORE DELETE ON [ledger_entries] BEGIN SELECT RAISE(ABORT, 'factledger: ledger_entries is append-only; corrections are new rows'); END;
CREATE TRIGGER [ledger_entries_no_replace] BEFORE INSERT ON [ledger_entries] WHEN EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: ledger_entries already holds this seq; the ledger is append-only, corrections are new rows'); END;
CREATE TRIGGER [sources_entry] AFTER INSERT ON [sources] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'sources', NEW.id); END;
CREATE TRIGGER [model_calls_entry] AFTER INSERT ON [model_calls] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'model_calls', NEW.id); END;
CREATE TRIGGER [proposals_entry] AFTER INSERT ON [proposals] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'proposals', NEW.id); END;
CREATE TRIGGER [claims_entry] AFTER INSERT ON [claims] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'claims', NEW.id); END;
CREATE TRIGGER [claim_versions_entry] AFTER INSERT ON [claim_versions] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'claim_versions', NEW.id); END;
CREATE TRIGGER [stance_events_entry] AFTER INSERT ON [stance_events] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'stance_events', NEW.id); END;
CREATE TRIGGER [verdicts_entry] AFTER INSERT ON [verdicts] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'verdicts', NEW.id); END;
CREATE TRIGGER [status_changes_entry] AFTER INSERT ON [status_changes] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'status_changes', NEW.id); END;
CREATE TRIGGER [decisions_entry] AFTER INSERT ON [decisions] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'decisions', NEW.id); END;
CREATE TRIGGER [attestations_entry] AFTER INSERT ON [attestations] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'attestations', NEW.id); END;
CREATE TRIGGER [checkpoints_entry] AFTER INSERT ON [checkpoints] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'checkpoints', NEW.id); END;
CREATE TRIGGER [assignments_entry] AFTER INSERT ON [assignments] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'assignments', NEW.id); END;
CREATE TRIGGER [votes_entry] AFTER INSERT ON [votes] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'votes', NEW.id); END;
CREATE TRIGGER [settlements_entry] AFTER INSERT ON [settlements] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'settlements', NEW.id); END;
CREATE TRIGGER [settings_entry] AFTER INSERT ON [settings] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'settings', NEW.id); END;
CREATE TRIGGER [holds_entry] AFTER INSERT ON [holds] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'holds', NEW.id); END;
CREATE TRIGGER [confirmations_entry] AFTER INSERT ON [confirmations] BEGIN INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (NEW.seq, 'confirmations', NEW.id); END;
