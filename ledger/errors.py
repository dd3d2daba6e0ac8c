"""Our exception types. The library raises these; the CLI turns them into one-line errors."""


class LedgerError(Exception):
    """Base class: a problem a user can fix, reported as one line without a traceback."""


class InputError(LedgerError):
    """Bad input from the user: a file, a quote, an option value."""


class NotFound(LedgerError):
    """A claim, source or proposal that is not in the ledger."""


class SpanError(InputError):
    """A quote that does not match its source text."""


class IntegrityError(LedgerError):
    """The ledger failed verification: the chain, a span or a source hash disagrees."""


class ModelError(LedgerError):
    """A model could not be called: missing key, unreachable server, missing extra."""
