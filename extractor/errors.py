"""Errors a person can act on.

Every failure the pipeline expects (a file that is not a report, is broken or locked)
is one of these; its message is shown as is in `error` and on the terminal.
"""


class ExtractionError(Exception):
    """A document could not be processed; the message says why and what to do."""


class UnsupportedFileError(ExtractionError):
    pass


class BrokenFileError(ExtractionError):
    pass


class EncryptedFileError(ExtractionError):
    pass


class EmptyDocumentError(ExtractionError):
    pass


class NoTablesFoundError(ExtractionError):
    pass
