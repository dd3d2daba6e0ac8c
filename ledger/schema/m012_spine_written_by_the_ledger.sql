-- m012_spine_written_by_the_ledger: the ledger writes each entry's spine row itself, set-wise; the per-row AFTER INSERT triggers go, and the insert guards check seq against the spine.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
-- An AFTER INSERT trigger on every ledger table copied each new row's (seq, tbl, id) into
-- ledger_entries, one trigger program a row. The Ledger now writes those rows itself, together,
-- in the same transaction; the spine's primary key still refuses a second entry at one seq.
-- A row inserted behind the Ledger's back (the sqlite3 shell) gets no spine row: verify names it.
-- The insert guards (m006) looked a new row's seq up in its own table; they now look it up in the
-- spine, so a row taking a seq another table holds (a fork) is still refused from the shell, as
-- the spine's primary key refused it through the old triggers.
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
DROP TRIGGER [sources_no_replace];
CREATE TRIGGER [sources_no_replace] BEFORE INSERT ON [sources] WHEN EXISTS (SELECT 1 FROM [sources] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: sources already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [model_calls_no_replace];
CREATE TRIGGER [model_calls_no_replace] BEFORE INSERT ON [model_calls] WHEN EXISTS (SELECT 1 FROM [model_calls] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: model_calls already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [proposals_no_replace];
CREATE TRIGGER [proposals_no_replace] BEFORE INSERT ON [proposals] WHEN EXISTS (SELECT 1 FROM [proposals] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: proposals already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [claims_no_replace];
CREATE TRIGGER [claims_no_replace] BEFORE INSERT ON [claims] WHEN EXISTS (SELECT 1 FROM [claims] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: claims already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [claim_versions_no_replace];
CREATE TRIGGER [claim_versions_no_replace] BEFORE INSERT ON [claim_versions] WHEN EXISTS (SELECT 1 FROM [claim_versions] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) OR EXISTS (SELECT 1 FROM claim_versions WHERE claim_id = NEW.claim_id AND version = NEW.version) BEGIN SELECT RAISE(ABORT, 'factledger: claim_versions already holds this id or claim version, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [stance_events_no_replace];
CREATE TRIGGER [stance_events_no_replace] BEFORE INSERT ON [stance_events] WHEN EXISTS (SELECT 1 FROM [stance_events] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: stance_events already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [verdicts_no_replace];
CREATE TRIGGER [verdicts_no_replace] BEFORE INSERT ON [verdicts] WHEN EXISTS (SELECT 1 FROM [verdicts] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: verdicts already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [status_changes_no_replace];
CREATE TRIGGER [status_changes_no_replace] BEFORE INSERT ON [status_changes] WHEN EXISTS (SELECT 1 FROM [status_changes] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: status_changes already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [decisions_no_replace];
CREATE TRIGGER [decisions_no_replace] BEFORE INSERT ON [decisions] WHEN EXISTS (SELECT 1 FROM [decisions] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: decisions already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [attestations_no_replace];
CREATE TRIGGER [attestations_no_replace] BEFORE INSERT ON [attestations] WHEN EXISTS (SELECT 1 FROM [attestations] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: attestations already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [checkpoints_no_replace];
CREATE TRIGGER [checkpoints_no_replace] BEFORE INSERT ON [checkpoints] WHEN EXISTS (SELECT 1 FROM [checkpoints] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: checkpoints already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [assignments_no_replace];
CREATE TRIGGER [assignments_no_replace] BEFORE INSERT ON [assignments] WHEN EXISTS (SELECT 1 FROM [assignments] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: assignments already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [votes_no_replace];
CREATE TRIGGER [votes_no_replace] BEFORE INSERT ON [votes] WHEN EXISTS (SELECT 1 FROM [votes] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: votes already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [settlements_no_replace];
CREATE TRIGGER [settlements_no_replace] BEFORE INSERT ON [settlements] WHEN EXISTS (SELECT 1 FROM [settlements] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: settlements already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [settings_no_replace];
CREATE TRIGGER [settings_no_replace] BEFORE INSERT ON [settings] WHEN EXISTS (SELECT 1 FROM [settings] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: settings already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [holds_no_replace];
CREATE TRIGGER [holds_no_replace] BEFORE INSERT ON [holds] WHEN EXISTS (SELECT 1 FROM [holds] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: holds already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
DROP TRIGGER [confirmations_no_replace];
CREATE TRIGGER [confirmations_no_replace] BEFORE INSERT ON [confirmations] WHEN EXISTS (SELECT 1 FROM [confirmations] WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'factledger: confirmations already holds this id, or ledger_entries this seq; the ledger is append-only, corrections are new rows'); END;
