"""The one error type a user may see. Commands print its message; the web turns it into a 4xx page or JSON."""


class UserError(Exception):
    """Bad input from a person: the message says what is wrong and where, in one sentence."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
