"""Review: people accept, edit, reject or merge proposals; every decision is a ledger row."""
