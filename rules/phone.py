"""Phone numbers of callers: one caller, one key (0912345678, +84912345678 and 84912345678
are the same person), using libphonenumber's rules for Vietnam rather than our own."""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "VN"


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """The canonical form used as the lookup key of a caller.

    Valid numbers become E.164 (`+84912345678`, landline `+842903123456`).  What is not a
    dialable public number (an extension `1001`, a short code `115`) keeps its digits,
    so that it still matches itself.  A value without a single digit is refused.
    """
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        raise ValueError(f"not a phone number: {raw!r}")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return digits
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return digits


def callable_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """A number a nurse can call back (a valid mobile or landline number), as E.164; None
    for anything else (too short, a short code, letters)."""
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(phone: str, region: str = DEFAULT_REGION) -> str:
    """How people write it at home, whatever form it came in: '+84912345678', '84912345678'
    or '0912345678' → '0912 345 678'. What is not a valid number (an extension, a short
    code, a masked number such as '09xx xxx 678') stays as it is."""
    if not re.fullmatch(r"\+?[\d\s.()-]+", phone):  # letters would be read as a keypad's
        return phone
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(number):
        return phone
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def national_digits(phone: str, region: str = DEFAULT_REGION) -> str:
    """What a trunk in the region dials: '+84912345678' → '0912345678', '+842901022' →
    '02901022' (the region's national prefix and the national significant number, from
    libphonenumber's metadata). A number of another country, a short code or an extension
    stays as it is."""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return phone
    if number.country_code != phonenumbers.country_code_for_region(region) or \
            not phonenumbers.is_possible_number(number):
        return phone
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = (metadata.national_prefix if metadata else None) or ""
    return prefix + phonenumbers.national_significant_number(number)


def masked_phone(phone: str, region: str = DEFAULT_REGION) -> str:
    """A number as a lead's board shows it, enough to recognise a caller and not to dial
    them: '+84912345678' → '0912 ••• 678' (the first four and last three digits). A short
    number (an extension, 115) has nothing to hide."""
    try:
        digits = national_digits(normalise_phone(phone, region), region)
    except ValueError:
        return phone
    digits = re.sub(r"\D", "", digits)
    if len(digits) < 8:
        return digits
    return f"{digits[:4]} {'•' * 3} {digits[-3:]}"
