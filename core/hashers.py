"""Password hashers of the project (decision 020)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class IssuedPasswordHasher(PBKDF2PasswordHasher):
    """The hash of a first password the system generated for an imported account (``core.accounts.
    temporary_password``: 12 random characters, about 70 bits). Slow hashing protects guessable passwords; a
    random one this long is out of reach with far fewer rounds, and an import of 200 accounts would otherwise
    spend minutes hashing (decision 020). The user must change it at the first sign-in, and that sign-in
    already rehashes it with the default hasher."""

    algorithm = "pbkdf2_issued"
    iterations = 10_000
