"""Staff accounts: roles, sign-in names, password rules and argon2id hashing.

Roles are ordered: a viewer reads leads with CNIC and phone masked; an officer sees
everything, changes status, writes notes, assigns, resolves duplicates and exports; an admin
also manages staff accounts and reads the audit log.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.i18n import N_

Role = Literal["viewer", "officer", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}
ROLE_LABELS: dict[str, str] = {
    "viewer": N_("Viewer"),
    "officer": N_("Officer"),
    "admin": N_("Administrator"),
}
STAFF_LANGUAGES: tuple[str, ...] = ("en", "ur")  # of the interface

MIN_PASSWORD = 10
MAX_PASSWORD = 200
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile). Tests may swap in a
# cheaper hasher; check_needs_rehash then upgrades stored hashes at the next sign-in.
hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name takes as long as a wrong password."""
    return hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A name, role or password that breaks the rules; ``message`` is a msgid."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def has_role(role: str | None, minimum: str) -> bool:
    """True when ``role`` is at least ``minimum`` (viewer < officer < admin)."""
    return role is not None and ROLE_RANK.get(role, -1) >= ROLE_RANK[minimum]


def normalise_name(raw: str) -> str:
    """Sign-in names are case-insensitive: ``Ayesha.Khan`` signs in as ``ayesha.khan``."""
    return raw.strip().lower()


def check_name(raw: str) -> str:
    name = normalise_name(raw)
    if not _NAME.match(name):
        raise AccountError(
            N_(
                "A sign-in name has 2 to 64 characters: English letters, digits, "
                "dots, dashes or underscores."
            )
        )
    return name


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise AccountError(N_("Unknown role: choose viewer, officer or admin."))


def check_password(password: str, name: str = "") -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("A password needs at least {min} characters."), min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError(N_("A password has at most {max} characters."), max=MAX_PASSWORD)
    if name and name.lower() in password.lower():
        raise AccountError(N_("The password must not contain the sign-in name."))
    return password


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password against its argon2 hash (or a dummy one, for an unknown name)."""
    try:
        return hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current hasher's."""
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
