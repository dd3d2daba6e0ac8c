"""factledger: a fact-checking and provenance ledger."""

__version__ = "0.1.0"
