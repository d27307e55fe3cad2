"""The password policy: long enough, not common, not easily guessed, not the person's or the service's name.

Common passwords come from zxcvbn (Dropbox's password strength estimator, maintained in Python as
the `zxcvbn` package): its list of the 30,000 most common passwords from published breaches is
checked case-insensitively, and its estimate of how many guesses a password would take catches the
rest of what people reach for (a word and a year, `Password1234`, keyboard runs, repeats, dates).
The policy follows the NCSC's password guidance: length and a deny-list, no rules about symbols.
The council's own words (TRACKER_PASSWORD_BANNED_WORDS: its name, "send", "ofsted", ...) are refused
wherever zxcvbn finds them, whatever the case, digits, symbols or leetspeak around them (`Coventry2026!`).
"""

import re
import secrets

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn's 0-4 scale; 3 is "safely unguessable" (about 10^8 guesses or more)
_ESTIMATE_LENGTH = 72  # zxcvbn reads at most this many characters; a longer password is judged by its start

COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
EASY_TO_GUESS = (
    "Password is too easy to guess: avoid common words, names, dates and keyboard patterns. "
    "Three or more random words together work well."
)
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread when read aloud


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def email_name_parts(email: str | None) -> list[str]:
    """The name part of an email address (jo.whitfield in jo.whitfield@council.example) and its pieces."""
    if not email or "@" not in email:
        return []
    name = email.split("@", 1)[0].lower()
    pieces = [piece for piece in re.split(r"[^a-z0-9]+", name) if len(piece) >= 4]
    return [part for part in dict.fromkeys([_letters(name), *pieces]) if len(part) >= 3]


def banned_words(setting: str) -> tuple[str, ...]:
    """The words of a comma-separated setting, lower case, blanks dropped."""
    return tuple(dict.fromkeys(word.strip().lower() for word in setting.split(",") if word.strip()))


def password_problem(
    password: str, email: str | None = None, service_name: str = "", banned: tuple[str, ...] = ()
) -> str | None:
    """What is wrong with this password, as a sentence for the person choosing it; None if it will do."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer."
    if len(set(password)) < 5:
        return "Password is too easy to guess: use a mix of different characters."
    if password.lower() in COMMON_PASSWORDS:
        return (
            "Password is one of the most commonly used passwords: choose one that is not. Three or more "
            "random words together work well."
        )
    compact = _letters(password)
    if any(part in compact for part in email_name_parts(email)):
        return "Password must not contain the name from the email address."
    if service_name and _letters(service_name) and _letters(service_name) in compact:
        return "Password must not contain the name of this service."
    hints = list(banned) + email_name_parts(email) + service_name.lower().split()
    estimate = zxcvbn(password[:_ESTIMATE_LENGTH], user_inputs=hints)
    # zxcvbn splits the password into the cheapest pieces to guess: a banned word among them, found in any
    # case, reversed or in leetspeak (C0v3ntry), is one a guesser would try first
    for piece in estimate["sequence"]:
        if piece.get("dictionary_name") == "user_inputs" and piece.get("matched_word") in banned:
            return (
                f"Password must not contain the word “{piece['matched_word']}”: the names of the council "
                "and the area, and words to do with this service, are among the first a guesser tries."
            )
    if estimate["score"] < MIN_SCORE:
        return EASY_TO_GUESS
    return None


def temporary_password() -> str:
    """A password to read out or pass on once, like k7mp-2qxr-9dtw-h4nc: 80 random bits, easy to type."""
    while True:
        groups = ["".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4)]
        candidate = "-".join(groups)
        if password_problem(candidate) is None:
            return candidate
