"""How a member is called: as they chose to be shown to others, in full for the office and
themselves, and as the label of their account in the books."""

from __future__ import annotations

from .models import Member


def display_name(member: Member, *, full: bool = False) -> str:
    """The member's name as they chose to be shown (``full`` for the office and for themselves)."""
    if member.erased_at is not None:
        return f"Mitglied {member.number}"
    if full or member.name_display == "full":
        return member.full_name
    if member.name_display == "first_initial":
        initial = f" {member.last_name[:1]}." if member.last_name else ""
        return f"{member.first_name}{initial}"
    return f"Mitglied {member.number}"


def account_label(member: Member) -> str:
    """The label of the member's account in the books (the office's lists and reports)."""
    if member.erased_at is not None:
        return f"Mitglied {member.number}"
    return f"{member.number} {member.full_name}"[:100]


def postal_address(member: Member) -> str | None:
    parts = [member.street or "", " ".join(p for p in (member.postal_code, member.city) if p)]
    text = ", ".join(p for p in parts if p)
    return text or None
