-- m011_claim_lookup_indexes: stance events, verdicts and status changes indexed by (claim_id, seq); the unused actor and stance indexes dropped.
-- Literal DDL, as this migration first ran: never edit it; add a new migration instead.
-- Every read of these tables by claim takes its rows in ledger order (the stance summary, a claim's
-- latest verdict and status): with seq in the index that order is the index's own, no sort per
-- claim. Nothing filters stance_events by actor or stance alone (readers use the stances reader
-- table), and the claim filter's "stance = ?" took the stance index instead of the claim's rows.
DROP INDEX idx_stance_events_actor;
DROP INDEX idx_stance_events_stance;
DROP INDEX idx_stance_events_claim_id;
CREATE INDEX idx_stance_events_claim_id_seq ON stance_events (claim_id, seq);
DROP INDEX idx_verdicts_claim_id;
CREATE INDEX idx_verdicts_claim_id_seq ON verdicts (claim_id, seq);
DROP INDEX idx_status_changes_claim_id;
CREATE INDEX idx_status_changes_claim_id_seq ON status_changes (claim_id, seq);
