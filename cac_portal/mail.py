"""What every email the portal sends shares: telling a failure worth another try (the mail
server may accept the message later) from one that will never succeed."""

import smtplib


class TemporaryEmailError(Exception):
    """The mail server may accept the message later: worth a retry (the task's, then the
    sweep's)."""


def is_temporary(exc):
    """4xx answers and lost connections are temporary; 5xx and refused recipients are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError | ConnectionError)
