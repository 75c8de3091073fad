"""Errors a service raises that the web and API layers turn into the right answer."""


class Conflict(Exception):
    """A state conflict (HTTP 409): e.g. approving a leave already decided, changing a locked pay run."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
